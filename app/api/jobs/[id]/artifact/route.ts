import { getJobQueue } from "@/lib/jobs";
import { artifactResponse, notFound, validJobId } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/:id/artifact`: the produced .wasm as a download; 404 when nothing was produced. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  return artifactResponse(getJobQueue(), id);
}
