import { getJobQueue } from "@/lib/jobs";
import { notFound, queueErrorResponse, readReport, validJobId } from "@/lib/jobs/http";
import { readPushes } from "@/lib/jobs/registry-http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/:id` → `{ job, report, pushes }` (report: the compile report, or null before one exists; pushes: the artifact pushes, oldest first). */
export const GET = route<{ id: string }>({}, async ({ params: { id } }) => {
  if (!validJobId(id)) return notFound(id);
  const queue = getJobQueue();
  const job = queue.get(id);
  if (!job) return notFound(id);
  return Response.json({ job, report: await readReport(queue, id), pushes: await readPushes(queue, id) });
});

/** `DELETE /api/jobs/:id` → 204; removes a finished job and its files (409 while queued or running). */
export const DELETE = route<{ id: string }>({}, async ({ params: { id } }) => {
  if (!validJobId(id)) return notFound(id);
  const r = await getJobQueue().remove(id);
  return r.ok ? new Response(null, { status: 204 }) : queueErrorResponse(r.error);
});
