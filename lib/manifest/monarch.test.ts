// A small Monarch runner (enough of Monaco's semantics for these grammars:
// first matching rule wins, `@state` pushes, `@pop` pops, `cases` on keywords)
// to check the grammars tokenize real export output as intended.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tomlMonarchLanguage, wacMonarchLanguage } from "./monarch";

type Rule = [RegExp, string | { cases: Record<string, string> }, string?];

function tokenize(lang: Record<string, unknown>, text: string): { line: number; token: string; text: string }[] {
  const states = lang.tokenizer as Record<string, Rule[]>;
  const stack = ["root"];
  const out: { line: number; token: string; text: string }[] = [];
  text.split("\n").forEach((lineText, li) => {
    let pos = 0;
    while (pos < lineText.length) {
      const rules = states[stack[stack.length - 1]!]!;
      let matched = false;
      for (const [re, action, next] of rules) {
        const sticky = new RegExp(re.source, "y");
        if (re.source.startsWith("^") && pos !== 0) continue;
        sticky.lastIndex = pos;
        const m = sticky.exec(lineText);
        if (!m || m[0].length === 0) continue;
        let token = typeof action === "string" ? action : action.cases["@default"]!;
        if (typeof action !== "string" && (lang.keywords as string[]).includes(m[0])) token = action.cases["@keywords"]!;
        out.push({ line: li + 1, token, text: m[0] });
        if (next === "@pop") stack.pop();
        else if (next === "@push") stack.push(stack[stack.length - 1]!);
        else if (next) stack.push(next.slice(1));
        pos += m[0].length;
        matched = true;
        break;
      }
      if (!matched) throw new Error(`no rule matches at ${li + 1}:${pos + 1}: ${lineText.slice(pos)}`);
    }
  });
  return out;
}

const golden = join(dirname(fileURLToPath(import.meta.url)), "fixtures/golden");

describe("TOML grammar", () => {
  it("tokenizes every golden spin.toml with headers, keys, strings and arrays", () => {
    const text = readFileSync(join(golden, "pipeline/spin/spin/order-pipeline/spin.toml"), "utf8");
    const toks = tokenize(tomlMonarchLanguage, text).filter((t) => t.token !== "white");
    expect(toks.find((t) => t.text === "[[trigger.http]]")?.token).toBe("type.identifier");
    expect(toks.find((t) => t.text === "spin_manifest_version")?.token).toBe("key");
    expect(toks.find((t) => t.text === '"components/frontend.wasm"')?.token).toBe("string");
    expect(toks.find((t) => t.text === "2")?.token).toBe("number");
    expect(toks.find((t) => t.text.startsWith('[component.frontend.dependencies."example'))?.token).toBe("type.identifier");
  });
  it("handles comments and multi-line strings", () => {
    const toks = tokenize(tomlMonarchLanguage, 'a = """x\ny""" # c\nb = true\n');
    expect(toks.map((t) => t.token)).toEqual(["key", "white", "delimiter", "white", "string", "string", "string", "string", "white", "comment", "key", "white", "delimiter", "white", "keyword"]);
  });
});

describe("WAC grammar", () => {
  it("tokenizes the golden compositions", () => {
    const text = readFileSync(join(golden, "pipeline/wac/frontend-composed.wac"), "utf8");
    const toks = tokenize(wacMonarchLanguage, text).filter((t) => t.token !== "white");
    expect(toks.filter((t) => t.token === "keyword").map((t) => t.text)).toEqual(["package", "let", "new", "let", "new", "let", "new", "export"]);
    expect(toks.find((t) => t.text === "order-pipeline:frontend-composed")?.token).toBe("type.identifier");
    expect(toks.find((t) => t.text === '"example:pipeline/store@0.1.0"')?.token).toBe("string");
    expect(toks.find((t) => t.text === "...")?.token).toBe("operator");
  });
  it("nests block comments, as WAC does", () => {
    const toks = tokenize(wacMonarchLanguage, "/* a /* b */ still */ let").filter((t) => t.token !== "white");
    expect(toks.map((t) => t.token)).toEqual([...Array(toks.length - 1).fill("comment"), "keyword"]);
    expect(toks.filter((t) => t.token === "comment").map((t) => t.text).join("")).toBe("/* a /* b */ still */");
  });
});
