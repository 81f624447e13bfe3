import { getJobQueue } from "@/lib/jobs";
import { makeInputRoute } from "@/lib/jobs/remote-input-http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * `GET /api/internal/jobs/:id/input`: a job's uploaded image, for the compile
 * worker running it (TRELLIS_QUEUE); needs the run's `x-trellis-job-token`, not the access token.
 */
export const GET = makeInputRoute(getJobQueue);
