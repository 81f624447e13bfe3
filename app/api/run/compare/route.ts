import { compareModes } from "@/lib/run/compare";
import { acquireRunSlot, parseCompareRequest, readRunBody } from "@/lib/run/request";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Both run modes side by side on the same design and input. Body: `{ design,
 * input, requests?: 1..20000 (default 500), entryNodeId?, limits?, request? }`. Answer:
 * `Comparison` (per mode: requests/s, wire calls/s, request and wire-call
 * p50/p99 in ms, RSS of all processes; plus throughput and memory ratios), or
 * `{ error: RunError }` with 400 (bad body), 422 (the design cannot run) or 429.
 */
export async function POST(req: Request) {
  const body = await readRunBody(req);
  if (!body.ok) return Response.json({ error: body.error.error }, { status: body.error.status });
  const parsed = parseCompareRequest(body.value);
  if (!parsed.ok) return Response.json({ error: parsed.error }, { status: 400 });
  const release = acquireRunSlot();
  if (!release) return Response.json({ error: { kind: "busy", message: "too many runs in progress; try again shortly" } }, { status: 429 });
  try {
    const { topology, input, requests, entryNodeId, limits, request } = parsed.value;
    const r = await compareModes({
      topology,
      input,
      requests,
      ...(entryNodeId !== undefined ? { entryNodeId } : {}),
      ...(limits ? { limits } : {}),
      ...(request ? { request } : {}),
    });
    return r.ok ? Response.json(r.value) : Response.json({ error: r.error }, { status: 422 });
  } finally {
    release();
  }
}
