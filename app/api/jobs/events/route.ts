import { getJobQueue } from "@/lib/jobs";
import { allJobsEventsResponse } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/events`: Server-Sent Events for every job (snapshot, state, progress). */
export function GET(req: Request) {
  return allJobsEventsResponse(req, getJobQueue());
}
