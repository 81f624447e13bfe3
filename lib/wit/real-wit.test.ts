// Every real .wit file shipped in the installed @bytecodealliance/* packages
// must parse and resolve with zero errors. A folder of .wit files is one
// package; its dependencies are its own deps/ plus the other WIT folders of
// the same npm package (how jco ships its WASI and node WIT side by side).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { formatWitError } from "./errors";
import { parseWit } from "./parser";
import { resolveWit, type ParsedFile } from "./resolver";

const base = "node_modules/@bytecodealliance";

function witDirs(dir: string, out: Map<string, string[]> = new Map()): Map<string, string[]> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (name !== "node_modules") witDirs(p, out);
    } else if (name.endsWith(".wit")) {
      out.set(dir, [...(out.get(dir) ?? []), p]);
    }
  }
  return out;
}

describe("real WIT shipped with @bytecodealliance packages", () => {
  const dirs = witDirs(base);
  const groups = [...dirs.entries()].map(([dir, files]) => ({
    dir,
    npm: relative(base, dir).split("/")[0],
    files: files.map((f): ParsedFile & { errors: ReturnType<typeof parseWit>["errors"] } => {
      const r = parseWit(readFileSync(f, "utf8"), f);
      return { file: f, ast: r.ast, errors: r.errors };
    }),
  }));
  const fileCount = groups.reduce((n, g) => n + g.files.length, 0);

  it("finds the WASI and jco WIT", () => {
    expect(fileCount).toBeGreaterThanOrEqual(40);
    const names = groups.flatMap((g) => g.files.map((f) => f.ast.package?.namespace.name + ":" + f.ast.package?.name.name));
    for (const pkg of ["wasi:cli", "wasi:io", "wasi:http", "wasi:clocks", "wasi:random", "wasi:filesystem", "wasi:sockets"]) {
      expect(names).toContain(pkg);
    }
  });

  it("parses every file without errors", () => {
    const errors = groups.flatMap((g) => g.files.flatMap((f) => f.errors.map(formatWitError)));
    expect(errors).toEqual([]);
  });

  it("resolves every package folder without errors", () => {
    const errors: string[] = [];
    let packages = 0;
    for (const g of groups) {
      if (g.dir.includes("/deps/")) continue;
      // One copy of each package (jco ships some, e.g. wasi:io, in several folders; wit-parser refuses duplicates).
      const pkgOf = (o: (typeof groups)[number]) => {
        const p = o.files.find((f) => f.ast.package)?.ast.package;
        return p ? `${p.namespace.name}:${p.name.name}@${p.version}` : o.dir;
      };
      const provided = new Set([pkgOf(g)]);
      const deps = groups.filter((o) => {
        if (o === g || o.npm !== g.npm) return false;
        const key = pkgOf(o);
        if (provided.has(key)) return false;
        provided.add(key);
        return true;
      });
      const r = resolveWit({ root: g.files, deps: deps.map((d) => d.files) });
      errors.push(...r.errors.map(formatWitError));
      const root = r.model.packages.find((p) => p.name === r.model.root);
      expect(root, g.dir).toBeDefined();
      expect(root!.interfaces.length + root!.worlds.length).toBeGreaterThan(0);
      packages++;
    }
    console.log(`real WIT: ${fileCount} files in ${groups.length} folders, ${packages} root packages resolved`);
    expect(errors).toEqual([]);
  });
});
