import { dataDir } from "@/lib/db";
import { settingsResponse, updateSettings } from "@/lib/jobs/registry-http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/registry/settings` → registries with stored credentials (user names only) and the push target. */
export async function GET() {
  return settingsResponse(dataDir());
}

/** `PUT /api/registry/settings` `{ registry, username, password }` | `{ registry, remove: true }` | `{ pushTarget }`. */
export async function PUT(req: Request) {
  return updateSettings(req, dataDir());
}
