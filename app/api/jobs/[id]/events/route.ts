import { getJobQueue } from "@/lib/jobs";
import { jobEventsResponse, notFound, validJobId } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/:id/events`: Server-Sent Events (snapshot, log, progress, state, end). */
export const GET = route<{ id: string }>({}, ({ req, params: { id } }) => {
  if (!validJobId(id)) return notFound(id);
  return jobEventsResponse(req, getJobQueue(), id);
});
