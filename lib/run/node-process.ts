// Child-process entry of a run: hosts some nodes of the graph (all of them in
// in-process mode, one in network mode) and obeys the parent over IPC.
import { decodeValue, encodeValue } from "./codec";
import { GraphHost, RunStop } from "./host";
import type { HttpInput } from "./http-ingress";
import type { ChildMessage, ParentMessage } from "./protocol";
import { latencyStats } from "./stats";
import type { RunEvent } from "./types";

// Events go up in batches: one IPC message per call would cost more than the call itself when a
// run makes many; a batch leaves when the current task ends, and always before any other message.
let batch: RunEvent[] = [];
let flushQueued = false;
const flush = () => {
  flushQueued = false;
  if (batch.length === 0) return;
  const events = batch;
  batch = [];
  process.send?.({ type: "events", events } satisfies ChildMessage);
};
const report = (e: RunEvent) => {
  batch.push(e);
  if (batch.length >= 256) flush();
  else if (!flushQueued) {
    flushQueued = true;
    setImmediate(flush);
  }
};
const send = (m: ChildMessage) => {
  flush();
  process.send?.(m);
};

function main(): void {
  let host: GraphHost | undefined;
  let cpuSince = process.cpuUsage();
  // Component output goes to the node that wrote it (the pipes only carry what Node itself prints).
  for (const stream of ["stdout", "stderr"] as const) {
    const target = process[stream];
    const original = target.write.bind(target);
    target.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (!host) return original(chunk as string, ...(rest as []));
      host.noteOutput(stream, chunk);
      const cb = rest.find((x) => typeof x === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof target.write;
  }
  process.on("message", (m: ParentMessage) => {
    void (async () => {
      switch (m.type) {
        case "start":
          try {
            host = await GraphHost.create(m.spec, report);
            send({ type: "ready", ...(m.listen ? { port: await host.serve() } : {}) });
          } catch (e) {
            send({ type: "failed", error: e instanceof RunStop ? e.error : { kind: "instantiate-failed", message: String((e as Error)?.message ?? e) } });
          }
          return;
        case "call": {
          const r = m.req.interface.startsWith("wasi:http/incoming-handler") ? host!.invokeHttp(m.req) : host!.invoke(m.req);
          // Structured clone carries the value as is (Uint8Array, bigint); encode only what clone cannot.
          send({ type: "result", id: m.id, outcome: { ...r, value: r.value === undefined ? undefined : encodeValue(r.value), refused: r.refused === undefined ? undefined : encodeValue(r.refused) } });
          return;
        }
        case "drive": {
          const lat: number[] = [];
          let sumMs = 0;
          let errors = 0;
          let firstError;
          const http = m.req.interface.startsWith("wasi:http/incoming-handler");
          // The same request every time: decoded once, as an ingress parses a request once (components get copies of its bytes).
          const args = m.req.args.map(decodeValue);
          const limit = host!.spec.limits.timeMs;
          const t0 = performance.now();
          for (let i = 0; i < m.n; i++) {
            if (performance.now() - t0 > limit) {
              errors++;
              firstError ??= { kind: "time-limit" as const, message: `stopped after ${i} requests: the time limit of ${limit} ms was reached` };
              break;
            }
            const s = performance.now();
            const r = http ? host!.invokeHttp(m.req, args[0] as HttpInput) : host!.invoke(m.req, false, args);
            const took = performance.now() - s;
            lat.push(took);
            sumMs += took;
            if (r.error) {
              errors++;
              firstError ??= r.error;
              if (r.error.kind !== "trap") break; // limits and network failures end the drive
            }
          }
          send({ type: "drove", id: m.id, elapsedMs: performance.now() - t0, requests: latencyStats(lat), sumMs, errors, ...(firstError ? { firstError } : {}) });
          return;
        }
        case "reset":
          host?.recorder.resetCounters();
          cpuSince = process.cpuUsage();
          send({ type: "result", id: m.id, outcome: {} });
          return;
        case "stats": {
          const cpu = process.cpuUsage(cpuSince); // before the collection below, which is the measurement's, not the run's
          // Resident memory after a full collection: what the run holds, not garbage not yet collected.
          (globalThis as { gc?: () => void }).gc?.();
          send({
            type: "stats",
            id: m.id,
            summaries: host ? [...host.summaries.values()] : [],
            rssBytes: process.memoryUsage().rss,
            wireLatencies: Float64Array.from(host?.wireLatencies ?? []),
            timing: host?.recorder.timing() ?? { links: [], recordingMs: 0, recordingTopMs: 0, ingressMs: 0 },
            cpuMicros: cpu.user + cpu.system,
          });
          return;
        }
      }
    })();
  });
  process.on("disconnect", () => process.exit(0));
}

// Only as a run process (the session sets the variable): importing this module never hijacks IPC.
if (process.send && process.env.TRELLIS_RUN_CHILD === "1") main();
