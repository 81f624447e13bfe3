import { dataDir } from "@/lib/db";
import { settingsResponse, updateSettings } from "@/lib/jobs/registry-http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/registry/settings` → registries with stored credentials (user names only) and the push target. */
export const GET = route({}, () => settingsResponse(dataDir()));

/** `PUT /api/registry/settings` `{ registry, username, password }` | `{ registry, remove: true }` | `{ pushTarget }`. */
export const PUT = route({}, ({ req }) => updateSettings(req, dataDir()));
