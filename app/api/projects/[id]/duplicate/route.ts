import { errorResponse, projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const r = projectRepo().duplicate((await params).id);
  return r.ok ? Response.json(r.value, { status: 201 }) : errorResponse(r.error);
}
