import { acquireRunSlot, MAX_RUN_BODY_BYTES, parseRunRequest } from "@/lib/run/request";
import { runDesign } from "@/lib/run/run";
import type { RunEvent } from "@/lib/run/types";
import { route } from "@/lib/server/edge";
import { apiError, errorResponse } from "@/lib/server/errors";
import { sseResponse } from "@/lib/server/sse";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Runs a design. Body: `{ design: DesignDocument, input: {text}|{base64}|{json},
 * mode?: "in-process"|"network", composed?: boolean (in-process only: the connected components run
 * as one composed component, as the WAC export deploys them), limits?: {timeMs, memoryBytes, outputBytes}, entryNodeId?,
 * request?: { method?, path?, headers? } (HTTP entries; the input is the body) }`.
 * With `Accept: text/event-stream` the answer is SSE: one `event: <type>` per
 * RunEvent as it happens, then `event: result` with the RunResult (without
 * `events`). Otherwise the answer is the RunResult as JSON.
 * 400 for a bad body, 413 over 32 MiB, 429 when the server is already running its maximum of runs.
 */
export const POST = route({ body: { json: { limit: MAX_RUN_BODY_BYTES } } }, async ({ req, body }) => {
  const parsed = parseRunRequest(body);
  if (!parsed.ok) return errorResponse(parsed.error, 400);
  const release = acquireRunSlot();
  if (!release) return errorResponse(apiError("busy", "too many runs in progress; try again shortly"));

  if (!(req.headers.get("accept") ?? "").includes("text/event-stream")) {
    try {
      return Response.json(await runDesign(parsed.value));
    } finally {
      release();
    }
  }
  // The run finishes and cleans up even when the client goes away.
  return sseResponse(
    req,
    (ch) => {
      runDesign(parsed.value, { onEvent: (e: RunEvent) => ch.send(e.type, e) })
        .then(({ events: _events, ...result }) => ch.send("result", result))
        .finally(() => {
          release();
          ch.close();
        });
    },
    { heartbeatMs: 0 },
  );
});
