import { getJobQueue } from "@/lib/jobs";
import { handleImagePull } from "@/lib/jobs/registry-http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/registry/pull` `{ reference, platform? }` → 202 `{ jobId, job }` (a compile job that pulls the image first). */
export const POST = route({}, ({ req }) => handleImagePull(req, getJobQueue()));
