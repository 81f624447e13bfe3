// Typed links vs network links, measured in the same run:
// - the 3-stage pipeline of built-ins (http-handler → json-to-csv, → logger),
// - the shipped sample (HTTP ingress → gateway → kv cache → JSON→CSV),
// - pipelines of 3, 10 and 30 stages (relays ending in the tokenizer): how
//   throughput, latency and memory grow with each added stage.
// In-process: one process, components instantiated once and linked by direct
// calls. Network (the baseline): one process per node, each wire an HTTP/1.1
// keep-alive POST over loopback. Requests are driven inside the entry's
// process in both modes, so only the wires differ. Each comparison prints
// where a request's time goes. Every design is also run composed into one
// component (the group's host imports, WASI and key-value, imported by it).
// Sizes: BENCH_PIPELINE_REQUESTS (default 2000).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Topology } from "../lib/graph/types";
import { formatBreakdown } from "../lib/run/breakdown";
import { compareModes, COMPOSED_MODE, NETWORK_BASELINE, type Comparison, type ModeMetrics } from "../lib/run/compare";
import { buildRelay, relayPipeline, relayResolver } from "../lib/run/fixtures/relay";
import { CallRecorder } from "../lib/run/call-recorder";
import { prepareComposed } from "../lib/run/composed-run";
import { findInterface } from "../lib/run/host";
import { prepareRun } from "../lib/run/run";
import { type ComponentResolver } from "../lib/run/resolve";
import { instantiateComponent, transpileCached, WIRE_TAP_IMPORT } from "../lib/run/transpile";
import { WireTap } from "../lib/run/wire-tap";
import { csvPipeline } from "../lib/run/sample-designs";
import type { RunInput } from "../lib/run/types";

const REQUESTS = Number(process.env.BENCH_PIPELINE_REQUESTS ?? 2000);
const STAGES = (process.env.BENCH_PIPELINE_STAGES ?? "3,10,30").split(",").map(Number);
const INPUT = { json: [{ id: 1, city: "Lisbon", temp: 21.5 }, { id: 2, city: "Oslo", temp: 4, note: "snow, light" }, { id: 3, city: "Cairo", temp: 33 }] };

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const us = (ms: number) => (ms * 1000).toFixed(0);

function line(name: string, m: ModeMetrics): string {
  return (
    `${name} ${m.mode.padEnd(10)}: ${m.requests} requests in ${(m.elapsedMs / 1000).toFixed(2)} s = ${m.requestsPerSecond.toFixed(0)} req/s ` +
    `(${m.wireCallsPerSecond.toFixed(0)} wire calls/s); request p50/p99 ${us(m.request.p50)}/${us(m.request.p99)} µs; ` +
    `wire call p50/p99 ${us(m.wire.p50)}/${us(m.wire.p99)} µs; CPU ${us(m.cpuMsPerRequest)} µs/request; RSS ${mib(m.rssBytes)} MiB in ${m.processes} process${m.processes > 1 ? "es" : ""}; ` +
    `after ${m.warmup.requests} warm-up requests (${m.warmup.ended})`
  );
}

async function compare(topology: Topology, input: RunInput, requests: number, resolve?: ComponentResolver, entryNodeId?: string, composed = false, jcoHostCalls = false): Promise<Comparison> {
  // Each mode warms up until its time per request stops falling (compareModes), as the Run panel's comparison does.
  const r = await compareModes({ topology, input, requests, composed, jcoHostCalls, ...(entryNodeId ? { entryNodeId } : {}) }, resolve ? { resolve } : {});
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function report(name: string, c: Comparison): string[] {
  return [
    line(name, c.inProcess),
    ...formatBreakdown(c.inProcess.breakdown).map((l) => `    ${l}`),
    line(name, c.network),
    ...formatBreakdown(c.network.breakdown).map((l) => `    ${l}`),
    ...(c.composed ? [line(name, c.composed), ...formatBreakdown(c.composed.breakdown).map((l) => `    ${l}`)] : []),
    `${name} typed vs network links: throughput ×${c.throughputRatio.toFixed(1)}, p50 latency ×${(c.network.request.p50 / c.inProcess.request.p50).toFixed(1)}, ` +
      `CPU per request ×${c.cpuRatio.toFixed(1)}, memory ×${c.memoryRatio.toFixed(1)}` +
      (c.composed
        ? `; composed vs network: throughput ×${c.composedThroughputRatio!.toFixed(1)}, p50 latency ×${(c.network.request.p50 / c.composed.request.p50).toFixed(1)}, ` +
          `CPU per request ×${(c.network.cpuMsPerRequest / c.composed.cpuMsPerRequest).toFixed(1)}, memory ×${(c.network.rssBytes / c.composed.rssBytes).toFixed(1)}`
        : ""),
    // The same design with its sync host calls on jco's own lowering (a task and a subtask each), measured in this run.
    ...(c.jcoHostCalls
      ? [
          line(`${name} (jco host calls)`, c.jcoHostCalls.inProcess),
          ...(c.jcoHostCalls.composed ? [line(`${name} (jco host calls)`, c.jcoHostCalls.composed)] : []),
          `${name} lean host calls vs jco's lowering (same run): ` +
            [[c.inProcess, c.jcoHostCalls.inProcess] as const, ...(c.composed && c.jcoHostCalls.composed ? [[c.composed, c.jcoHostCalls.composed] as const] : [])]
              .map(
                ([lean, jco]) =>
                  `${lean.mode} vs network throughput ×${(lean.requestsPerSecond / c.network.requestsPerSecond).toFixed(1)} (jco's ×${(jco.requestsPerSecond / c.network.requestsPerSecond).toFixed(1)}), ` +
                  `CPU ×${(c.network.cpuMsPerRequest / lean.cpuMsPerRequest).toFixed(1)} (jco's ×${(c.network.cpuMsPerRequest / jco.cpuMsPerRequest).toFixed(1)}), ` +
                  `CPU per request ${us(lean.cpuMsPerRequest)} µs (jco's ${us(jco.cpuMsPerRequest)} µs)`,
              )
              .join("; "),
        ]
      : []),
  ];
}

/**
 * The composed link alone: a composed chain instantiated in this process (with its wire tap, as runs
 * have it) and called directly, no run engine around it; the cost of one more stage is one more wire
 * call and one more relay's own work (copying the bytes through).
 */
async function composedHop(resolve: ComponentResolver, stages: number, calls: number): Promise<{ cpuUs: number; wallUs: number }> {
  const topology = relayPipeline(stages);
  const prepared = await prepareRun(topology, "relay-1", { resolve });
  if (!prepared.ok) throw new Error(prepared.error.message);
  const unit = await prepareComposed(prepared.value, topology, resolve);
  if (!unit.ok) throw new Error(unit.error.message);
  const id = unit.value.plan.order[0]!;
  const t = unit.value.transpiled.get(id) ?? (await transpileCached(readFileSync(unit.value.pendingComponents.get(id)!), unit.value.cacheDir));
  const rec = new CallRecorder({ runStart: Date.now(), limits: { timeMs: 1e9, memoryBytes: 2 ** 31, outputBytes: 2 ** 26 }, record: false }, () => {});
  const tap = WireTap.create(rec, id, unit.value.composed!, readFileSync(t.jsFile, "utf8"));
  const stage = findInterface(await instantiateComponent(t, tap ? { [WIRE_TAP_IMPORT]: tap } : {}, undefined, `hop-${stages}`), "trellis:pipeline/stage") as {
    process: (b: Uint8Array) => Uint8Array;
  };
  const input = new TextEncoder().encode("typed links cost a function call; network links cost a round trip");
  for (let i = 0; i < calls / 2; i++) stage.process(input);
  rec.resetCounters();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) stage.process(input);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { cpuUs: (cpu.user + cpu.system) / calls, wallUs: (wall * 1000) / calls };
}

export async function runPipelineBench(): Promise<string[]> {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  const out = [`baseline (network mode): ${NETWORK_BASELINE}`, `composed: ${COMPOSED_MODE}`];
  // The logger's WASI and the sample's wasi:http and key-value store become imports of the composed component.
  out.push(...report("3-stage built-ins", await compare(csvPipeline(), INPUT, REQUESTS, undefined, undefined, true, true)));
  const sample = JSON.parse(readFileSync("examples/sample-csv-over-http.json", "utf8")) as { topology: Topology };
  out.push(...report("sample", await compare(sample.topology, { json: [{ order: 1, item: "tea" }] }, Math.ceil(REQUESTS / 2), undefined, undefined, true, true)));

  // How cost grows: the same chain at several lengths, each in both modes.
  const resolve = relayResolver(await buildRelay());
  const words = { text: "typed links cost a function call; network links cost a round trip" };
  const rows: Array<{ stages: number; c: Comparison }> = [];
  for (const stages of STAGES) {
    // Longer network chains are slow per request: fewer requests keep the run short.
    const n = Math.max(100, Math.floor((REQUESTS * 3) / Math.max(3, stages)));
    const c = await compare(relayPipeline(stages), words, n, resolve, "relay-1", true);
    rows.push({ stages, c });
    out.push(...report(`${stages}-stage chain`, c));
  }
  const calls = Number(process.env.BENCH_HOP_CALLS ?? 20000);
  const h3 = await composedHop(resolve, 3, calls);
  const h30 = await composedHop(resolve, 30, Math.ceil(calls / 5));
  out.push(
    `composed link alone (chain called directly in this process, ${calls} calls): 3 stages ${h3.cpuUs.toFixed(2)} µs CPU (${h3.wallUs.toFixed(2)} µs wall) per call, ` +
      `30 stages ${h30.cpuUs.toFixed(2)} µs CPU (${h30.wallUs.toFixed(2)} µs wall); one added stage (a wire call and a relay copying the bytes through): ` +
      `${((h30.cpuUs - h3.cpuUs) / 27).toFixed(2)} µs CPU, ${((h30.wallUs - h3.wallUs) / 27).toFixed(2)} µs wall`,
  );
  out.push("", "how cost grows (relay chains ending in the tokenizer; composed: the chain as one component):");
  out.push(
    "stages | in-process req/s  p50/p99 µs      RSS MiB | network req/s  p50/p99 µs        RSS MiB (procs) | throughput ×  CPU ×  memory × | composed req/s  p50/p99 µs  throughput ×  CPU ×",
  );
  for (const { stages, c } of rows) {
    const i = c.inProcess;
    const n = c.network;
    out.push(
      `${String(stages).padStart(6)} | ${i.requestsPerSecond.toFixed(0).padStart(17)}  ${`${us(i.request.p50)}/${us(i.request.p99)}`.padStart(12)} ${mib(i.rssBytes).padStart(12)} | ` +
        `${n.requestsPerSecond.toFixed(0).padStart(13)}  ${`${us(n.request.p50)}/${us(n.request.p99)}`.padStart(12)} ${`${mib(n.rssBytes)} (${n.processes})`.padStart(19)} | ` +
        `${c.throughputRatio.toFixed(1).padStart(12)}  ${c.cpuRatio.toFixed(1).padStart(5)}  ${c.memoryRatio.toFixed(1).padStart(8)} | ` +
        (c.composed
          ? `${c.composed.requestsPerSecond.toFixed(0).padStart(14)}  ${`${us(c.composed.request.p50)}/${us(c.composed.request.p99)}`.padStart(10)}  ${c.composedThroughputRatio!.toFixed(1).padStart(12)}  ${(c.network.cpuMsPerRequest / c.composed.cpuMsPerRequest).toFixed(1).padStart(5)}`
          : "-"),
    );
  }
  if (rows.length >= 2) {
    const a = rows[0]!;
    const b = rows.at(-1)!;
    const added = b.stages - a.stages;
    const perIn = (b.c.inProcess.rssBytes - a.c.inProcess.rssBytes) / added;
    const perNet = (b.c.network.rssBytes - a.c.network.rssBytes) / added;
    const latIn = (b.c.inProcess.request.p50 - a.c.inProcess.request.p50) / added;
    const latNet = (b.c.network.request.p50 - a.c.network.request.p50) / added;
    out.push(
      `per added stage (${a.stages} → ${b.stages}): memory in-process ${mib(perIn)} MiB, network ${mib(perNet)} MiB (${perIn > 0 ? `×${(perNet / perIn).toFixed(1)} smaller in-process` : "in-process growth below the RSS noise"}); ` +
        `request p50 in-process +${(latIn * 1000).toFixed(2)} µs, network +${us(latNet)} µs`,
    );
    const ca = a.c.composed;
    const cb = b.c.composed;
    if (ca && cb) {
      // One added stage is one more link and one more relay: the cost of a composed wire call, the relay's own work included.
      const cpuIn = (b.c.inProcess.cpuMsPerRequest - a.c.inProcess.cpuMsPerRequest) / added;
      const cpuNet = (b.c.network.cpuMsPerRequest - a.c.network.cpuMsPerRequest) / added;
      const cpuC = (cb.cpuMsPerRequest - ca.cpuMsPerRequest) / added;
      out.push(
        `per added stage, composed: memory ${mib((cb.rssBytes - ca.rssBytes) / added)} MiB, request p50 +${((cb.request.p50 - ca.request.p50) / added * 1000).toFixed(2)} µs; ` +
          `CPU per request +${(cpuC * 1000).toFixed(2)} µs composed, +${(cpuIn * 1000).toFixed(2)} µs JS-linked, +${(cpuNet * 1000).toFixed(0)} µs network (×${(cpuNet / cpuC).toFixed(0)} composed)`,
      );
    }
  }
  return out;
}

if (process.argv[1]?.endsWith("pipeline.ts")) {
  runPipelineBench().then(
    (lines) => console.log(lines.join("\n")),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
