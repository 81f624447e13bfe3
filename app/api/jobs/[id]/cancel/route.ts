import { getJobQueue } from "@/lib/jobs";
import { notFound, queueErrorResponse, validJobId } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/jobs/:id/cancel` → `{ job }`; 404 unknown, 409 already finished. */
export const POST = route<{ id: string }>({}, ({ params: { id } }) => {
  if (!validJobId(id)) return notFound(id);
  const r = getJobQueue().cancel(id);
  return r.ok ? Response.json({ job: r.value }) : queueErrorResponse(r.error);
});
