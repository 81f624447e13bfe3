// Cross-check of world elaboration (includes, implicit imports pulled in by
// `use`) against jco: embed a world with componentEmbed, make it a component
// with componentNew, print its WIT with componentWit, and compare the
// imports/exports jco ended up with to ours. Runs over every world shipped in
// the installed @bytecodealliance WIT and over the valid agreement samples.
import { componentEmbed, componentNew, componentWit } from "@bytecodealliance/jco";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeWit } from "./analyze";
import { JCO_SAMPLES } from "./jco-samples";
import { parseWit } from "./parser";
import type { ResolvedWorld } from "./model";

const base = "node_modules/@bytecodealliance";

function witDirs(dir: string, out: Map<string, string[]> = new Map()): Map<string, string[]> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules") witDirs(p, out);
    } else if (name.endsWith(".wit")) out.set(dir, [...(out.get(dir) ?? []), p]);
  }
  return out;
}

/** One package folder as a nested `package … { }` block. */
function asNestedBlock(files: string[]): { name: string; text: string } {
  let name = "";
  const bodies = files.map((f) => {
    const text = readFileSync(f, "utf8");
    const ast = parseWit(text, f).ast;
    if (!ast.package) return text;
    name = `${ast.package.namespace.name}:${ast.package.name.name}${ast.package.version ? "@" + ast.package.version : ""}`;
    // Blank out the header (keeping offsets) so the file body can be wrapped.
    const start = text.lastIndexOf("package", ast.package.span.start.offset);
    const end = text.indexOf(";", ast.package.span.end.offset) + 1;
    return text.slice(0, start) + " ".repeat(end - start) + text.slice(end);
  });
  return { name, text: `package ${name} {\n${bodies.join("\n")}\n}\n` };
}

// A component imports no instance for an interface with nothing in it, so
// empty imported interfaces are left out of the comparison.
const keys = (w: ResolvedWorld, dir: "imports" | "exports") =>
  w[dir]
    .filter((e) => dir === "exports" || e.kind === "function" || e.interface.opaque || e.interface.types.length + e.interface.functions.length > 0)
    .map((e) => e.key)
    .sort();

/** null when jco can embed the world but not turn it into a component (features its validator gates, e.g. map, fixed lists). */
async function jcoWorld(source: string, world: string): Promise<{ imports: string[]; exports: string[] } | null> {
  const core = await componentEmbed({ witSource: source, dummy: true, world });
  let printed: string;
  try {
    printed = await componentWit(await componentNew(core, []));
  } catch {
    return null;
  }
  const a = analyzeWit(printed);
  expect(a.errors, printed).toEqual([]);
  return { imports: keys(a.world!, "imports"), exports: keys(a.world!, "exports") };
}

describe("world elaboration agrees with jco", () => {
  it("for every world in the installed WIT packages", async () => {
    const dirs = [...witDirs(base).entries()];
    const byNpm = new Map<string, { name: string; text: string; worlds: string[] }[]>();
    for (const [dir, files] of dirs) {
      const npm = relative(base, dir).split("/")[0];
      const block = asNestedBlock(files);
      const worlds = files.flatMap((f) => parseWit(readFileSync(f, "utf8"), f).ast.items.filter((i) => i.kind === "world").map((i) => (i as { name: { name: string } }).name.name));
      const list = byNpm.get(npm) ?? [];
      if (!list.some((b) => b.name === block.name)) list.push({ ...block, worlds });
      byNpm.set(npm, list);
    }
    let checked = 0;
    const mismatches: string[] = [];
    for (const blocks of byNpm.values()) {
      const deps = blocks.map((b) => b.text).join("\n");
      for (const b of blocks) {
        for (const world of b.worlds) {
          const source = `package test:root;\nworld w { include ${b.name.replace("@", `/${world}@`).replace(/^([^@]*)$/, `$1/${world}`)}; }\n${deps}`;
          const ours = analyzeWit(source, "w", { opaqueUnknownPackages: false });
          expect(ours.errors, `${b.name} ${world}`).toEqual([]);
          const theirs = await jcoWorld(source, "w");
          expect(theirs, `${b.name} ${world}`).not.toBeNull();
          const mine = { imports: keys(ours.world!, "imports"), exports: keys(ours.world!, "exports") };
          if (JSON.stringify(mine) !== JSON.stringify(theirs)) mismatches.push(`${b.name} ${world}: ours ${JSON.stringify(mine)} jco ${JSON.stringify(theirs)}`);
          checked++;
        }
      }
    }
    console.log(`elaboration: ${checked} real worlds compared with jco`);
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(mismatches).toEqual([]);
  });

  it("for the valid agreement samples", async () => {
    const mismatches: string[] = [];
    const skipped: string[] = [];
    let compared = 0;
    for (const s of JCO_SAMPLES.filter((x) => x.valid)) {
      const ours = analyzeWit(s.wit, s.world, { opaqueUnknownPackages: false });
      expect(ours.errors, s.name).toEqual([]);
      const theirs = await jcoWorld(s.wit, s.world);
      if (!theirs) {
        skipped.push(s.name);
        continue;
      }
      compared++;
      const mine = { imports: keys(ours.world!, "imports"), exports: keys(ours.world!, "exports") };
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) mismatches.push(`${s.name}: ours ${JSON.stringify(mine)} jco ${JSON.stringify(theirs)}`);
    }
    console.log(`elaboration: ${compared} sample worlds compared with jco; jco cannot build components for: ${skipped.join(", ")}`);
    expect(compared).toBeGreaterThanOrEqual(30);
    expect(mismatches).toEqual([]);
  });
});
