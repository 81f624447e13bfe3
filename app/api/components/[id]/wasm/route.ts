import { componentStore, wasmResponse } from "@/lib/components/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The stored bytes (`application/wasm`): the component, a converted module's component, or the core module. */
export const GET = route<{ id: string }>({}, ({ params }) => wasmResponse(componentStore(), params.id));
