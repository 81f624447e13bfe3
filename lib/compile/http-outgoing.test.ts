// The outgoing direction of a compiled container's wasi:http component: a
// guest client (glibc getaddrinfo + a socket, and busybox wget) calls a wired
// peer by name; the core resolves the name (TRELLIS_HTTP_PEERS), takes the
// connection, and sends each HTTP/1.1 request through the component's
// wasi:http/outgoing-handler import, here served by a function in memory.
// What the client reads back is compared with the same client run natively
// against a loopback server answering with the same function.
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import * as shim from "@bytecodealliance/preview2-shim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorDir, ensureCore, packStage } from "../../emulator/test/harness";
import { copyWithLibs } from "../../emulator/test/nginx-site";
import { haveHostTools } from "../testing/host-tools";
import { startServe } from "../testing/serve-process";
import type { OutgoingCall, OutgoingAnswer } from "../run/memory-http";
import { defaultCacheDir } from "../run/transpile";
import { loadHandler, type CallOutcome, type CallRequest } from "../run/wasi-http-call";
import { buildHttpComponent } from "./http-component";

const work = join(emulatorDir, "build", "test-http-outgoing");
const haveTools = haveHostTools({ commands: ["gcc", "clang-14", "ldd"], files: ["/bin/busybox", "/usr/bin/curl"] }, "the wasi:http outgoing suite");
const setEnv = (e: Record<string, string>) => (shim.cli as unknown as { _setEnv(e: Record<string, string>): void })._setEnv(e);

/** The wired service: echoes what it was asked (not the Host: the name differs between the runs). */
function echo(method: string, path: string, header: (n: string) => string | undefined, body: Buffer): { status: number; type: string; text: string } {
  if (path.startsWith("/refuse")) return { status: 0, type: "", text: "" };
  return { status: method === "POST" ? 201 : 200, type: "text/plain; echo", text: `${method} ${path} x-test=${header("x-test") ?? "-"} body=${body.toString()}` };
}

describe.skipIf(!haveTools)("a compiled container's guest calling a wired service through wasi:http/outgoing-handler", () => {
  let call: (r: CallRequest) => CallOutcome;
  let server: Server;
  let port = 0;
  const calls: OutgoingCall[] = [];
  const text = (o: CallOutcome) => ("error" in o ? `error ${o.error.tag}` : o.body.toString());
  const native = async (...args: string[]) => (await promisify(execFile)(join(work, "stage", "bin", "client"), args)).stdout;

  const serve = (c: OutgoingCall): OutgoingAnswer => {
    calls.push(c);
    const h = new Map(c.headers.map(([k, v]) => [k.toLowerCase(), v]));
    const r = echo(c.method, c.pathWithQuery, (n) => h.get(n), Buffer.from(c.body));
    if (!r.status) return { error: { tag: "connection-refused" } };
    return { status: r.status, headers: [["content-type", r.type]], body: Buffer.from(r.text) };
  };

  beforeAll(async () => {
    ensureCore();
    rmSync(work, { recursive: true, force: true });
    const stage = join(work, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    execFileSync("gcc", ["-static", "-O2", "-o", join(stage, "bin", "client"), join(emulatorDir, "test", "http-guests", "client.c")], { stdio: "pipe" });
    copyFileSync("/bin/busybox", join(stage, "bin", "busybox"));
    copyWithLibs(stage, "/usr/bin/curl");
    await packStage(stage, join(work, "rootfs.img"));
    const built = await buildHttpComponent({ rootfs: readFileSync(join(work, "rootfs.img")), cfg: { entrypoint: ["/bin/client"], cmd: [], env: [] }, httpPort: 8080 });
    if (!built.ok) throw new Error(built.error.message);
    writeFileSync(join(work, "client.http.wasm"), built.value);
    setEnv({ TRELLIS_HTTP_PEERS: "api,db=db.internal:9000" });
    // the cache `trellis serve` reads too, so the CLI case below does not transpile the component again
    call = await loadHandler(built.value, defaultCacheDir(), serve);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r = echo(req.method ?? "", req.url ?? "", (n) => req.headers[n] as string | undefined, Buffer.concat(chunks));
        res.writeHead(r.status, { "content-type": r.type, "content-length": Buffer.byteLength(r.text) });
        res.end(r.text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  }, 300_000);
  afterAll(() => {
    setEnv({});
    server?.close();
  });

  it("resolves the wired names (glibc getaddrinfo) and answers NXDOMAIN for the rest", () => {
    expect(text(call({ path: "/resolve?api" }))).toBe("api: 10.88.1.1\n");
    expect(text(call({ path: "/resolve?DB" }))).toBe("DB: 10.88.1.2\n");
    // not a timeout (EAI_AGAIN): the core's DNS answers NXDOMAIN at once
    expect(text(call({ path: "/resolve?nosuch" }))).toBe("nosuch: Name or service not known\n");
    expect(text(call({ path: "/resolve?localhost" }))).toBe("localhost: 127.0.0.1\n");
  });

  it("sends the client's requests on one keep-alive connection through the import, as a native client gets them", async () => {
    calls.length = 0;
    const guest = text(call({ path: "/fetch?api&80&/hello?x=1" }));
    const host = await native("fetch", "127.0.0.1", String(port), "/hello?x=1");
    expect(guest).toBe(host);
    expect(guest).toContain(`status 201, content-type text/plain; echo, body 'POST /hello?x=1 x-test=two body=[{"a":1,"b":"x"}]'`);
    expect(guest).toContain("then EOF");
    expect(calls.map((c) => [c.method, c.scheme, c.authority, c.pathWithQuery])).toEqual([
      ["GET", "http", "api", "/hello?x=1"],
      ["POST", "http", "api", "/hello?x=1"],
    ]);
    // framing and routing fields stay in the guest's connection; the rest go out
    expect(calls[1]!.headers.map(([k]) => k.toLowerCase()).sort()).toEqual(["content-type", "x-test"]);
  });

  it("names the guest's port in the authority, or the one the wiring gives", () => {
    calls.length = 0;
    call({ path: "/fetch?api&8080&/p" });
    call({ path: "/fetch?db&80&/q" });
    expect(calls.map((c) => c.authority)).toEqual(["api:8080", "api:8080", "db.internal:9000", "db.internal:9000"]);
  });

  it("serves busybox wget by name, as natively", async () => {
    const guest = text(call({ path: "/wget?http://api/w?y=2" }));
    const host = await native("wget", `http://127.0.0.1:${port}/w?y=2`);
    const output = (s: string) => s.replace(/^wget \S+: /, "");
    expect(output(guest)).toBe(output(host));
    expect(guest).toBe("wget http://api/w?y=2: exit 0, output 'GET /w?y=2 x-test=- body='\n");
    expect(text(call({ path: "/wget?http://nosuch/" }))).toMatch(/^wget http:\/\/nosuch\/: exit 1, output 'wget: bad address 'nosuch'\n'\n$/);
  });

  it("serves Debian's curl by name, as natively", async () => {
    const guest = text(call({ path: "/curl?http://api:8080/c?z=3" }));
    const host = await native("curl", `http://127.0.0.1:${port}/c?z=3`);
    const output = (s: string) => s.replace(/^curl \S+: /, "");
    expect(output(guest)).toBe(output(host));
    expect(guest).toBe("curl http://api:8080/c?z=3: exit 0, output 'GET /c?z=3 x-test=- body='\n");
    expect(text(call({ path: "/curl?http://nosuch/" }))).toBe("curl http://nosuch/: exit 6, output 'curl: (6) Could not resolve host: nosuch\n'\n");
  });

  it("answers 502 with the error-code when the import fails, and refuses what is not wired", () => {
    const refused = text(call({ path: "/fetch?api&80&/refuse" }));
    expect(refused).toContain("GET /refuse\n  status 502, content-type text/plain, body 'trellis: the request to api failed: wasi:http error-code connection-refused\n'");
    // the bridge closed that connection after its answer, as a server sending Connection: close does
    expect(refused).toMatch(/POST \/refuse \(same connection\)\n {2}(write: Broken pipe|closed before a response head)\n$/);
    // an address that is not a wired peer: refused as before
    expect(text(call({ path: "/fetch?10.88.1.9&80&/x" }))).toBe("fetch 10.88.1.9: connect: Network is unreachable\n");
    expect(text(call({ path: "/fetch?10.88.0.1&80&/x" }))).toBe("fetch 10.88.0.1: connect: Network is unreachable\n");
  });

  it("trellis serve --peer sends the guest's requests to the named server", async () => {
    const { url, proc: serve } = await startServe(join(work, "client.http.wasm"), ["--peer", `api=127.0.0.1:${port}`]);
    try {
      const got = await (await fetch(`${url}fetch?api&80&/hello?x=1`)).text();
      expect(got).toBe(await native("fetch", "127.0.0.1", String(port), "/hello?x=1"));
      // a name not given with --peer does not resolve
      expect(await (await fetch(`${url}resolve?db`)).text()).toBe("db: Name or service not known\n");
    } finally {
      serve.kill("SIGTERM");
    }
  }, 120_000);
});
