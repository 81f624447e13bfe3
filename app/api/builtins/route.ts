import { BUILTINS } from "@/lib/builtins/catalog";

export const dynamic = "force-static";

/** The built-in component library: id, name, description, WIT text, world, ports. */
export function GET() {
  return Response.json(
    BUILTINS.map((b) => ({
      id: b.id,
      name: b.name,
      description: b.description,
      source: b.source,
      world: b.world,
      wit: b.wit,
      imports: b.imports,
      exports: b.exports,
      ports: b.ports,
      sampleInput: b.sampleInput ?? null,
      wasmUrl: `/api/builtins/${b.id}/wasm`,
    })),
  );
}
