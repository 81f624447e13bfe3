// The wasi:http component of a compiled container, with a guest whose
// answers go wrong in every way a server's can: each request path of
// emulator/test/http-guests/misbehave.c picks one. A good answer comes back
// as the response; a bad one as a wasi:http error-code, never a hang (the
// bridge sees every guest process waiting, or runs out of its step budget).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as shim from "@bytecodealliance/preview2-shim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorDir, ensureCore, packStage } from "../../emulator/test/harness";
import { haveHostTools } from "../testing/host-tools";
import { loadHandler, type CallOutcome, type CallRequest } from "../run/wasi-http-call";
import { buildHttpComponent, HTTP_HANDLER_EXPORT } from "./http-component";

const work = join(emulatorDir, "build", "test-http-component");
const haveTools = haveHostTools({ commands: ["gcc", "clang-14"] }, "the wasi:http component suite");

describe.skipIf(!haveTools)("a compiled container as a wasi:http component", () => {
  let call: (r: CallRequest) => CallOutcome;
  let component: Uint8Array;
  const text = (o: CallOutcome) => ("error" in o ? `error ${o.error.tag}` : `${o.status} ${o.body.toString()}`);

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    const stage = join(work, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    execFileSync("gcc", ["-static", "-O2", "-o", join(stage, "bin", "misbehave"), join(emulatorDir, "test", "http-guests", "misbehave.c")]);
    await packStage(stage, join(work, "rootfs.img"));
    const built = await buildHttpComponent({ rootfs: readFileSync(join(work, "rootfs.img")), cfg: { entrypoint: ["/bin/misbehave"], cmd: [], env: [] }, httpPort: 8080 });
    if (!built.ok) throw new Error(built.error.message);
    component = built.value;
    // a spinning guest meets this budget of guest instructions, not a clock
    (shim.cli as unknown as { _setEnv(e: Record<string, string>): void })._setEnv({ TRELLIS_HTTP_STEP_LIMIT: "30000000", TRELLIS_HTTP_MAX_ANSWER: "1048576" });
    call = await loadHandler(component, join(work, "cache"));
  }, 300_000);
  afterAll(() => (shim.cli as unknown as { _setEnv(e: Record<string, string>): void })._setEnv({}));

  it("exports wasi:http/incoming-handler@0.2.0 and imports only WASI", async () => {
    const { componentWit } = await import("@bytecodealliance/jco");
    const wit = await componentWit(component);
    expect(wit).toContain(`export ${HTTP_HANDLER_EXPORT};`);
    const imports = [...wit.matchAll(/^\s*import ([a-z-]+:[a-z-]+\/[a-z-]+)/gm)].map((m) => m[1]!);
    expect(imports.filter((i) => !i.startsWith("wasi:"))).toEqual([]);
    expect(imports).toContain("wasi:http/types");
  });

  it("answers each request on a new connection to the guest's port, from one guest that keeps its state", () => {
    const a = call({ path: "/ok" });
    const b = call({ path: "/ok" });
    expect(text(a)).toMatch(/^200 connection 1 to pid 1\n$/);
    expect(text(b)).toMatch(/^200 connection 2 to pid 1\n$/);
    expect("error" in a ? [] : a.headers).toContainEqual(["content-type", "text/plain"]);
    expect(text(call({ path: "/nothing-here" }))).toBe("404 no such case\n");
  });

  it("passes the request body and decodes chunked and until-close answers", () => {
    expect(text(call({ method: "POST", path: "/echo", body: "posted bytes" }))).toBe("200 posted bytes");
    const c = call({ path: "/chunked" });
    expect(text(c)).toBe("201 hello, world");
    // the guest's framing is its own: no transfer-encoding comes back
    expect("error" in c ? [] : c.headers).toEqual([["x-kind", "chunks"]]);
    expect(text(call({ path: "/until-close" }))).toBe("200 read until the server closes\n");
  });

  it("refuses the guest's outbound connections: a component has no network beyond its guest", () => {
    expect(text(call({ path: "/connect" }))).toBe("200 connect: Network is unreachable\n");
  });

  it("turns a bad answer into a typed wasi:http error-code", () => {
    expect(text(call({ path: "/garbage" }))).toBe("error HTTP-protocol-error");
    expect(text(call({ path: "/close" }))).toBe("error HTTP-response-incomplete");
    expect(text(call({ path: "/partial" }))).toBe("error HTTP-response-incomplete");
    // every guest process waits (the child on pause(), PID 1 on accept) and none has a deadline
    expect(text(call({ path: "/silent" }))).toBe("error HTTP-response-timeout");
    // the guest still serves the next connection
    expect(text(call({ path: "/ok" }))).toMatch(/^200 connection \d+ to pid 1\n$/);
  });

  it("streams an answer larger than the bridge holds (1 MiB here) as the guest writes it, and a cut one is incomplete", () => {
    const blocks = (n: number, size: number) => Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.alloc(size, 97 + (i % 26))));
    const big = call({ path: "/big" });
    if ("error" in big) throw new Error(`/big: ${big.error.tag}`);
    expect(big.status).toBe(200);
    expect(big.headers).toContainEqual(["content-length", "4194304"]);
    expect(big.body.equals(blocks(64, 65536))).toBe(true);
    const chunked = call({ path: "/big-chunked" });
    if ("error" in chunked) throw new Error(`/big-chunked: ${chunked.error.tag}`);
    expect(chunked.body.equals(blocks(256, 8192))).toBe(true);
    expect(chunked.headers.map(([k]) => k)).not.toContain("transfer-encoding");
    // the head went out before the guest closed at 1 MiB of 4: only the body can say so
    expect(text(call({ path: "/cut" }))).toBe("error HTTP-response-incomplete");
    expect(text(call({ path: "/ok" }))).toMatch(/^200 connection \d+ to pid 1\n$/);
  });

  it("bounds a spinning guest by its step budget, and reports a guest that exited", () => {
    expect(text(call({ path: "/spin" }))).toBe("error HTTP-response-timeout");
    expect(text(call({ path: "/exit" }))).toBe("error destination-unavailable");
    expect(text(call({ path: "/ok" }))).toBe("error destination-unavailable");
  });
});
