import { getJobQueue } from "@/lib/jobs";
import { handleImageUpload, IMAGE_UPLOAD_TYPES, maxUpload } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Upload an image archive (docker save or OCI layout tar, plain or gzip) as the
 * raw request body. Query: `platform`, `name`, `filename`. → 202 `{ jobId, job }`.
 */
export const POST = route({ body: { upload: { types: IMAGE_UPLOAD_TYPES, limit: maxUpload, what: "the image archive" } } }, ({ req }) =>
  handleImageUpload(req, getJobQueue()),
);
