import { getJobQueue } from "@/lib/jobs";
import { parseRunBody, runJobArtifact } from "@/lib/jobs/run-artifact";
import { route } from "@/lib/server/edge";
import { errorResponse } from "@/lib/server/errors";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/jobs/:id/run` body `{ args: string[], stdin: string }` → `{ stdout, stderr, exitCode, timedOut, truncated, durationMs }`. */
export const POST = route<{ id: string }>({ body: { json: {} } }, async ({ params: { id }, body }) => {
  const parsed = parseRunBody(body);
  if (!parsed.ok) return errorResponse(parsed.error, parsed.error.status);
  const r = await runJobArtifact(getJobQueue(), id, parsed.value);
  return r.ok ? Response.json(r.value) : errorResponse(r.error, r.error.status);
});
