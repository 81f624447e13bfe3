import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import type { TopologyNode } from "../graph/types";
import { outputText, runDesign } from "./run";
import { uploadResolver } from "./resolve";
import { builtinNode, wire } from "./sample-designs";

// The app's store lives under $TRELLIS_DATA_DIR: point it at a scratch directory for this file.
const data = mkdtempSync(join(tmpdir(), "trellis-upload-run-"));
process.env.TRELLIS_DATA_DIR = data;

beforeAll(() => {
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
}, 180_000);
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe("uploaded components", () => {
  it("an uploaded component runs wired to built-ins, in both modes", async () => {
    const { componentStore } = await import("../components/http");
    const { ingestWasm } = await import("../components/ingest");
    const ingested = await ingestWasm(new Uint8Array(readFileSync("build/builtins/tokenizer.wasm")), "my-tokenizer.wasm");
    if (!ingested.ok) throw new Error(ingested.error.message);
    const up = componentStore().add("my-tokenizer.wasm", ingested.value);
    const mine: TopologyNode = { ...builtinNode("mine", "tokenizer"), config: { source: up.source, wit: up.wit ?? "", world: up.world ?? "", env: [], replicas: 1, exposedPorts: [] } };
    mine.ports = up.ports;
    const topology = { nodes: [builtinNode("api", "http-handler"), mine, builtinNode("log", "logger")], links: [wire("mine", "api", IFACE.stage), wire("log", "api", IFACE.log)] };
    for (const mode of ["in-process", "network"] as const) {
      const r = await runDesign({ topology, input: { text: "up up and away" }, mode }, { cacheDir: join(data, "cache") });
      expect(r.error).toBeUndefined();
      expect(outputText(r)).toBe('[{"token":"up","count":2},{"token":"and","count":1},{"token":"away","count":1}]');
    }
  });

  it("refuses a gone upload and a bare core module with typed errors", async () => {
    const node = (source: string): TopologyNode => ({ ...builtinNode("x", "tokenizer"), config: { source, env: [], replicas: 1, exposedPorts: [] } });
    const store = { get: (id: string) => (id === "c-core" ? { name: "raw.wasm", kind: "core-module" } : undefined), readWasm: () => new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) };
    const resolve = uploadResolver(() => store);
    const gone = await resolve(node("upload:c-0000000000000000"));
    expect(!gone.ok && gone.error.kind).toBe("missing-component");
    const core = await resolve(node("upload:c-core"));
    expect(!core.ok && core.error).toMatchObject({ kind: "unsupported-node", nodeId: "x" });
  });
});
