import { componentStore, COMPONENT_UPLOAD_TYPES, handleComponentUpload, listResponse, maxComponentUpload } from "@/lib/components/http";
import { dataDir } from "@/lib/db";
import { getJobQueue } from "@/lib/jobs";
import { route } from "@/lib/server/edge";
import { reserve } from "@/lib/storage/storage";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Uploaded components ("My components" in the palette), oldest first. */
export const GET = route({}, () => listResponse(componentStore()));

/**
 * Upload a `.wasm` (raw body, `application/wasm`; `?filename=`): a component,
 * a WASI preview1 module (converted), or a core module.
 */
export const POST = route({ body: { upload: { types: COMPONENT_UPLOAD_TYPES, limit: maxComponentUpload, what: "the .wasm file" } } }, ({ req }) =>
  handleComponentUpload(req, componentStore(), maxComponentUpload(), (n) => reserve(dataDir(), getJobQueue(), n)),
);
