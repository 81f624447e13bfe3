import { getJobQueue } from "@/lib/jobs";
import { parseRunBody, runJobArtifact } from "@/lib/jobs/run-artifact";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/jobs/:id/run` body `{ args: string[], stdin: string }` → `{ stdout, stderr, exitCode, timedOut, truncated, durationMs }`. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return Response.json({ error: { kind: "invalid-request", message: "the request body is not JSON" } }, { status: 400 });
  }
  const parsed = parseRunBody(body);
  if (!parsed.ok) return Response.json({ error: parsed.error }, { status: parsed.error.status });
  const r = await runJobArtifact(getJobQueue(), (await params).id, parsed.value);
  return r.ok ? Response.json(r.value) : Response.json({ error: r.error }, { status: r.error.status });
}
