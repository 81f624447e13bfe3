import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import command from "./wit";

async function run(args: string[]) {
  let out = "";
  let errText = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((errText += String(s)), true));
  try {
    const code = await command.run(args);
    return { code, out, err: errText };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("trellis wit check", () => {
  const dir = mkdtempSync(join(tmpdir(), "wit-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints worlds with imports and exports for a package folder with deps", async () => {
    const pkg = join(dir, "pkg");
    mkdirSync(join(pkg, "deps", "kv"), { recursive: true });
    writeFileSync(join(pkg, "world.wit"), "package acme:app@1.0.0;\nworld svc {\n  import wasi:keyvalue/store@0.2.0-draft;\n  import log: func(msg: string);\n  export handler;\n}\n");
    writeFileSync(join(pkg, "handler.wit"), "interface handler { handle: func(); }\n");
    writeFileSync(join(pkg, "deps", "kv", "store.wit"), "package wasi:keyvalue@0.2.0-draft;\ninterface store { get: func(k: string) -> option<list<u8>>; }\n");
    const r = await run(["check", pkg]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      "package acme:app@1.0.0: 1 interface(s), 1 world(s)\n" +
        "world acme:app/svc@1.0.0\n" +
        "  import wasi:keyvalue/store@0.2.0-draft\n" +
        "  import log: func(msg: string)\n" +
        "  export acme:app/handler@1.0.0\n",
    );
  });

  it("prints every error as file:line:col: message and exits 1", async () => {
    const file = join(dir, "bad.wit");
    writeFileSync(file, "package a:b;\ninterface i {\n  f: func(x: nope);\n  g: func(\n}\n");
    const r = await run(["check", file]);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toEqual([
      `${file}:3:14: name \`nope\` is not defined`,
      `${file}:5:1: expected an identifier, found '}'`,
      "2 errors",
      "",
    ]);
  });

  it("prints JSON with --json", async () => {
    const file = join(dir, "j.wit");
    writeFileSync(file, "package a:b;\nworld w { import f: func(); }\n");
    const ok = await run(["check", "--json", file]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, errors: [], package: "a:b", worlds: [{ name: "a:b/w", imports: ["f: func()"], ports: ["imp:f f"] }] });
    writeFileSync(file, "package a:b;\nworld w { import f: func() }\n");
    const bad = await run(["check", file, "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).errors).toEqual([{ kind: "syntax", message: "expected ';', found '}'", file, line: 2, column: 28 }]);
  });

  it("enables @unstable feature gates with --features (none by default, as wit-parser)", async () => {
    const file = join(dir, "gated.wit");
    writeFileSync(file, "package a:b;\n@unstable(feature = fancy)\ninterface i { f: func(); }\nworld w {\n  import i;\n}\n");
    const off = await run(["check", file]);
    expect(off.code).toBe(1);
    expect(off.err).toContain(`${file}:5:10: interface \`i\` is left out`);
    const on = await run(["check", "--features", "other,fancy", file]);
    expect(on.err).toBe("");
    expect(on.out).toContain("import a:b/i");
    expect((await run(["check", `--features=fancy`, file])).code).toBe(0);
    expect((await run(["check", "--all-features", file])).code).toBe(0);
    const bad = await run(["check", "--features", "Not_Kebab", file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("feature `Not_Kebab`");
    expect((await run(["check", "--features"])).code).toBe(2);
  });

  it("reports a missing path and bad usage", async () => {
    expect((await run(["check", join(dir, "missing")])).code).toBe(1);
    expect((await run(["frobnicate"])).code).toBe(2);
  });
});
