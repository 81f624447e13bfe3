import { getJobQueue } from "@/lib/jobs";
import { artifactRunResponse } from "@/lib/jobs/run-artifact";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * `POST /api/jobs/:id/run` body `{ args: string[], stdin: string }` → `{ stdout, stderr, exitCode, timedOut, truncated, durationMs }`,
 * or with `Accept: text/event-stream` the output as it comes (`output` events, then `exit`).
 */
export const POST = route<{ id: string }>({ body: { json: {} } }, ({ req, params: { id }, body }) => artifactRunResponse(req, getJobQueue(), id, body));
