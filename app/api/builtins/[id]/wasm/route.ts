import { readBuiltinWasm } from "@/lib/builtins/artifacts";
import { route } from "@/lib/server/edge";
import { errorResponse } from "@/lib/server/errors";

export const dynamic = "force-dynamic";

/** The built component bytes (`application/wasm`). 404 for an unknown id, 503 when not built yet. */
export const GET = route<{ id: string }>({}, ({ params }) => {
  const r = readBuiltinWasm(params.id);
  if (!r.ok) return errorResponse(r.error, r.error.kind === "unknown-builtin" ? 404 : 503);
  return new Response(r.value as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": "application/wasm", "content-length": String(r.value.length), "cache-control": "no-cache" },
  });
});
