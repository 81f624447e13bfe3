// Export benchmark: a generated 1,000-node, 1,500-wire design (components,
// containers, compiled containers, endpoints) exported to wadm and Kubernetes.
//
//   node --import tsx bench/export.ts
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";
import { exportK8s, exportWadm, parseManifest, validateK8sObjects, validateWadm } from "../lib/manifest/index";
import { generateDesign } from "./design-gen";

export { generateDesign };

function time<T>(runs: number, f: () => T): { median: number; min: number; last: T } {
  const ms: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, min: ms[0]!, last };
}

export async function runExportBench(): Promise<string[]> {
  const doc = generateDesign();
  const lines = [`export bench: ${doc.topology.nodes.length} nodes, ${doc.topology.links.length} wires`];
  const runs = 5;
  const wadm = time(runs, () => exportWadm(doc));
  const wadmErrors = wadm.last.problems.filter((p) => p.severity === "error");
  lines.push(`wadm export: median ${wadm.median.toFixed(1)} ms, min ${wadm.min.toFixed(1)} ms over ${runs} runs; ${wadm.last.files[0]?.content.length ?? 0} bytes, ${wadmErrors.length} blocking problems`);
  if (wadm.last.files[0]) {
    const t0 = performance.now();
    const v = validateWadm(parseAllDocuments(wadm.last.files[0].content)[0]!.toJS());
    lines.push(`wadm parse + schema validation: ${(performance.now() - t0).toFixed(1)} ms (${v.ok ? "valid" : "INVALID"})`);
  }
  const k8s = time(runs, () => exportK8s(doc));
  const k8sErrors = k8s.last.problems.filter((p) => p.severity === "error");
  lines.push(`k8s export (includes schema validation of every object): median ${k8s.median.toFixed(1)} ms, min ${k8s.min.toFixed(1)} ms over ${runs} runs; ${k8s.last.files[0]?.content.length ?? 0} bytes, ${k8sErrors.length} blocking problems`);
  if (k8s.last.files[0]) {
    const objects = parseAllDocuments(k8s.last.files[0].content).map((d) => d.toJS() as unknown);
    const v = validateK8sObjects(objects);
    lines.push(`k8s objects: ${objects.length} (${v.ok ? "all valid" : "INVALID"})`);
    const back = time(3, () => parseManifest(k8s.last.files[0]!.content));
    const t = back.last.ok ? back.last.value.design.topology : undefined;
    lines.push(`import of that kubernetes.yaml: median ${back.median.toFixed(1)} ms over 3 runs; ${t ? `${t.nodes.length} nodes, ${t.links.length} wires` : "FAILED"}`);
  }
  if (wadm.last.files[0]) {
    const back = time(3, () => parseManifest(wadm.last.files[0]!.content));
    const t = back.last.ok ? back.last.value.design.topology : undefined;
    lines.push(`import of that wadm.yaml: median ${back.median.toFixed(1)} ms over 3 runs; ${t ? `${t.nodes.length} nodes, ${t.links.length} wires` : "FAILED"}`);
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const l of await runExportBench()) console.log(l);
}
