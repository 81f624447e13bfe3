import { componentStore, deleteResponse, getResponse } from "@/lib/components/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return getResponse(componentStore(), (await ctx.params).id);
}

export async function DELETE(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return deleteResponse(componentStore(), (await ctx.params).id);
}
