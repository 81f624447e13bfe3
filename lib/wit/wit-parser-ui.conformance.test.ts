// wasm-tools' own wit-parser suite (`crates/wit-parser/tests/ui`, copied to
// ../shared/conformance/wit-parser-ui/): every top-level `.wit` file or package
// folder must resolve; every `parse-fail/` entry must be refused with an error
// that names the same problem (a category derived from wit-parser's message in
// its `.wit.result`) at the same file, line and column. One test per case.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { nodeWitFs } from "../cli/node-wit-fs";
import { haveShared, SHARED_DIR } from "../testing/shared-dir";
import type { WitError, WitErrorKind } from "./errors";
import { checkWit, formatWitError } from "./index";

const SUITE = `${SHARED_DIR}conformance/wit-parser-ui/`;
/** wit-parser's test runner enables this feature gate. */
const FEATURES = ["active"];

/**
 * Cases where lib/wit does not agree yet. `it.fails` makes a case that starts
 * agreeing fail the run, so this list can only shrink.
 */
const NOT_YET_AGREEING = new Set<string>([
]);

/** What a wit-parser message is about, as the error kinds that say the same thing. */
const PROBLEMS: { message: RegExp; kinds: WitErrorKind[]; ours?: RegExp }[] = [
  { message: /^expected .*, found /, kinds: ["syntax", "invalid-gate", "invalid-version"] },
  { message: /^type `\w[\w-]*` depends on itself/, kinds: ["type-cycle"] },
  { message: /^interface or world `.*` depends on itself/, kinds: ["use-cycle", "include-cycle"] },
  { message: /creates a dependency cycle/, kinds: ["package-cycle"] },
  { message: /excluded due to its feature not being activated/, kinds: ["gated-out"] },
  { message: /^feature gate cannot reference unreleased version/, kinds: ["invalid-gate"] },
  { message: /transitively depends on an interface in incompatible ways/, kinds: ["import-export-conflict"] },
  { message: /^no import or export kebab-name/, kinds: ["unknown-name"] },
  { message: /is defined as an? (world|interface), not an? (world|interface)|^cannot (use|import) function/, kinds: ["wrong-item-kind"] },
  { message: /^package '.*' not found/, kinds: ["unknown-package"] },
  { message: /^(interface or world|interface|world) [`'].*[`'] (does not exist|not found)/, kinds: ["unknown-interface", "unknown-world"] },
  { message: /^(type|name) `.*` (does not exist|not defined)/, kinds: ["unknown-type", "unknown-name"] },
  { message: /conflicts with|shadows previously|is defined more than once|^duplicate (item|name|function)|more than once$/, kinds: ["duplicate-name", "include-conflict"] },
  { message: /^duplicate constructors/, kinds: ["duplicate-name"] },
  { message: /used in a handle must be a resource/, kinds: ["not-a-resource"] },
  { message: /constructor|the `ok` type must be the resource/, kinds: ["invalid-constructor"] },
  { message: /^empty (enum|variant)/, kinds: ["empty-type"] },
  { message: /returns a type which contains a `borrow<T>`/, kinds: ["borrow-in-result"] },
  { message: /^invalid map key type/, kinds: ["invalid-type"] },
  { message: /^package identifier .* does not match/, kinds: ["package-mismatch"] },
  { message: /^no `package` header/, kinds: ["missing-package"] },
  { message: /is defined in two different locations/, kinds: ["duplicate-package"] },
  { message: /doc comments on multiple 'package' items/, kinds: ["package-mismatch"] },
  { message: /nesting too deep/, kinds: ["too-deep"] },
  { message: /^nested packages must be placed at the top-level/, kinds: ["syntax"] },
];

interface Expected {
  message: string;
  /** Path inside the case (`x.wit`, `x/deps/y.wit`), when wit-parser gives a place. */
  file?: string;
  line?: number;
  column?: number;
}

/** wit-parser's message with its wrappers removed, and the place it points at. */
function expectation(result: string): Expected {
  const first = result.split("\n")[0];
  const message = first
    .replace(/^failed to resolve directory while parsing WIT for path \[[^\]]*\]: /, "")
    .replace(/^failed to parse package: \S*: /, "")
    .replace(/^tests\/ui\/parse-fail\/\S+?:\d+:\d+: /, "");
  const at =
    /^\s*--> tests\/ui\/parse-fail\/(\S+?):(\d+):(\d+)/m.exec(result) ??
    /^tests\/ui\/parse-fail\/(\S+?):(\d+):(\d+):/.exec(first) ??
    /^\s*\* tests\/ui\/parse-fail\/(\S+?):(\d+):(\d+)/m.exec(result);
  return at ? { message, file: at[1], line: Number(at[2]), column: Number(at[3]) } : { message };
}

function kindsFor(message: string): WitErrorKind[] {
  const rule = PROBLEMS.find((p) => p.message.test(message));
  if (!rule) throw new Error(`no problem category for wit-parser message: ${message}`);
  return rule.kinds;
}

interface Case {
  name: string;
  path: string;
  fail: boolean;
}

function listCases(): Case[] {
  // wit-parser's runner also takes packages encoded as components (`.wat`, `.wasm`).
  const isCase = (dir: string, e: string) => statSync(dir + e).isDirectory() || /\.(wit|wat|wasm)$/.test(e);
  const valid = readdirSync(SUITE).sort()
    .filter((e) => e !== "parse-fail" && isCase(SUITE, e))
    .map((e) => ({ name: e, path: SUITE + e, fail: false }));
  const failDir = `${SUITE}parse-fail/`;
  const fail = readdirSync(failDir).sort()
    .filter((e) => isCase(failDir, e))
    .map((e) => ({ name: `parse-fail/${e}`, path: failDir + e, fail: true }));
  return [...valid, ...fail];
}

function relativeFile(e: WitError): string {
  const prefix = `${SUITE}parse-fail/`;
  return e.span.file.startsWith(prefix) ? e.span.file.slice(prefix.length) : e.span.file;
}

/** Why lib/wit disagrees with wit-parser on this case, or null when it agrees. */
function disagreement(c: Case): string | null {
  const { errors } = checkWit(nodeWitFs, c.path, { features: FEATURES });
  if (!c.fail) return errors.length ? `refused a valid case:\n${errors.map(formatWitError).join("\n")}` : null;
  const want = expectation(readFileSync(`${c.path.replace(/\.wit$/, "")}.wit.result`, "utf8"));
  const kinds = kindsFor(want.message);
  if (!errors.length) return `accepted; wit-parser says: ${want.message}`;
  const match = errors.find((e) =>
    kinds.includes(e.kind) &&
    (want.line === undefined ||
      (relativeFile(e) === want.file && e.span.start.line === want.line && e.span.start.column === want.column)));
  if (match) return null;
  const where = want.line === undefined ? "" : ` at ${want.file}:${want.line}:${want.column}`;
  return `wit-parser: ${want.message}${where} (${kinds.join(" or ")})\nlib/wit:\n${errors.map((e) => `${e.kind} ${formatWitError(e)}`).join("\n")}`;
}

const cases = haveShared() ? listCases() : [];
let agreeing = 0;

describe.skipIf(cases.length === 0)("wit-parser tests/ui suite", () => {
  afterAll(() => {
    console.log(`wit-parser tests/ui: lib/wit agrees on ${agreeing} of ${cases.length} cases`);
  });
  for (const c of cases) {
    const test = NOT_YET_AGREEING.has(c.name) ? it.fails : it;
    test(c.name, () => {
      const why = disagreement(c);
      if (why === null) agreeing++;
      expect(why).toBeNull();
    });
  }
  it("lists only cases of the suite as not yet agreeing", () => {
    const names = new Set(cases.map((c) => c.name));
    expect([...NOT_YET_AGREEING].filter((n) => !names.has(n))).toEqual([]);
  });
});
