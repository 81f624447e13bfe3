import { getJobQueue } from "@/lib/jobs";
import { handleImagePull } from "@/lib/jobs/registry-http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/registry/pull` `{ reference, platform? }` → 202 `{ jobId, job }` (a compile job that pulls the image first). */
export async function POST(req: Request) {
  return handleImagePull(req, getJobQueue());
}
