import { getJobQueue } from "@/lib/jobs";
import { notFound, retryResponse, validJobId } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * `POST /api/jobs/:id/retry` [body `{ platform?, name? }`] → `{ job }` (queued
 * again, same id, params merged); 409 unless failed or cancelled.
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  return retryResponse(req, getJobQueue(), id);
}
