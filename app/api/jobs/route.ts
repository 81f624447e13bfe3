import { getJobQueue } from "@/lib/jobs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs?limit=&kind=` → `{ jobs: Job[] }`, newest first. */
export function GET(req: Request) {
  const url = new URL(req.url);
  const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 200) || 200, 1), 1000);
  const kind = url.searchParams.get("kind") ?? undefined;
  return Response.json({ jobs: getJobQueue().list({ limit, ...(kind ? { kind } : {}) }) });
}
