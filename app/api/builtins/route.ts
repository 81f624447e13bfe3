import { builtinWit } from "@/lib/builtins/artifacts";
import { BUILTINS } from "@/lib/builtins/catalog";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";

/**
 * The built-in component library: id, name, description, world, ports, and WIT:
 * `wit` is the text the ports derive from (WASI packages from the WASI project
 * referenced, not included: lib/wit treats them as opaque); `witComplete` also
 * nests those packages (from the build), so it stands alone for wit-parser.
 */
export const GET = route({}, () =>
  Response.json(
    BUILTINS.map((b) => ({
      id: b.id,
      name: b.name,
      description: b.description,
      source: b.source,
      world: b.world,
      wit: b.wit,
      witComplete: builtinWit(b.id) ?? b.wit,
      externalPackages: b.externalPackages,
      imports: b.imports,
      exports: b.exports,
      ports: b.ports,
      sampleInput: b.sampleInput ?? null,
      sampleInputBase64: b.sampleInputBase64 ?? null,
      wasmUrl: `/api/builtins/${b.id}/wasm`,
    })),
  ),
);
