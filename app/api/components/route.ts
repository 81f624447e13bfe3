import { componentStore, handleComponentUpload, listResponse } from "@/lib/components/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Uploaded components ("My components" in the palette), oldest first. */
export function GET() {
  return listResponse(componentStore());
}

/** Upload a `.wasm` (raw body; `?filename=`): a component, a WASI preview1 module (converted), or a core module. */
export async function POST(req: Request) {
  return handleComponentUpload(req, componentStore());
}
