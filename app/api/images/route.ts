import { getJobQueue } from "@/lib/jobs";
import { handleImageUpload } from "@/lib/jobs/http";
import { authorize } from "@/lib/server/auth";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Upload an image archive (docker save or OCI layout tar, plain or gzip) as the
 * raw request body. Query: `platform`, `name`, `filename`. → 202 `{ jobId, job }`.
 * The proxy skips this route (it would buffer the body), so the token is checked here.
 */
export async function POST(req: Request) {
  if (authorize(req.headers, new URL(req.url)) !== "ok") {
    return Response.json({ error: { kind: "unauthorized", message: "this Trellis server requires an access token" } }, { status: 401 });
  }
  return handleImageUpload(req, getJobQueue());
}
