import { compareModes } from "@/lib/run/compare";
import { acquireRunSlot, MAX_RUN_BODY_BYTES, parseCompareRequest } from "@/lib/run/request";
import { route } from "@/lib/server/edge";
import { apiError, errorResponse } from "@/lib/server/errors";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Both run modes side by side on the same design and input, each measured after
 * a warm-up that runs until its time per request stops falling. Body: `{ design,
 * input, requests?: 1..20000 (default 500), entryNodeId?, limits?, request? }`. Answer:
 * `Comparison` (per mode: requests/s, wire calls/s, request and wire-call
 * p50/p99 in ms, RSS of all processes; plus throughput and memory ratios; the
 * in-process side is the group composed into one component where it composes,
 * else the JS-linked mode with `inProcessFallback` saying why), or
 * `{ error: RunError }` with 400 (bad body), 422 (the design cannot run) or 429.
 */
export const POST = route({ body: { json: { limit: MAX_RUN_BODY_BYTES } } }, async ({ body }) => {
  const parsed = parseCompareRequest(body);
  if (!parsed.ok) return errorResponse(parsed.error, 400);
  const release = acquireRunSlot();
  if (!release) return errorResponse(apiError("busy", "too many runs in progress; try again shortly"));
  try {
    const { topology, input, requests, entryNodeId, limits, request } = parsed.value;
    const r = await compareModes({
      topology,
      input,
      requests,
      // The typed side is what deploys: the group composed into one component, where it composes.
      preferComposed: true,
      ...(entryNodeId !== undefined ? { entryNodeId } : {}),
      ...(limits ? { limits } : {}),
      ...(request ? { request } : {}),
    });
    return r.ok ? Response.json(r.value) : errorResponse(r.error, 422);
  } finally {
    release();
  }
});
