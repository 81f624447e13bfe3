// The `trellis export` and `trellis import` commands, run in-process.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseAllDocuments } from "yaml";
import exportCommand from "../cli/commands/export";
import importCommand from "../cli/commands/import";
import { validateK8sObjects, validateWadm, validateWasmcloudObject } from "./index";

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
let out: string[];
let errOut: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-cli-"));
  out = [];
  errOut = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (errOut.push(String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("trellis import", () => {
  it("writes the design and ends with the summary line", async () => {
    const target = join(dir, "design.json");
    const code = await importCommand.run([join(here, "fixtures/import/compose/todo.compose.yaml"), "-o", target]);
    expect(code).toBe(0);
    const lines = out.join("").trimEnd().split("\n");
    expect(lines[lines.length - 1]).toMatch(/^imported 4 nodes, 2 wires, \d+ skipped$/);
    const skippedCount = Number(/(\d+) skipped$/.exec(lines[lines.length - 1]!)![1]);
    expect(lines.filter((l) => l.startsWith("skipped "))).toHaveLength(skippedCount);
    const doc = JSON.parse(readFileSync(target, "utf8")) as { trellisVersion: number; topology: { nodes: unknown[] } };
    expect(doc.trellisVersion).toBe(1);
    expect(doc.topology.nodes).toHaveLength(4);
  });
  it("a malformed file fails with line and column and writes nothing", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "services:\n  web:\n    image: nginx\n   ports: [80\n");
    const target = join(dir, "design.json");
    expect(await importCommand.run([bad, "-o", target])).toBe(1);
    expect(errOut.join("")).toMatch(/bad\.yaml:\d+:\d+: parse: /);
    expect(existsSync(target)).toBe(false);
  });
  it("a file with no workloads fails, listing what it skipped", async () => {
    const target = join(dir, "design.json");
    const executor = join(dir, "executor.yaml");
    writeFileSync(executor, "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: containerd-shim-spin\nspec:\n  createDeployment: true\n");
    const code = await importCommand.run([executor, "-o", target]);
    expect(code).toBe(1);
    expect(errOut.join("")).toContain("skipped SpinAppExecutor containerd-shim-spin:");
    expect(existsSync(target)).toBe(false);
  });
});

describe("trellis export", () => {
  it("writes validated files for each target", async () => {
    const design = join(here, "fixtures/designs/pipeline.json");
    for (const target of ["wasmcloud", "wadm", "spin", "k8s", "wac"]) {
      expect(await exportCommand.run([design, "--target", target, "-o", join(dir, target)]), target).toBe(0);
    }
    const wadm = parseAllDocuments(readFileSync(join(dir, "wadm/wadm.yaml"), "utf8"))[0]!.toJS() as unknown;
    expect(validateWadm(wadm)).toEqual({ ok: true });
    const wasmcloud = parseAllDocuments(readFileSync(join(dir, "wasmcloud/wasmcloud.yaml"), "utf8")).map((d) => d.toJS() as { kind: string });
    expect(wasmcloud.map((o) => o.kind)).toEqual(["Service", "WorkloadDeployment", "Deployment", "Service"]);
    for (const o of wasmcloud.filter((x) => x.kind === "WorkloadDeployment")) expect(validateWasmcloudObject(o)).toEqual({ ok: true });
    expect(existsSync(join(dir, "spin/spin/order-pipeline/spin.toml"))).toBe(true);
    expect(existsSync(join(dir, "wac/frontend-composed.wac"))).toBe(true);
    expect(out.join("")).toContain("in-process calls: storage → transform (example:pipeline/store@0.1.0); transform → frontend");
  });
  it("blocking problems: exit 1, problems printed, no files", async () => {
    const code = await exportCommand.run([join(here, "fixtures/designs/broken.json"), "--target", "wadm", "-o", join(dir, "x")]);
    expect(code).toBe(1);
    expect(errOut.join("")).toContain("error [missing-image] a: no image reference");
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
  it("import then export: compose → design → Kubernetes", async () => {
    const design = join(dir, "d.json");
    expect(await importCommand.run([join(here, "fixtures/import/compose/queue.compose.yaml"), "-o", design])).toBe(0);
    expect(await exportCommand.run([design, "--target", "k8s", "-o", join(dir, "k8s"), "--namespace", "queue"])).toBe(0);
    const objects = parseAllDocuments(readFileSync(join(dir, "k8s/kubernetes.yaml"), "utf8")).map((d) => d.toJS() as unknown);
    expect(validateK8sObjects(objects)).toEqual({ ok: true });
    expect(JSON.stringify(objects)).toContain("rabbitmq.queue.svc.cluster.local:5672");
  });
  it("usage errors exit 2", async () => {
    expect(await exportCommand.run(["x.json", "--target", "helm", "-o", dir])).toBe(2);
    expect(await exportCommand.run(["x.json"])).toBe(2);
    expect(await importCommand.run(["x.yaml"])).toBe(2);
  });
});
