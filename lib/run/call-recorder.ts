// Call recording of one host: every call across a wire is timed, attributed to
// the node it ran in (self time = total minus the calls it made), checked
// against the run's limits and, when recording, reported as a CallEvent.
import { previewValue, valueSize } from "./codec";
import { errorMessage, hasPayload, RunStop } from "./host-types";
import type { CallEvent, NodeSummary, RunEvent, RunLimits } from "./types";

/** Most call events one host reports in a run. */
export const MAX_CALL_EVENTS = 2000;

interface Frame {
  nodeId: string;
  childMs: number;
}

export interface RecordedCall {
  from: string | null;
  to: string;
  linkId: string | null;
  iface: string;
  fn: string;
  args: unknown[];
  /** The call came from another host (its caller timed the wire already). */
  inbound?: boolean;
}

/** One wire's time, summed over its calls, as each end of it saw it. */
export interface LinkTiming {
  linkId: string;
  from: string;
  to: string;
  calls: number;
  /** The callers' view: from the call leaving the caller to its answer. */
  callerMs: number;
  /** The callees' view: inside the callee (its own work and the calls it made). */
  calleeMs: number;
}

/** Where a host's time went since the counters were last reset. */
export interface HostTiming {
  links: LinkTiming[];
  /** The recorder's own bookkeeping (timing, limit checks, call events). */
  recordingMs: number;
  /** Of which outside any node (around the run's input calls). */
  recordingTopMs: number;
  /** Getting the run's inputs to their entry and the answers back, outside the entry's call. */
  ingressMs: number;
}

export interface RecorderOptions {
  runStart: number;
  limits: RunLimits;
  /** Report each call with its values (off when benchmarking). */
  record: boolean;
}

export class CallRecorder {
  readonly summaries = new Map<string, NodeSummary>();
  /** Latency (ms) of every call across a wire made from this host (local calls, or HTTP round trips). */
  readonly wireLatencies: number[] = [];
  readonly #stack: Frame[] = [];
  /** Linear memories per node with their size when last looked at; `#memoryTotal` is their sum. */
  readonly #memories = new Map<string, Array<{ memory: WebAssembly.Memory; size: number }>>();
  #memoryTotal = 0;
  readonly #links = new Map<string, LinkTiming>();
  #recordingMs = 0;
  #recordingTopMs = 0;
  #ingressMs = 0;
  /** Time of top-level calls (the run's inputs) with their bookkeeping; the ingress is what surrounds them. */
  #topMs = 0;
  #seq = 0;
  #events = 0;
  #outputBytes = 0;
  #outputCut = false;

  constructor(
    readonly opts: RecorderOptions,
    readonly emit: (e: RunEvent) => void,
  ) {}

  now(): number {
    return Date.now() - this.opts.runStart;
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  summary(id: string): NodeSummary {
    let s = this.summaries.get(id);
    if (!s) {
      s = { nodeId: id, calls: 0, totalMs: 0, selfMs: 0 };
      this.summaries.set(id, s);
    }
    return s;
  }

  /** A linear memory of `nodeId`, counted against the memory limit. */
  watchMemory(nodeId: string, memory: WebAssembly.Memory): void {
    const list = this.#memories.get(nodeId) ?? [];
    const size = memory.buffer.byteLength;
    list.push({ memory, size });
    this.#memories.set(nodeId, list);
    this.#memoryTotal += size;
  }

  /** The member running inside a composed unit, when one is (set by its wire tap): the caller of what it calls out of the unit. */
  innerFrame?: () => { nodeId: string; childMs: number } | undefined;

  /** The node running now (innermost call), if any. */
  get current(): string | null {
    return this.innerFrame?.()?.nodeId ?? this.#stack.at(-1)?.nodeId ?? null;
  }

  /** Runs `thunk` as time spent in `nodeId`; returns its result, its duration and the time its callees took. */
  within<T>(nodeId: string, thunk: () => T): { value?: T; thrown?: unknown; failed: boolean; ms: number; childMs: number } {
    const frame: Frame = { nodeId, childMs: 0 };
    // Inside a composed unit the caller is the member running there (its wire tap's frame), not the unit.
    const parent = this.innerFrame?.() ?? this.#stack.at(-1);
    this.#stack.push(frame);
    const t0 = performance.now();
    let value: T | undefined;
    let thrown: unknown;
    let failed = false;
    try {
      value = thunk();
    } catch (e) {
      failed = true;
      thrown = e;
    }
    const ms = performance.now() - t0;
    this.#stack.pop();
    if (parent) parent.childMs += ms;
    return failed ? { thrown, failed, ms, childMs: frame.childMs } : { value: value as T, failed, ms, childMs: frame.childMs };
  }

  #link(linkId: string, from: string, to: string): LinkTiming {
    let l = this.#links.get(linkId);
    if (!l) {
      l = { linkId, from, to, calls: 0, callerMs: 0, calleeMs: 0 };
      this.#links.set(linkId, l);
    }
    return l;
  }

  /** A wire call that left this host (an HTTP round trip): the caller's time, not its own. */
  remoteCallTook(ms: number, call?: { linkId: string | null; from: string | null; to: string }): void {
    this.wireLatencies.push(ms);
    const top = this.#stack.at(-1);
    if (top) top.childMs += ms;
    if (call?.linkId && call.from !== null) {
      const l = this.#link(call.linkId, call.from, call.to);
      l.calls++;
      l.callerMs += ms;
    }
  }

  /**
   * A call across a wire inside a composed component (timed by its wire tap):
   * counted as a direct call is; an outermost one is a callee of the node running now.
   */
  innerCallTook(call: { from: string; to: string; linkId: string | null }, ms: number, childMs: number, outermost: boolean): void {
    this.wireLatencies.push(ms);
    if (outermost) {
      const top = this.#stack.at(-1);
      if (top) top.childMs += ms;
    }
    const s = this.summary(call.to);
    s.calls++;
    s.totalMs += ms;
    s.selfMs += ms - childMs;
    if (call.linkId) {
      const l = this.#link(call.linkId, call.from, call.to);
      l.calls++;
      l.callerMs += ms;
      l.calleeMs += ms;
    }
  }

  /** Where the time went since the last reset (summaries are reset too). */
  timing(): HostTiming {
    return { links: [...this.#links.values()].map((l) => ({ ...l })), recordingMs: this.#recordingMs, recordingTopMs: this.#recordingTopMs, ingressMs: this.#ingressMs };
  }

  /** Starts counting afresh (after a warm-up): summaries, wire latencies, link and recording times. */
  resetCounters(): void {
    for (const s of this.summaries.values()) Object.assign(s, { calls: 0, totalMs: 0, selfMs: 0 });
    this.wireLatencies.length = 0;
    this.#links.clear();
    this.#recordingMs = 0;
    this.#recordingTopMs = 0;
    this.#ingressMs = 0;
  }

  /**
   * Runs `f` as the ingress of one input (from outside the graph): its time
   * outside the top-level calls it makes is the ingress's.
   */
  ingress<T>(f: () => T): T {
    const t0 = performance.now();
    const top0 = this.#topMs;
    try {
      return f();
    } finally {
      this.#ingressMs += performance.now() - t0 - (this.#topMs - top0);
    }
  }

  /** A top-level call timed by its caller (the HTTP ingress's handler). */
  topLevelTook(ms: number): void {
    this.#topMs += ms;
  }

  /**
   * After a call into `nodeId`: over the limit, a stop naming the node holding
   * the most memory. Only that node's memories can have grown during the call
   * (its callees were checked when they returned), so only they are looked at.
   */
  checkMemory(nodeId: string): RunStop | undefined {
    for (const m of this.#memories.get(nodeId) ?? []) {
      const size = m.memory.buffer.byteLength;
      this.#memoryTotal += size - m.size;
      m.size = size;
    }
    const total = this.#memoryTotal;
    if (total <= this.opts.limits.memoryBytes) return undefined;
    let biggest = nodeId;
    let most = -1;
    for (const [id, list] of this.#memories) {
      const held = list.reduce((a, m) => a + m.size, 0);
      if (held > most) [biggest, most] = [id, held];
    }
    return new RunStop({
      kind: "memory-limit",
      message: `component memory reached ${(total / 2 ** 20).toFixed(1)} MiB (most of it in '${biggest}'), over the limit of ${(this.opts.limits.memoryBytes / 2 ** 20).toFixed(1)} MiB`,
      nodeId: biggest,
    });
  }

  /**
   * Output a component wrote (WASI stdout/stderr reach process.stdout/stderr
   * through the preview2 shim), attributed to the node running at the time and
   * reported up to the output limit.
   */
  noteOutput(stream: "stdout" | "stderr", chunk: string | Uint8Array): void {
    if (!this.opts.record) return;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = this.opts.limits.outputBytes - this.#outputBytes;
    this.#outputBytes += bytes.length;
    if (room > 0) this.emit({ type: "stdio", at: this.now(), nodeId: this.current, stream, text: bytes.subarray(0, Math.min(room, bytes.length)).toString("utf8") });
    if (room < bytes.length && !this.#outputCut) {
      this.#outputCut = true;
      this.emit({ type: "stdio", at: this.now(), nodeId: null, stream: "stderr", text: `[trellis] output beyond ${this.opts.limits.outputBytes} bytes is not shown\n` });
    }
  }

  /** Call events are capped per host (a runaway loop of calls must not flood the server); summaries keep counting. */
  eventBudget(): boolean {
    if (!this.opts.record) return false;
    this.#events++;
    if (this.#events <= MAX_CALL_EVENTS) return true;
    if (this.#events === MAX_CALL_EVENTS + 1)
      this.emit({ type: "stdio", at: this.now(), nodeId: null, stream: "stderr", text: `[trellis] more than ${MAX_CALL_EVENTS} calls: further calls are counted, not reported one by one\n` });
    return false;
  }

  /** Times `thunk` as a call into `call.to`, checks the limits, reports it; rethrows refusals and stops. */
  record(call: RecordedCall, thunk: () => unknown): unknown {
    const enter = performance.now();
    const parent = this.innerFrame?.() ?? this.#stack.at(-1);
    const seq = this.nextSeq();
    const at = this.now();
    const before = performance.now() - enter;
    const r = this.within(call.to, thunk);
    const resumed = performance.now();
    if (call.from !== null) {
      if (!call.inbound) this.wireLatencies.push(r.ms);
      if (call.linkId) {
        const l = this.#link(call.linkId, call.from, call.to);
        l.calleeMs += r.ms;
        if (!call.inbound) {
          l.calls++;
          l.callerMs += r.ms; // a direct call: both ends see the same interval
        }
      }
    }

    let stop: RunStop | undefined;
    let refused = false;
    if (r.failed) {
      if (r.thrown instanceof RunStop) stop = r.thrown;
      else if (hasPayload(r.thrown)) refused = true;
      // A trap with memory over the limit is most likely an allocation that hit V8's page cap.
      else stop = this.checkMemory(call.to) ?? new RunStop({ kind: "trap", message: `'${call.to}' trapped in ${call.iface}.${call.fn}: ${errorMessage(r.thrown)}`, nodeId: call.to });
    } else {
      const size = valueSize(r.value);
      if (size > this.opts.limits.outputBytes)
        stop = new RunStop({
          kind: "output-limit",
          message: `${call.iface}.${call.fn} of '${call.to}' returned ${size} bytes, over the limit of ${this.opts.limits.outputBytes}`,
          nodeId: call.to,
        });
      stop ??= this.checkMemory(call.to);
    }

    const s = this.summary(call.to);
    s.calls++;
    s.totalMs += r.ms;
    s.selfMs += r.ms - r.childMs;
    if (this.eventBudget()) {
      const args = call.args.map((a) => previewValue(a));
      s.lastInput = args;
      const ev: CallEvent = { type: "call", seq, at, from: call.from, to: call.to, linkId: call.linkId, interface: call.iface, function: call.fn, args, durationMs: r.ms };
      if (stop) {
        ev.error = stop.message;
        if (stop.error.nodeId === call.to) s.error = stop.message;
      } else if (refused) {
        ev.refused = previewValue((r.thrown as { payload: unknown }).payload);
        s.lastRefusal = ev.refused;
      } else {
        ev.result = previewValue(r.value);
        s.lastOutput = ev.result;
      }
      this.emit(ev);
    }
    // The bookkeeping around the call is the recorder's, not the caller's own work.
    const overhead = before + (performance.now() - resumed);
    if (parent) {
      parent.childMs += overhead;
      this.#recordingMs += overhead;
    } else if (call.from === null) {
      // The run's input: its bookkeeping is the recorder's; the call and it are what the ingress surrounds.
      this.#recordingMs += overhead;
      this.#recordingTopMs += overhead;
      this.#topMs += r.ms + overhead;
    } // else an inbound wire call: its bookkeeping is inside its caller's round trip (the wire's transport)
    if (stop) throw stop;
    if (refused) throw r.thrown;
    return r.value;
  }
}
