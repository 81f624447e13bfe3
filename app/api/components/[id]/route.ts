import { componentStore, deleteResponse, getResponse, unauthorized } from "@/lib/components/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return unauthorized(req) ?? getResponse(componentStore(), (await ctx.params).id);
}

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return unauthorized(req) ?? deleteResponse(componentStore(), (await ctx.params).id);
}
