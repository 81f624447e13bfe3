// Resolves a path inside a rootfs the way the kernel walks it: component by
// component, following symlinks (an absolute target restarts at the rootfs
// root, `..` stops there), at most 40 of them as Linux allows. The caller
// says what an entry is; this never touches host paths.

export interface WalkEntry {
  type: string;
  /** The symlink's target, read only when the walk follows it. */
  target?: () => string;
}

export type WalkResult =
  | { ok: true; path: string }
  | { ok: false; reason: "missing" | "not-dir"; at: string }
  | { ok: false; reason: "loop" };

export const MAX_SYMLINK_HOPS = 40;

/** `path` has no leading `/` or is absolute; both are inside the rootfs. */
export function walkPath(path: string, entry: (path: string) => WalkEntry | undefined, followFinal = true): WalkResult {
  let pending = components(path);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === "..") {
      done.pop();
      continue;
    }
    const here = [...done, c].join("/");
    const e = entry(here);
    if (!e) return { ok: false, reason: "missing", at: here };
    if (e.type === "symlink" && (pending.length > 0 || followFinal)) {
      if (++hops > MAX_SYMLINK_HOPS) return { ok: false, reason: "loop" };
      const target = e.target?.() ?? "";
      if (target.startsWith("/")) done.length = 0;
      pending = [...components(target), ...pending];
      continue;
    }
    if (pending.length > 0 && e.type !== "dir") return { ok: false, reason: "not-dir", at: here };
    done.push(c);
  }
  return { ok: true, path: done.join("/") };
}

function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "" && c !== ".");
}
