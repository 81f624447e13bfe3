import { getJobQueue } from "@/lib/jobs";
import { notFound, queueErrorResponse, validJobId } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/jobs/:id/retry` → `{ job }` (queued again, same id); 409 unless failed or cancelled. */
export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  const r = getJobQueue().retry(id);
  return r.ok ? Response.json({ job: r.value }) : queueErrorResponse(r.error);
}
