// `npm run bench`: every Trellis benchmark in one run. Each section prints its
// figures as ratios against a baseline measured in the same run; a section
// that cannot run says why and the others still run.
import { pathToFileURL } from "node:url";

interface Section {
  name: string;
  module: string;
  fn: string;
}

const SECTIONS: Section[] = [
  { name: "typed links vs network links (3-stage pipeline, the sample, chains of 3/10/30 stages)", module: "./pipeline.ts", fn: "runPipelineBench" },
  { name: "canvas (1,000 nodes, 1,500 edges)", module: "./canvas.ts", fn: "runCanvasBench" },
  { name: "export (wadm + k8s, 1,000 nodes)", module: "./export.ts", fn: "runExportBench" },
  { name: "image unpack + pack (~200 MB, multi-layer gzip)", module: "./image.ts", fn: "runImageBench" },
  { name: "x86-64 core (emulated vs native)", module: "./emulator.ts", fn: "runEmulatorBench" },
  { name: "registry pull (Trellis vs skopeo copy, ~64 MB)", module: "./registry.ts", fn: "runRegistryBench" },
  { name: "published ports (redis through -p vs native redis on loopback)", module: "./net.ts", fn: "runNetBench" },
  { name: "services: nginx small file (native vs through -p vs the run's wasi:http adapter vs the wasi:http component)", module: "./services.ts", fn: "runNginxBench" },
  { name: "services: a compiled container's HTTP client through wasi:http/outgoing-handler (vs the native client on loopback)", module: "./outgoing.ts", fn: "runOutgoingBench" },
  { name: "compile workers (Redis queue, 1 and 2 workers, vs the embedded queue)", module: "./workers.ts", fn: "runWorkersBench" },
];

async function main() {
  const only = process.argv.slice(2);
  let failed = 0;
  for (const s of SECTIONS) {
    if (only.length && !only.some((o) => s.module.includes(o) || s.name.includes(o))) continue;
    console.log(`\n== ${s.name}`);
    const started = Date.now();
    try {
      const mod = (await import(pathToFileURL(new URL(s.module, import.meta.url).pathname).href)) as Record<string, () => Promise<string[]>>;
      const run = mod[s.fn];
      if (!run) throw new Error(`${s.module} does not export ${s.fn}`);
      for (const line of await run()) console.log(line);
    } catch (e) {
      failed++;
      console.log(`  could not run: ${(e as Error).message.split("\n")[0]}`);
    }
    console.log(`  (section took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
