import { route } from "@/lib/server/edge";
import { errorResponse } from "@/lib/server/errors";
import { projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>({}, ({ params }) => {
  const r = projectRepo().duplicate(params.id);
  return r.ok ? Response.json(r.value, { status: 201 }) : errorResponse(r.error);
});
