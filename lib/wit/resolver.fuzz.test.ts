// Property: the resolver answers any set of packages (several packages in deps/, uses between them,
// worlds that include each other, nested packages, gates, cycles) with a model and typed errors, never
// a throw, and downstream steps (world selection, ports, compatibility, summary) hold up on its model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParams } from "../testing/fuzz";
import { analyzeWit } from "./analyze";
import { checkInterfaceCompat } from "./compat";
import { WIT_ERROR_KINDS, type WitError } from "./errors";
import { checkWit, memoryWitFs } from "./loader";
import { MAX_TYPE_NODES, typeToString } from "./model";
import { MAX_RESOLVE_DEPTH } from "./resolver";
import { summarizeModel } from "./summary";

const params = fuzzParams(150);
const runs = params.numRuns;
const kinds = new Set<string>(WIT_ERROR_KINDS);

const PKGS = ["a:x", "a:y", "b:z"];
const VERSIONS = ["", "@1.0.0", "@1.2.0", "@2.0.0"];
const IFACES = ["i", "j", "k"];
const WORLDS = ["w", "v", "u"];
const TYPES = ["t", "r", "e", "res", "u8", "string", "s"];

const pkgRef = fc.tuple(fc.constantFrom(...PKGS), fc.constantFrom(...VERSIONS)).map(([p, v]) => p + v);
const ifaceRef = fc.oneof(
  fc.constantFrom(...IFACES),
  fc.tuple(pkgRef, fc.constantFrom(...IFACES)).map(([p, i]) => {
    const [name, version] = p.split("@");
    return `${name}/${i}${version ? "@" + version : ""}`;
  }),
);
const worldRef = fc.oneof(
  fc.constantFrom(...WORLDS),
  fc.tuple(fc.constantFrom(...PKGS), fc.constantFrom(...WORLDS), fc.constantFrom(...VERSIONS)).map(([p, w, v]) => `${p}/${w}${v}`),
);

const typeExpr: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...TYPES),
    tie("t").map((x) => `list<${x}>`),
    tie("t").map((x) => `option<${x}>`),
    fc.tuple(tie("t"), tie("t")).map(([a, b]) => `result<${a}, ${b}>`),
    fc.tuple(tie("t"), tie("t")).map(([a, b]) => `tuple<${a}, ${b}>`),
    fc.constantFrom("own<res>", "borrow<res>", "result", "result<_, t>"),
  ),
})).t;

// Mostly ungated; the rest are valid gates (on unversioned packages @since is refused, which is fine).
const gate = fc.constantFrom("", "", "", "", "@unstable(feature = f)\n", "@since(version = 1.0.0)\n", "@since(version = 1.0.0)\n@deprecated(version = 1.2.0)\n");
const typeName = fc.constantFrom(...TYPES.filter((t) => t !== "u8" && t !== "string"));

const typeDef = fc.oneof(
  fc.tuple(gate, typeName, typeExpr).map(([g, n, t]) => `${g}type ${n} = ${t};`),
  fc.tuple(gate, typeName, fc.array(typeExpr, { maxLength: 3 })).map(([g, n, ts]) => `${g}record ${n} { ${ts.map((t, i) => `f${i}: ${t}`).join(", ")} }`),
  fc.tuple(gate, typeName, fc.array(fc.option(typeExpr), { maxLength: 3 })).map(([g, n, ts]) => `${g}variant ${n} { ${ts.map((t, i) => `c${i}${t ? `(${t})` : ""}`).join(", ")} }`),
  fc.tuple(gate, typeName).map(([g, n]) => `${g}enum ${n} { a, b }`),
  fc.tuple(gate, typeName).map(([g, n]) => `${g}flags ${n} { a, b }`),
  fc.tuple(gate, typeName, fc.array(fc.tuple(fc.constantFrom("constructor", "m", "s"), typeExpr), { maxLength: 3 })).map(
    ([g, n, fs]) =>
      `${g}resource ${n} { ${fs.map(([k, t]) => (k === "constructor" ? `constructor(x: ${t});` : `${k}: ${k === "s" ? "static " : ""}func(x: ${t}) -> ${t};`)).join(" ")} }`,
  ),
);
const funcType = fc.tuple(fc.array(typeExpr, { maxLength: 3 }), fc.option(typeExpr)).map(([ps, r]) => `func(${ps.map((t, i) => `p${i}: ${t}`).join(", ")})${r ? ` -> ${r}` : ""};`);
const func = fc.tuple(gate, fc.constantFrom("f", "g", "h"), funcType).map(([g, n, f]) => `${g}${n}: ${f}`);
const useItem = fc.tuple(ifaceRef, fc.array(fc.tuple(typeName, fc.option(fc.constantFrom("s", "t2", "r"))), { minLength: 1, maxLength: 3 })).map(
  ([i, ns]) => `use ${i}.{${ns.map(([n, as]) => (as ? `${n} as ${as}` : n)).join(", ")}};`,
);
const interfaceBody = fc.array(fc.oneof(typeDef, func, useItem), { maxLength: 6 }).map((xs) => xs.join("\n  "));
const interfaceDecl = fc.tuple(gate, fc.constantFrom(...IFACES), interfaceBody).map(([g, n, b]) => `${g}interface ${n} {\n  ${b}\n}`);

const externItem = fc.tuple(fc.constantFrom("import", "export"), fc.oneof(
  ifaceRef.map((r) => `${r};`),
  fc.tuple(fc.constantFrom("n", "m", "i"), ifaceRef).map(([n, r]) => `${n}: ${r};`),
  fc.tuple(fc.constantFrom("n", "m", "run"), interfaceBody).map(([n, b]) => `${n}: interface { ${b} }`),
  fc.tuple(fc.constantFrom("n", "run"), funcType).map(([n, f]) => `${n}: ${f}`),
)).map(([k, x]) => `${k} ${x}`);
const includeItem = fc.tuple(worldRef, fc.option(fc.array(fc.tuple(fc.constantFrom("i", "n", "run", "j"), fc.constantFrom("i2", "n2", "j")), { minLength: 1, maxLength: 2 }))).map(
  ([w, withs]) => `include ${w}${withs ? ` with { ${withs.map(([a, b]) => `${a} as ${b}`).join(", ")} }` : ";"}`,
);
const worldDecl = fc.tuple(gate, fc.constantFrom(...WORLDS), fc.array(fc.oneof(externItem, includeItem, useItem, typeDef), { maxLength: 6 })).map(
  ([g, n, items]) => `${g}world ${n} {\n  ${items.join("\n  ")}\n}`,
);
const topUse = fc.tuple(ifaceRef, fc.option(fc.constantFrom("q", "i", "j"))).map(([r, as]) => `use ${r}${as ? ` as ${as}` : ""};`);
const fileBody = fc.array(fc.oneof({ weight: 3, arbitrary: interfaceDecl }, { weight: 3, arbitrary: worldDecl }, { weight: 1, arbitrary: topUse }), { maxLength: 5 });

// One package: a header (sometimes missing or for another package), its items, sometimes a nested package.
const packageFile = fc.tuple(fc.option(pkgRef, { freq: 6 }), fileBody, fc.option(fc.tuple(pkgRef, fileBody), { freq: 4 })).map(([p, items, nested]) =>
  [p ? `package ${p};` : "", ...items, nested ? `package ${nested[0]} {\n${nested[1].join("\n")}\n}` : ""].join("\n"),
);

// A package folder: 1–2 root files, 0–3 dependency files or folders.
const folder = fc.tuple(fc.array(packageFile, { minLength: 1, maxLength: 2 }), fc.array(fc.tuple(fc.boolean(), fc.array(packageFile, { minLength: 1, maxLength: 2 })), { maxLength: 3 })).map(([root, deps]) => {
  const files: Record<string, string> = {};
  root.forEach((t, i) => (files[`r${i}.wit`] = t));
  deps.forEach(([asDir, texts], d) => {
    if (asDir) texts.forEach((t, i) => (files[`deps/d${d}/f${i}.wit`] = t));
    else files[`deps/d${d}.wit`] = texts[0]!;
  });
  return files;
});

// Valid by construction: package k refers only to packages before it (and to earlier items of its own),
// names are unique, nothing is gated. The root is the last package; the others sit in deps/.
const validChain = fc
  .array(
    fc.record({
      ifaces: fc.array(fc.record({ types: fc.integer({ min: 1, max: 3 }), use: fc.option(fc.nat()) }), { minLength: 1, maxLength: 3 }),
      worlds: fc.array(fc.record({ imports: fc.array(fc.nat(), { maxLength: 3 }), includes: fc.array(fc.nat(), { maxLength: 2 }), fn: fc.boolean() }), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((pkgs) => {
    const files: Record<string, string> = {};
    const includes: [string, string][] = [];
    const ifaceIds: { id: string; types: number }[] = [];
    const worldIds: string[] = [];
    // Plain-named exports each world has (its own and included ones): including one twice is a conflict, as in wit-parser.
    const plain = new Map<string, Set<string>>();
    pkgs.forEach((p, k) => {
      const pkg = `n${k}:p${k}@1.${k}.0`;
      const lines = [`package ${pkg};`];
      p.ifaces.forEach((i, n) => {
        const body: string[] = [];
        if (i.use !== null && ifaceIds.length) {
          const from = ifaceIds[i.use % ifaceIds.length]!;
          body.push(`use ${from.id}.{t0 as u};`, "type uu = list<u>;");
        }
        for (let t = 0; t < i.types; t++) body.push(t === 0 ? "record t0 { v: u8 }" : `type t${t} = option<t${t - 1}>;`);
        body.push(`f: func(x: t${i.types - 1}) -> list<t0>;`);
        lines.push(`interface i${n} {\n  ${body.join("\n  ")}\n}`);
      });
      // Inside its own package an item is named without the package prefix (a qualified self-reference is refused).
      const own = p.ifaces.map((_, n) => ({ id: `i${n}`, types: p.ifaces[n]!.types }));
      p.worlds.forEach((w, n) => {
        const body: string[] = [];
        const pool = [...ifaceIds, ...own];
        for (const x of new Set(w.imports.map((x) => x % pool.length))) body.push(`import ${pool[x]!.id};`);
        const worldPool = [...worldIds.map((q) => ({ ref: q, q })), ...Array.from({ length: n }, (_, m) => ({ ref: `w${m}`, q: `n${k}:p${k}/w${m}@1.${k}.0` }))];
        const q = `n${k}:p${k}/w${n}@1.${k}.0`;
        const names = new Set<string>(w.fn ? [`run${k}${n}`] : []);
        for (const x of new Set(w.includes)) {
          if (!worldPool.length) break;
          const inc = worldPool[x % worldPool.length]!;
          const incNames = plain.get(inc.q)!;
          if (body.includes(`include ${inc.ref};`) || [...incNames].some((m) => names.has(m))) continue;
          for (const m of incNames) names.add(m);
          body.push(`include ${inc.ref};`);
          includes.push([q, inc.q]);
        }
        plain.set(q, names);
        if (w.fn) body.push(`export run${k}${n}: func();`);
        lines.push(`world w${n} {\n  ${body.join("\n  ")}\n}`);
      });
      worldIds.push(...p.worlds.map((_, n) => `n${k}:p${k}/w${n}@1.${k}.0`));
      ifaceIds.push(...own.map((i) => ({ ...i, id: `n${k}:p${k}/${i.id}@1.${k}.0` })));
      files[k === pkgs.length - 1 ? "root.wit" : `deps/p${k}.wit`] = lines.join("\n");
    });
    return { files, includes };
  });

function checkErrors(errors: WitError[], files: Record<string, string>): void {
  for (const e of errors) {
    expect(kinds.has(e.kind), `unknown kind ${e.kind}: ${e.message}`).toBe(true);
    expect(typeof e.message).toBe("string");
    const text = files[e.span.file];
    if (text !== undefined) {
      expect(e.span.start.offset).toBeGreaterThanOrEqual(0);
      expect(e.span.end.offset).toBeLessThanOrEqual(text.length);
      expect(e.span.start.offset).toBeLessThanOrEqual(e.span.end.offset);
    }
  }
}

describe("resolveWit (fuzz)", () => {
  it("answers any package folder with typed errors, and its model holds up downstream", () => {
    fc.assert(
      fc.property(folder, fc.constantFrom<undefined | string[] | "all">(undefined, ["f"], "all"), (files, features) => {
        for (const opaque of [false, true]) {
          const r = checkWit(memoryWitFs(files), "", { features, opaqueUnknownPackages: opaque });
          checkErrors(r.errors, files);
          // The summary walks every type: it must terminate on whatever the resolver built (cycles included).
          expect(JSON.stringify(summarizeModel(r.model)).length).toBeGreaterThan(0);
          const ifaces = r.model.packages.flatMap((p) => p.interfaces);
          for (const a of ifaces) for (const b of ifaces) {
            const c = checkInterfaceCompat(a, b);
            if (c) expect(typeof c.kind).toBe("string");
          }
        }
        for (const w of [undefined, "w", "a:x/v", "b:z/u@2.0.0"]) {
          const a = analyzeWit(files, w, { features });
          checkErrors(a.errors, files);
          expect(a.ok).toBe(a.errors.length === 0);
          for (const p of a.ports) expect(typeof p.id).toBe("string");
        }
      }),
      { ...params, numRuns: runs },
    );
  });

  it("resolves valid-by-construction package chains without errors; an include brings all the included world's imports", () => {
    fc.assert(
      fc.property(validChain, ({ files, includes }) => {
        const r = checkWit(memoryWitFs(files), "");
        expect(r.errors.map((e) => `${e.kind}: ${e.message}`)).toEqual([]);
        const world = (q: string) => r.model.packages.flatMap((p) => p.worlds).find((w) => w.qualifiedName === q)!;
        for (const [w, inc] of includes) {
          const keys = new Set(world(w).imports.map((e) => e.key));
          for (const e of world(inc).imports) expect(keys.has(e.key), `${w} includes ${inc} but lacks ${e.key}`).toBe(true);
        }
      }),
      { ...params, numRuns: Math.ceil(runs / 3) },
    );
  });

  it("resolves a valid multi-package chain without errors", () => {
    // A sanity anchor for the generator's vocabulary: uses, includes and versions across packages work.
    const r = checkWit(
      memoryWitFs({
        "r.wit": "package a:x;\ninterface i { use b:z/k@1.0.0.{t}; f: func(a: t); }\nworld w { include a:y/v@2.0.0; export i; }",
        "deps/y.wit": "package a:y@2.0.0;\ninterface j { type s = u8; }\nworld v { import j; import b:z/k@1.0.0; }",
        "deps/z/k.wit": "package b:z@1.0.0;\ninterface k { type t = list<u8>; }",
      }),
      "",
    );
    expect(r.errors).toEqual([]);
    const w = r.model.packages.find((p) => p.name === "a:x")!.worlds[0]!;
    expect(w.imports.map((e) => e.key).sort()).toEqual(["a:y/j@2.0.0", "b:z/k@1.0.0"]);
  });

  // Found by this fuzzer's hostile cases: each of these chains overflowed the stack (a RangeError thrown out of
  // checkWit), and a doubling alias chain made typeToString (summaries, hovers, compat messages) run for minutes.
  describe("hostile chains give typed errors", () => {
    const N = 3000;
    const lines = (f: (k: number) => string) => Array.from({ length: N }, (_, k) => f(k)).join("\n");
    const kindsOf = (files: Record<string, string>) => checkWit(memoryWitFs(files), "").errors.map((e) => e.kind);
    const cases: [string, Record<string, string>, string[]][] = [
      ["a type defined by a later type, 3000 deep", { "a.wit": `package a:b;\ninterface i {\n${lines((k) => `type t${k} = t${k + 1};`)}\ntype t${N} = u8;\n}` }, ["too-deep"]],
      ["records nested through later records", { "a.wit": `package a:b;\ninterface i {\n${lines((k) => `record t${k} { a: t${k + 1} }`)}\ntype t${N} = u8;\n}` }, ["too-deep"]],
      ["interfaces using later interfaces", { "a.wit": `package a:b;\n${lines((k) => `interface i${k} { use i${k + 1}.{t}; }`)}\ninterface i${N} { type t = u8; }` }, ["too-deep"]],
      ["a use cycle through 3000 interfaces", { "a.wit": `package a:b;\n${lines((k) => `interface i${k} { use i${(k + 1) % N}.{t}; }`)}` }, ["use-cycle", "too-deep"]],
      ["worlds including later worlds", { "a.wit": `package a:b;\n${lines((k) => `world w${k} { include w${k + 1}; }`)}\nworld w${N} { export f: func(); }` }, ["too-deep"]],
      ["an include cycle through 3000 worlds", { "a.wit": `package a:b;\n${lines((k) => `world w${k} { include w${(k + 1) % N}; }`)}` }, ["include-cycle", "too-deep"]],
      [
        "1500 packages, each using the next",
        Object.fromEntries([
          ["root.wit", "package p:p0;\ninterface i { use p:p1/i.{t}; }"],
          ...Array.from({ length: 1500 }, (_, j) => [`deps/p${j + 1}.wit`, `package p:p${j + 1};\ninterface i { ${j + 1 < 1500 ? `use p:p${j + 2}/i.{t};` : "type t = u8;"} }`]),
        ]),
        ["too-deep"],
      ],
    ];
    for (const [name, files, want] of cases) it(name, () => expect(kindsOf(files)).toEqual(want));

    it("chains within the cap still resolve", () => {
      const n = Math.floor(MAX_RESOLVE_DEPTH / 3);
      const text = `package a:b;\n${Array.from({ length: n }, (_, k) => `interface i${k} { use i${k + 1}.{t}; }`).join("\n")}\ninterface i${n} { type t = u8; }`;
      expect(kindsOf({ "a.wit": text })).toEqual([]);
    });

    it("a doubling alias chain spells out in bounded time and size", () => {
      const text = `package a:b;\ninterface i {\ntype t0 = u8;\n${Array.from({ length: 60 }, (_, k) => `type t${k + 1} = tuple<t${k}, t${k}>;`).join("\n")}\nf: func(x: t60);\n}`;
      const r = checkWit(memoryWitFs({ "a.wit": text }), "");
      expect(r.errors).toEqual([]);
      const s = typeToString(r.model.packages[0]!.interfaces[0]!.functions[0]!.params[0]!.type);
      expect(s.startsWith("tuple<tuple<tuple<")).toBe(true);
      expect(s).toContain("…");
      expect(s.length).toBeLessThan(MAX_TYPE_NODES * 10);
      expect(JSON.stringify(summarizeModel(r.model)).length).toBeLessThan(200_000);
    });
  });
});
