import { componentStore, unauthorized, wasmResponse } from "@/lib/components/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The stored bytes (`application/wasm`): the component, a converted module's component, or the core module. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return unauthorized(req) ?? wasmResponse(componentStore(), (await ctx.params).id);
}
