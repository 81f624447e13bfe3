// An untrusted uploaded component that tries to open an outgoing TCP connection (lib/run/fixtures/dialer.c,
// a real component calling wasi:sockets through the canonical ABI) is refused in a real run, in both modes:
// the guest itself receives access-denied, and the run shows the refusal on its node.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IFACE } from "../builtins/catalog";
import type { TopologyNode } from "../graph/types";
import { haveHostTools } from "../testing/host-tools";
import { outputText, runDesign } from "./run";
import { buildDialer } from "./fixtures/dialer";
import { builtinNode, wire } from "./sample-designs";

const tools = haveHostTools({ commands: ["clang-14"] }, "the network-denial run suite");
const data = mkdtempSync(join(tmpdir(), "trellis-net-denied-"));
process.env.TRELLIS_DATA_DIR = data;

let dialer: TopologyNode;
beforeAll(async () => {
  if (!tools) return;
  execFileSync("bash", ["lib/builtins/build.sh"], { stdio: "pipe" });
  const bytes = await buildDialer(data);
  // Uploaded like any user's component: ingested, stored, placed from its WIT.
  const { componentStore } = await import("../components/http");
  const { ingestWasm } = await import("../components/ingest");
  const ingested = await ingestWasm(new Uint8Array(bytes), "dialer.wasm");
  if (!ingested.ok) throw new Error(ingested.error.message);
  const up = componentStore().add("dialer.wasm", ingested.value);
  expect(up.wit).toContain("wasi:sockets/tcp-create-socket");
  dialer = { ...builtinNode("dialer", "tokenizer"), name: "dialer", ports: up.ports, config: { source: up.source, wit: up.wit ?? "", world: up.world ?? "", env: [], replicas: 1, exposedPorts: [] } };
}, 180_000);
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe.skipIf(!tools)("an uploaded component that dials out", () => {
  for (const mode of ["in-process", "network"] as const) {
    it(`is refused the network (${mode}), and the refusal shows on its node`, async () => {
      const topology = { nodes: [builtinNode("api", "http-handler"), dialer, builtinNode("log", "logger")], links: [wire("dialer", "api", IFACE.stage), wire("log", "api", IFACE.log)] };
      const r = await runDesign({ topology, input: { text: "call home" }, mode }, { cacheDir: join(data, "cache") });
      expect(r.error).toBeUndefined();
      // The guest got the denial as a WASI error code, and said so.
      expect(outputText(r)).toContain("dialer: refused (access-denied)");
      expect(r.nodes.dialer?.lastRefusal).toBeDefined();
      const refusal = r.events.find((e) => e.type === "call" && e.from === "dialer" && "refused" in e && e.refused !== undefined);
      expect(refusal).toMatchObject({ interface: "wasi:sockets/tcp-create-socket", function: "createTcpSocket" });
    }, 120_000);
  }
});
