import { getJobQueue } from "@/lib/jobs";
import { jobEventsResponse, notFound, validJobId } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/:id/events`: Server-Sent Events (snapshot, log, progress, state, end). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  return jobEventsResponse(req, getJobQueue(), id);
}
