import { getJobQueue } from "@/lib/jobs";
import { notFound, retryResponse, validJobId } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * `POST /api/jobs/:id/retry` [body `{ platform?, name? }`] → `{ job }` (queued
 * again, same id, params merged); 409 unless failed or cancelled.
 */
export const POST = route<{ id: string }>({ body: { json: {} } }, ({ params: { id }, body }) => {
  if (!validJobId(id)) return notFound(id);
  return retryResponse(body, getJobQueue(), id);
});
