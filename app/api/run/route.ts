import { acquireRunSlot, parseRunRequest, readRunBody } from "@/lib/run/request";
import { runDesign } from "@/lib/run/run";
import type { RunEvent } from "@/lib/run/types";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Runs a design. Body: `{ design: DesignDocument, input: {text}|{base64}|{json},
 * mode?: "in-process"|"network", limits?: {timeMs, memoryBytes, outputBytes}, entryNodeId?,
 * request?: { method?, path?, headers? } (HTTP entries; the input is the body) }`.
 * With `Accept: text/event-stream` the answer is SSE: one `event: <type>` per
 * RunEvent as it happens, then `event: result` with the RunResult (without
 * `events`). Otherwise the answer is the RunResult as JSON.
 * 400 for a bad body, 413 over 32 MiB, 429 when the server is already running its maximum of runs.
 */
export async function POST(req: Request) {
  const body = await readRunBody(req);
  if (!body.ok) return Response.json({ error: body.error.error }, { status: body.error.status });
  const parsed = parseRunRequest(body.value);
  if (!parsed.ok) return Response.json({ error: parsed.error }, { status: 400 });
  const release = acquireRunSlot();
  if (!release) return Response.json({ error: { kind: "busy", message: "too many runs in progress; try again shortly" } }, { status: 429 });

  if (!(req.headers.get("accept") ?? "").includes("text/event-stream")) {
    try {
      return Response.json(await runDesign(parsed.value));
    } finally {
      release();
    }
  }

  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) => {
        try {
          controller.enqueue(enc.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          // the client went away; the run still finishes and cleans up
        }
      };
      runDesign(parsed.value, { onEvent: (e: RunEvent) => send(e.type, e) })
        .then(({ events: _events, ...result }) => send("result", result))
        .finally(() => {
          release();
          try {
            controller.close();
          } catch {
            // already closed by a disconnect
          }
        });
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } });
}
