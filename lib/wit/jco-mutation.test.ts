// Differential test: seeded random token edits of valid WIT (the agreement
// samples and self-contained real WASI packages) must be judged the same way
// by lib/wit and by jco's componentEmbed. Deterministic (fixed seed).
import { componentEmbed } from "@bytecodealliance/jco";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { selectWorld } from "./analyze";
import { SourceText, tokenize } from "./lexer";
import { checkWit, memoryWitFs } from "./loader";
import { JCO_SAMPLES } from "./jco-samples";

const REPLACEMENTS = [
  "u32", "string", "func", "record", "}", "{", ";", ",", ":", "<", ">", "use", "type", "own", "borrow", "_", "foo",
  "%type", "as", "->", "static", "constructor", "x-y", "Xy", "@since(version = 1.0.0)", "@unstable(feature = x)", "async",
  "resource r;", "import", "export", "list<u8>", "result<_, u8>",
];

function ours(wit: string, world: string): boolean {
  const { model, errors } = checkWit(memoryWitFs({ "m.wit": wit }), "m.wit");
  if (errors.length) return false;
  const sel = selectWorld(model, world);
  return sel.ok && !!sel.world;
}

async function theirs(wit: string, world: string): Promise<boolean> {
  try {
    await componentEmbed({ witSource: wit, dummy: true, world });
    return true;
  } catch {
    return false;
  }
}

function mutations(sources: { wit: string; world: string }[], count: number, seed: number) {
  let state = seed;
  const rnd = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const out: { wit: string; world: string; edit: string }[] = [];
  for (let n = 0; n < count; n++) {
    const s = sources[rnd(sources.length)];
    const toks = tokenize(new SourceText("m", s.wit)).tokens.filter((t) => t.kind !== "eof");
    const t = toks[rnd(toks.length)];
    const op = rnd(3);
    const r = REPLACEMENTS[rnd(REPLACEMENTS.length)];
    const old = s.wit.slice(t.start, t.end);
    const wit =
      op === 0 ? s.wit.slice(0, t.start) + s.wit.slice(t.end)
      : op === 1 ? s.wit.slice(0, t.start) + r + s.wit.slice(t.end)
      : s.wit.slice(0, t.start) + r + " " + s.wit.slice(t.start);
    out.push({ wit, world: s.world, edit: op === 0 ? `delete '${old}'` : op === 1 ? `'${old}' -> '${r}'` : `insert '${r}' before '${old}'` });
  }
  return out;
}

describe("mutation agreement with jco", () => {
  const real = ["0.2.12/wasi-io", "0.2.12/wasi-random", "0.3.0/wasi-clocks", "0.3.0/wasi-random"].map((d) => ({
    wit: readFileSync(`node_modules/@bytecodealliance/jco/lib/wit/builtin/${d}/package.wit`, "utf8"),
    world: "imports",
  }));
  const samples = JCO_SAMPLES.filter((s) => s.valid).map((s) => ({ wit: s.wit, world: s.world }));

  it("agrees on 600 seeded edits", async () => {
    const cases = [...mutations(samples, 300, 20261124), ...mutations(real, 300, 424242)];
    const disagreements: string[] = [];
    let invalid = 0;
    for (const c of cases) {
      const a = ours(c.wit, c.world);
      const b = await theirs(c.wit, c.world);
      if (!b) invalid++;
      if (a !== b) disagreements.push(`${c.edit}: lib/wit ${a ? "valid" : "invalid"}, jco ${b ? "valid" : "invalid"}\n${c.wit.slice(0, 300)}`);
    }
    console.log(`mutation agreement: ${cases.length - disagreements.length}/${cases.length} (${invalid} judged invalid by jco)`);
    // Both outcomes must be well represented or the test proves little.
    expect(invalid).toBeGreaterThan(100);
    expect(cases.length - invalid).toBeGreaterThan(25);
    expect(disagreements).toEqual([]);
  });
});
