import { getJobQueue } from "@/lib/jobs";
import { artifactResponse, notFound, validJobId } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * `GET /api/jobs/:id/artifact[?file=name]`: the produced .wasm as a download
 * (or one of its extra files, e.g. `artifact.component.wasm`); 404 when nothing was produced.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  return artifactResponse(getJobQueue(), id, new URL(req.url).searchParams.get("file"));
}
