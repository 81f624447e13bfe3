import { builtinWit } from "@/lib/builtins/artifacts";
import { BUILTINS } from "@/lib/builtins/catalog";

export const dynamic = "force-dynamic";

/**
 * The built-in component library: id, name, description, WIT text (self-contained
 * once built: WASI packages it uses are nested in), world, ports.
 */
export function GET() {
  return Response.json(
    BUILTINS.map((b) => ({
      id: b.id,
      name: b.name,
      description: b.description,
      source: b.source,
      world: b.world,
      wit: builtinWit(b.id) ?? b.wit,
      externalPackages: b.externalPackages,
      imports: b.imports,
      exports: b.exports,
      ports: b.ports,
      sampleInput: b.sampleInput ?? null,
      wasmUrl: `/api/builtins/${b.id}/wasm`,
    })),
  );
}
