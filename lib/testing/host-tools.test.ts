import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { haveHostTools, missingHostTools } from "./host-tools";

describe("host tools for tests", () => {
  it("names the missing commands and files", () => {
    expect(missingHostTools({ commands: ["sh", "trellis-no-such-tool"], files: ["/", "/no/such/file"] })).toEqual(["trellis-no-such-tool", "/no/such/file"]);
    expect(haveHostTools({ commands: ["sh"] }, "x", { PATH: process.env.PATH })).toBe(true);
  });

  it("skips without CI and fails under CI=true", () => {
    expect(haveHostTools({ commands: ["trellis-no-such-tool"] }, "the suite", { PATH: "/bin" })).toBe(false);
    expect(() => haveHostTools({ commands: ["trellis-no-such-tool"] }, "the suite", { PATH: "/bin", CI: "true" })).toThrow(
      "the suite needs host tools missing under CI=true: trellis-no-such-tool",
    );
  });

  it("makes the differential suite fail (not skip) under CI=true when clang-14 and gcc are not on PATH", () => {
    const empty = mkdtempSync(join(tmpdir(), "trellis-nopath-"));
    try {
      const vitest = join(import.meta.dirname, "..", "..", "node_modules", "vitest", "vitest.mjs");
      const r = spawnSync(process.execPath, [vitest, "run", "emulator/test/differential.test.ts"], {
        cwd: join(import.meta.dirname, "..", ".."),
        env: { ...process.env, PATH: empty, CI: "true" },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("needs host tools missing under CI=true: clang-14, gcc");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("every conditional skip goes through the helper", () => {
  it("test files that skip by condition decide it with haveHostTools (so CI=true fails instead)", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const root = join(import.meta.dirname, "..", "..");
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) {
          if (!["node_modules", ".next", ".git", ".node", "build"].includes(e.name)) walk(join(d, e.name));
        } else if (e.name.endsWith(".test.ts")) files.push(join(d, e.name));
      }
    };
    walk(root);
    const offenders = files.filter((f) => {
      const t = readFileSync(f, "utf8");
      return /\.(skipIf|runIf)\(/.test(t) && !t.includes("haveHostTools") && !t.includes("haveShared");
    });
    expect(offenders.map((f) => f.slice(root.length + 1))).toEqual([]);
  });
});
