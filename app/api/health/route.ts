import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";

export const GET = route({}, () => Response.json({ ok: true }));
