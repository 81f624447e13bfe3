import { dataDir } from "@/lib/db";
import { getJobQueue } from "@/lib/jobs";
import { handleImageUpload, IMAGE_UPLOAD_TYPES, maxUpload } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";
import { reserve } from "@/lib/storage/storage";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Upload an image archive (docker save or OCI layout tar, plain or gzip) as the
 * raw request body. Query: `platform`, `name`, `filename`. → 202 `{ jobId, job }`;
 * 507 `storage-full` when it does not fit in TRELLIS_STORAGE_QUOTA.
 */
export const POST = route({ body: { upload: { types: IMAGE_UPLOAD_TYPES, limit: maxUpload, what: "the image archive" } } }, ({ req }) => {
  const queue = getJobQueue();
  return handleImageUpload(req, queue, maxUpload(), (n) => reserve(dataDir(), queue, n));
});
