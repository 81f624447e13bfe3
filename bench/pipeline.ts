// Typed links vs network links: the three-stage pipeline of built-in
// components (http-handler → json-to-csv, http-handler → logger), 10,000
// requests, with every wire an in-process call (one process), then with every
// component in its own process behind a loopback HTTP endpoint. Requests are
// driven inside the entry's process in both modes, so only the wires differ.
// Throughput and resident memory are measured in the same run.
import { execFileSync } from "node:child_process";
import { compareModes, type ModeMetrics } from "../lib/run/compare";
import { csvPipeline } from "../lib/run/sample-designs";

const REQUESTS = 10_000;
const INPUT = { json: [{ id: 1, city: "Lisbon", temp: 21.5 }, { id: 2, city: "Oslo", temp: 4, note: "snow, light" }, { id: 3, city: "Cairo", temp: 33 }] };

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const us = (ms: number) => (ms * 1000).toFixed(0);

function line(m: ModeMetrics): string {
  return (
    `pipeline ${m.mode.padEnd(10)}: ${m.requests} requests in ${(m.elapsedMs / 1000).toFixed(2)} s = ${m.requestsPerSecond.toFixed(0)} req/s ` +
    `(${m.wireCallsPerSecond.toFixed(0)} wire calls/s); request p50/p99 ${us(m.request.p50)}/${us(m.request.p99)} µs; ` +
    `wire call p50/p99 ${us(m.wire.p50)}/${us(m.wire.p99)} µs; RSS ${mib(m.rssBytes)} MiB in ${m.processes} process${m.processes > 1 ? "es" : ""}`
  );
}

export async function runPipelineBench(): Promise<string[]> {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  const r = await compareModes({ topology: csvPipeline(), input: INPUT, requests: REQUESTS, warmup: 300 });
  if (!r.ok) throw new Error(`pipeline bench: ${r.error.kind}: ${r.error.message}`);
  const c = r.value;
  return [
    line(c.inProcess),
    line(c.network),
    `pipeline typed vs network links: throughput ×${c.throughputRatio.toFixed(1)}, memory ×${c.memoryRatio.toFixed(1)} (3 built-in components, ${REQUESTS} requests, same run)`,
  ];
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
