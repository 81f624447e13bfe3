import { componentStore, handleComponentUpload, listResponse, unauthorized } from "@/lib/components/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Uploaded components ("My components" in the palette), oldest first. */
export function GET(req: Request) {
  return unauthorized(req) ?? listResponse(componentStore());
}

/**
 * Upload a `.wasm` (raw body; `?filename=`): a component, a WASI preview1
 * module (converted), or a core module. The token is checked here too, so the
 * proxy (which would buffer the body) can skip this route.
 */
export async function POST(req: Request) {
  return unauthorized(req) ?? handleComponentUpload(req, componentStore());
}
