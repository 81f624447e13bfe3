import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/trellis.mjs", ...args], { encoding: "utf8" });

describe("trellis validate", () => {
  it("prints a summary and exits 0 for a valid design", () => {
    const r = cli("validate", "examples/thumbnail-service.json");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('valid trellis design v1 "Example: thumbnail service (design only)": 6 nodes');
    expect(r.stdout).toContain("4 wires");
  });

  it("prints every problem with its JSON path and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "trellis-cli-"));
    const d = JSON.parse(readFileSync("examples/thumbnail-service.json", "utf8"));
    d.topology.nodes[0].kind = "vm";
    d.topology.links[1].from.node = "ghost";
    const f = join(dir, "bad.json");
    writeFileSync(f, JSON.stringify(d));
    const r = cli("validate", f);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("/topology/nodes/0/kind: must be one of");
    const notJson = join(dir, "x.json");
    writeFileSync(notJson, "{ nope");
    expect(cli("validate", notJson)).toMatchObject({ status: 1, stderr: expect.stringContaining("not JSON") });
  });

  it("--help lists commands", () => {
    const out = execFileSync(process.execPath, ["bin/trellis.mjs", "--help"], { encoding: "utf8" });
    expect(out).toContain("validate");
  });
});
