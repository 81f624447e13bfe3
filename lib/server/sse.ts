// The one Server-Sent Events writer: frames events, sends keep-alive
// comments, and runs the caller's clean-up exactly once, whether the stream
// ends by the caller, by the client going away, or by a cancel.

export interface SseChannel {
  /** One event; `id` sets the event id (for Last-Event-ID on reconnect). Ignored once closed. */
  send(event: string, data: unknown, id?: number): void;
  close(): void;
  readonly closed: boolean;
}

export interface SseOptions {
  /** Keep-alive comment interval; 0 for none. */
  heartbeatMs?: number;
  /** Reconnect delay announced to EventSource clients. */
  retryMs?: number;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/** `start` runs at once with the channel and may return a clean-up function. */
export function sseResponse(req: Request, start: (ch: SseChannel) => (() => void) | void, o: SseOptions = {}): Response {
  const enc = new TextEncoder();
  let closed = false;
  let cleanup: (() => void) | undefined;
  let hb: ReturnType<typeof setInterval> | undefined;
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const finish = () => {
    if (hb) clearInterval(hb);
    const c = cleanup;
    cleanup = undefined;
    c?.();
  };
  const write = (text: string) => {
    if (closed || !ctrl) return;
    try {
      ctrl.enqueue(enc.encode(text));
    } catch {
      // the client went away between the check and the write
    }
  };
  const ch: SseChannel = {
    send(event, data, id) {
      write(`${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (closed) return;
      closed = true;
      finish();
      try {
        ctrl?.close();
      } catch {
        // already closed by a disconnect
      }
    },
    get closed() {
      return closed;
    },
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      ctrl = controller;
      if (o.retryMs !== undefined) write(`retry: ${o.retryMs}\n\n`);
      const heartbeat = o.heartbeatMs ?? 15_000;
      if (heartbeat > 0) {
        hb = setInterval(() => write(": keep-alive\n\n"), heartbeat);
        hb.unref?.();
      }
      req.signal?.addEventListener("abort", () => ch.close());
      const c = start(ch);
      if (c) {
        cleanup = c;
        if (closed) finish();
      }
    },
    cancel() {
      closed = true;
      finish();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
