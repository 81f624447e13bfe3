import { readBuiltinWasm } from "@/lib/builtins/artifacts";

export const dynamic = "force-dynamic";

/** The built component bytes (`application/wasm`). 404 for an unknown id, 503 when not built yet. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  const r = readBuiltinWasm(id);
  if (!r.ok) return Response.json({ error: r.error }, { status: r.error.kind === "unknown-builtin" ? 404 : 503 });
  return new Response(r.value as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": "application/wasm", "content-length": String(r.value.length), "cache-control": "no-cache" },
  });
}
