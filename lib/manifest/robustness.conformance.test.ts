// Truncated published manifests (../shared/real-world) give a typed error or a partial import, never a crash.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { haveShared, SHARED_DIR } from "../testing/shared-dir";
import { expectTyped } from "./testing/expect-typed";

// describe.skipIf still runs the body to collect tests, so list nothing without ../shared.
const shared = haveShared();

describe.skipIf(!shared)("truncated real-world files", () => {
  const real = ["wasmcloud-v2", "wadm", "k8s", "compose", "spinkube"].flatMap((d) => (shared ? readdirSync(join(SHARED_DIR, "real-world", d)).filter((f) => f !== "SOURCES.md") : []).map((f) => join(SHARED_DIR, "real-world", d, f)));
  for (const file of real) {
    it(file.split("/").slice(-2).join("/"), () => {
      const text = readFileSync(file, "utf8");
      for (let i = 1; i <= 12; i++) expectTyped(text.slice(0, Math.floor((text.length * i) / 13)));
    });
  }
});
