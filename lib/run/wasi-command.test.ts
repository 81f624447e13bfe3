import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunStop } from "./host-types";
import { DEFAULT_LIMITS } from "./types";
import { loadCommand, runCommand, type LoadedCommand } from "./wasi-command";

const work = mkdtempSync(join(tmpdir(), "trellis-cmd-"));
let shout: LoadedCommand;

beforeAll(() => {
  const file = join(work, "shout.wasm");
  execFileSync("clang-14", ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "lib/run/fixtures/shout.c", "-o", file]);
  shout = loadCommand({ id: "sh", name: "shout", file });
}, 30_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bytes = (s: string) => new TextEncoder().encode(s);
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe("WASI command stages", () => {
  it("runs stdin → stdout, once per call", () => {
    expect(new TextDecoder().decode(runCommand(shout, bytes("hello"), DEFAULT_LIMITS))).toBe("HELLO");
    expect(new TextDecoder().decode(runCommand(shout, bytes("again"), DEFAULT_LIMITS))).toBe("AGAIN");
  });

  it("a non-zero exit is a refusal with the code and stderr", () => {
    expect(thrown(() => runCommand(shout, bytes("fail"), DEFAULT_LIMITS))).toMatchObject({ payload: "exit code 3: shout: refusing to shout 'fail'" });
  });

  it("refuses input that is not bytes, output over the limit, and a file that is no module", () => {
    expect((thrown(() => runCommand(shout, "text", DEFAULT_LIMITS)) as RunStop).error.kind).toBe("invalid-request");
    expect((thrown(() => runCommand(shout, bytes("x".repeat(100)), { ...DEFAULT_LIMITS, outputBytes: 10 })) as RunStop).error).toMatchObject({ kind: "output-limit", nodeId: "sh" });
    writeFileSync(join(work, "junk.wasm"), "not wasm");
    const e = thrown(() => loadCommand({ id: "j", name: "junk", file: join(work, "junk.wasm") }));
    expect(e).toBeInstanceOf(RunStop);
    expect((e as RunStop).error).toMatchObject({ kind: "instantiate-failed", nodeId: "j" });
  });
});
