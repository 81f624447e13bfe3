import { componentStore, deleteResponse, getResponse } from "@/lib/components/http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route<{ id: string }>({}, ({ params }) => getResponse(componentStore(), params.id));

export const DELETE = route<{ id: string }>({}, ({ params }) => deleteResponse(componentStore(), params.id));
