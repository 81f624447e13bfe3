import { dataDir } from "@/lib/db";
import { getJobQueue } from "@/lib/jobs";
import { notFound, validJobId } from "@/lib/jobs/http";
import { handlePush } from "@/lib/jobs/registry-http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/jobs/:id/push` `{ reference? }` → `{ push: { reference, pinned, digest, tag, … } }`. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  return handlePush(req, getJobQueue(), id, dataDir());
}
