// Typed links vs network links: the same three-stage pipeline of built-in
// components (http-handler → json-to-csv, → logger), 10,000 requests, first
// with every wire an in-process call (one process), then with every component
// in its own process behind a loopback HTTP endpoint (wires are HTTP calls).
// Requests are driven inside the entry's process in both modes, so only the
// wires differ. Throughput and resident memory are measured in the same run.
import { execFileSync } from "node:child_process";
import { prepareRun } from "../lib/run/run";
import { csvPipeline } from "../lib/run/sample-designs";
import { RunSession, type DriveResult, type SessionStats } from "../lib/run/session";
import { encodeValue } from "../lib/run/codec";
import { entryCall } from "../lib/run/entry";
import type { RunMode } from "../lib/run/types";

const REQUESTS = 10_000;
const WARMUP = 300;
const INPUT = { json: [{ id: 1, city: "Lisbon", temp: 21.5 }, { id: 2, city: "Oslo", temp: 4, note: "snow, light" }, { id: 3, city: "Cairo", temp: 33 }] };

interface Measured {
  mode: RunMode;
  drive: DriveResult;
  stats: SessionStats;
  processes: number;
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const us = (ms: number) => (ms * 1000).toFixed(0);

async function measure(mode: RunMode): Promise<Measured> {
  const prepared = await prepareRun(csvPipeline(), undefined);
  if (!prepared.ok) throw new Error(`pipeline bench: ${prepared.error.message}`);
  const { plan, transpiled } = prepared.value;
  const call = entryCall(plan.entry.entryInterface, INPUT);
  if (!call.ok) throw new Error(call.error.message);
  const started = await RunSession.start(plan, transpiled, {
    mode,
    limits: { timeMs: 15 * 60_000, memoryBytes: 512 * 2 ** 20, outputBytes: 4 * 2 ** 20 },
    record: false,
    runStart: Date.now(),
    onEvent: () => {},
  });
  if (!started.ok) throw new Error(`pipeline bench (${mode}): ${started.error.message}`);
  const session = started.value;
  try {
    const req = { to: plan.entry.nodeId, interface: plan.entry.interface, function: call.value.function, args: call.value.args.map(encodeValue), from: null, linkId: null };
    const warm = await session.drive(WARMUP, req);
    if (warm.errors) throw new Error(`pipeline bench (${mode}): ${warm.firstError?.message}`);
    const drive = await session.drive(REQUESTS, req);
    if (drive.errors) throw new Error(`pipeline bench (${mode}): ${drive.errors} failed requests: ${drive.firstError?.message}`);
    return { mode, drive, stats: await session.stats(), processes: session.processCount };
  } finally {
    await session.close();
  }
}

export async function runPipelineBench(): Promise<string[]> {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  const typed = await measure("in-process");
  const net = await measure("network");
  const line = (m: Measured) => {
    const rps = REQUESTS / (m.drive.elapsedMs / 1000);
    return (
      `pipeline ${m.mode.padEnd(10)}: ${REQUESTS} requests in ${(m.drive.elapsedMs / 1000).toFixed(2)} s = ${rps.toFixed(0)} req/s; ` +
      `request p50/p99 ${us(m.drive.requests.p50)}/${us(m.drive.requests.p99)} µs; wire call p50/p99 ${us(m.stats.wire.p50)}/${us(m.stats.wire.p99)} µs ` +
      `(${m.stats.wire.count} calls); RSS ${mib(m.stats.rssBytes)} MiB in ${m.processes} process${m.processes > 1 ? "es" : ""}`
    );
  };
  const throughput = net.drive.elapsedMs / typed.drive.elapsedMs;
  const memory = net.stats.rssBytes / typed.stats.rssBytes;
  return [line(typed), line(net), `pipeline typed vs network links: throughput ×${throughput.toFixed(1)}, memory ×${memory.toFixed(1)} (3 built-in components, same run)`];
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
