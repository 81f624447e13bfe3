import { getJobQueue } from "@/lib/jobs";
import { artifactResponse, notFound, validJobId } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * `GET /api/jobs/:id/artifact[?file=name]`: the produced .wasm as a download
 * (or one of its extra files, e.g. `artifact.component.wasm`); 404 when nothing was produced.
 */
export const GET = route<{ id: string }>({}, ({ params: { id }, url }) => {
  if (!validJobId(id)) return notFound(id);
  return artifactResponse(getJobQueue(), id, url.searchParams.get("file"));
});
