import { getJobQueue } from "@/lib/jobs";
import { allJobsEventsResponse } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/events`: Server-Sent Events for every job (snapshot, state, progress). */
export const GET = route({}, ({ req }) => allJobsEventsResponse(req, getJobQueue()));
