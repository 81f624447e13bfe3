#!/usr/bin/env node
// Builds the app only when its sources changed since the last build, so
// `npm test` right after setup does not build twice.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const roots = ["app", "components", "lib", "examples", "emulator", "public", "proxy.ts", "next.config.js", "package-lock.json", "tsconfig.json"];
const skip = new Set(["node_modules", ".next", "build", "fixtures", "test", ".tmp"]);

function walk(p, out) {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) if (!skip.has(e)) walk(join(p, e), out);
  } else if (!p.endsWith(".test.ts")) out.push(p);
}

export function sourceHash() {
  const files = [];
  for (const r of roots) walk(r, files);
  const h = createHash("sha256");
  for (const f of files) h.update(f).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex");
}

const stamp = ".next/trellis-source-hash";
const hash = sourceHash();
if (existsSync(".next/BUILD_ID") && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) {
  console.log("trellis: production build is up to date");
} else {
  execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  writeFileSync(stamp, hash);
}
