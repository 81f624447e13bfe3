import { getJobQueue } from "@/lib/jobs";
import { clampInt } from "@/lib/server/limits";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs?limit=&kind=` → `{ jobs: Job[] }`, newest first. */
export const GET = route({}, ({ url }) => {
  const limit = clampInt(url.searchParams.get("limit"), { min: 1, max: 1000, fallback: 200 });
  const kind = url.searchParams.get("kind") ?? undefined;
  return Response.json({ jobs: getJobQueue().list({ limit, ...(kind ? { kind } : {}) }) });
});
