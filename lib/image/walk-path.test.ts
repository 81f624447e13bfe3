import { describe, expect, it } from "vitest";
import { walkPath, type WalkEntry } from "./walk-path";

// A tiny rootfs: dirs, files and symlinks by path (no leading slash).
const fs: Record<string, string> = {
  bin: "dir",
  "bin/sh": "file",
  usr: "dir",
  "usr/bin": "dir",
  "usr/bin/python3": "file",
  "usr/bin/python": "link:python3",
  "usr/local": "link:/usr",
  lib: "link:usr/bin",
  loop: "link:loop",
  up: "link:../../../bin",
};
const entry = (p: string): WalkEntry | undefined => {
  const v = fs[p];
  if (v === undefined) return undefined;
  return v.startsWith("link:") ? { type: "symlink", target: () => v.slice(5) } : { type: v };
};

describe("walkPath", () => {
  it("follows relative, absolute and chained symlinks", () => {
    expect(walkPath("usr/bin/python", entry)).toEqual({ ok: true, path: "usr/bin/python3" });
    expect(walkPath("/usr/local/local/bin/python", entry)).toEqual({ ok: true, path: "usr/bin/python3" });
    expect(walkPath("lib/python", entry)).toEqual({ ok: true, path: "usr/bin/python3" });
  });
  it("stops `..` at the rootfs root, also inside a target", () => {
    expect(walkPath("../../bin/./sh", entry)).toEqual({ ok: true, path: "bin/sh" });
    expect(walkPath("up/sh", entry)).toEqual({ ok: true, path: "bin/sh" });
  });
  it("leaves a final symlink alone when asked", () => {
    expect(walkPath("usr/bin/python", entry, false)).toEqual({ ok: true, path: "usr/bin/python" });
    expect(walkPath("lib/python", entry, false)).toEqual({ ok: true, path: "usr/bin/python" });
  });
  it("says where a path is missing or runs through a file, and refuses loops", () => {
    expect(walkPath("usr/nope/x", entry)).toEqual({ ok: false, reason: "missing", at: "usr/nope" });
    expect(walkPath("bin/sh/x", entry)).toEqual({ ok: false, reason: "not-dir", at: "bin/sh" });
    expect(walkPath("loop", entry)).toEqual({ ok: false, reason: "loop" });
  });
});
