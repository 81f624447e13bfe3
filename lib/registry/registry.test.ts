// Against a real registry (Debian's docker-registry, htpasswd auth) seeded with
// skopeo, plus a small proxy in front of it that lies: cuts a blob short,
// flips a byte, speaks Bearer tokens, redirects to plain HTTP.

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unpackImage } from "../image/unpack";
import { makeDockerSave, makeOciLayout, makeTar, tarLayer, sha256 } from "../image/test-images";
import type { CredentialLookup } from "./credentials";
import { pullImage, type PullProgress } from "./pull";
import { pushArtifact } from "./push";
import { startRegistry, type TestRegistry } from "./test-registry";

let reg: TestRegistry;
let dir: string;
let creds: CredentialLookup;
let proxy: http.Server;
let proxyHost = "";
let mode: "pass" | "cut" | "flip" | "bearer" | "redirect-http" = "pass";
const TOKEN = "tok-" + Math.random().toString(36).slice(2);
let logs: string[] = [];

const files = async (d: string) => (await readdir(d)).sort();

beforeAll(async () => {
  reg = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), "trellis-pull-"));
  creds = async (r) => (r === reg.host || r === proxyHost ? { username: reg.user, password: reg.password } : null);
  // A two-layer docker-save image (gzip + plain), tag app:v1.
  const l1 = tarLayer(await makeTar([{ name: "bin/", type: "directory" }, { name: "bin/hello", content: "#!/bin/sh\necho hi\n", mode: 0o755 }]), "gzip");
  const l2 = tarLayer(await makeTar([{ name: "etc/", type: "directory" }, { name: "etc/motd", content: randomBytes(200_000) }]), "gzip");
  await writeFile(join(dir, "app.tar"), await makeDockerSave([l1, l2], { Entrypoint: ["/bin/hello"] }, { repoTags: ["app:v1"] }));
  await reg.seed(`docker-archive:${join(dir, "app.tar")}`, "team/app:v1");
  // Multi-platform (nested index so skopeo takes the whole index).
  const img = async (arch: string, variant?: string) => ({
    layers: [tarLayer(await makeTar([{ name: "arch", content: arch + (variant ?? "") }]), "gzip")],
    config: { architecture: arch, ...(variant ? { variant } : {}), Cmd: ["/arch"] },
    platform: { os: "linux", architecture: arch, ...(variant ? { variant } : {}) },
  });
  const multi = await makeOciLayout([await img("amd64"), await img("arm64")], { nested: true });
  await writeFile(join(dir, "multi.tar"), multi.archive);
  await reg.seed(`oci-archive:${join(dir, "multi.tar")}`, "multi:1", { all: true });
  const armOnly = await makeOciLayout([await img("arm64"), await img("arm", "v7")], { nested: true });
  await writeFile(join(dir, "arm.tar"), armOnly.archive);
  await reg.seed(`oci-archive:${join(dir, "arm.tar")}`, "armonly:1", { all: true });
  (globalThis as { __multi?: typeof multi }).__multi = multi;

  // The lying proxy.
  const upstream = reg.host.split(":");
  proxy = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (mode === "bearer") {
      if (url.startsWith("/token")) {
        const ok = req.headers.authorization === "Basic " + Buffer.from(`${reg.user}:${reg.password}`).toString("base64");
        const scope = new URL(url, "http://x").searchParams.get("scope");
        if (!ok || !scope?.startsWith("repository:")) return void res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: TOKEN }));
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return void res.writeHead(401, { "www-authenticate": `Bearer realm="http://${proxyHost}/token",service="test"` }).end();
      }
    }
    if (mode === "redirect-http" && url.includes("/blobs/sha256:")) return void res.writeHead(307, { location: "http://blobs.example/x" }).end();
    const up = http.request(
      { host: upstream[0], port: Number(upstream[1]), method: req.method, path: url, headers: { ...req.headers, host: reg.host, authorization: "Basic " + Buffer.from(`${reg.user}:${reg.password}`).toString("base64") } },
      (ur) => {
        const isBlob = req.method === "GET" && url.includes("/blobs/sha256:") && (ur.statusCode ?? 0) === 200;
        const len = Number(ur.headers["content-length"] ?? 0);
        if (isBlob && len > 4096 && (mode === "cut" || mode === "flip")) {
          res.writeHead(200, ur.headers);
          let sent = 0;
          let flipped = false;
          ur.on("data", (c: Buffer) => {
            if (mode === "cut" && sent + c.length > len / 2) {
              res.write(c.subarray(0, Math.floor(len / 2) - sent));
              res.socket?.destroy();
              ur.destroy();
              return;
            }
            if (mode === "flip" && !flipped) {
              c = Buffer.from(c);
              c[c.length - 1]! ^= 0xff;
              flipped = true;
            }
            sent += c.length;
            res.write(c);
          });
          ur.on("end", () => res.end());
          return;
        }
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  proxyHost = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await reg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pull = (reference: string, out: string, extra: { platform?: string; credentials?: CredentialLookup | null; onProgress?: (p: PullProgress) => void } = {}) => {
  logs = [];
  return pullImage({
    reference,
    outFile: join(dir, out),
    ...(extra.platform ? { platform: extra.platform } : {}),
    ...(extra.credentials === null ? {} : { credentials: extra.credentials ?? creds }),
    onLog: (l) => logs.push(l),
    ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
  });
};

describe("pull from a real registry", () => {
  it("by tag: a Docker schema 2 image becomes an OCI layout the compile pipeline reads", async () => {
    const seen: number[] = [];
    const r = await pull(`${reg.host}/team/app:v1`, "app.oci.tar", { onProgress: (p) => seen.push(p.doneBytes) });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(r.value.layers).toHaveLength(2);
    expect(r.value.pinned).toBe(`${reg.host}/team/app:v1@${r.value.digest}`);
    expect(seen.at(-1)).toBe(r.value.blobBytes);
    expect(seen.length).toBeGreaterThan(2);
    const u = await unpackImage({ file: join(dir, "app.oci.tar"), workDir: join(dir, "w1") });
    if (!u.ok) throw new Error(u.error.message);
    expect(u.value.format).toBe("oci-layout");
    expect(u.value.manifestDigest).toBe(r.value.digest);
    expect(u.value.config.entrypoint).toEqual(["/bin/hello"]);
    expect(u.value.files).toBe(2);
    expect(u.value.names).toEqual([`${reg.host}/team/app:v1`]);
    expect(logs.join("\n")).not.toContain(reg.password);
  });

  it("by digest: the same manifest, verified against the digest", async () => {
    const a = await pull(`${reg.host}/team/app:v1`, "a.tar");
    if (!a.ok) throw new Error(a.error.message);
    const b = await pull(`${reg.host}/team/app@${a.value.digest}`, "b.tar");
    if (!b.ok) throw new Error(b.error.message);
    expect(b.value.digest).toBe(a.value.digest);
    expect(b.value.layers).toEqual(a.value.layers);
    expect(b.value.configDigest).toBe(a.value.configDigest);
    expect(b.value.fileBytes).toBe(a.value.fileBytes);
  });

  it("a multi-platform index: linux/amd64 by default, another platform on request", async () => {
    const multi = (globalThis as { __multi?: { digests: { manifests: string[] } } }).__multi!;
    const amd = await pull(`${reg.host}/multi:1`, "m-amd.tar");
    if (!amd.ok) throw new Error(amd.error.message);
    expect(amd.value.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(amd.value.platform).toBe("linux/amd64");
    expect(amd.value.manifestDigest).toBe(multi.digests.manifests[0]);
    const arm = await pull(`${reg.host}/multi:1`, "m-arm.tar", { platform: "linux/arm64" });
    if (!arm.ok) throw new Error(arm.error.message);
    expect(arm.value.manifestDigest).toBe(multi.digests.manifests[1]);
    const u = await unpackImage({ file: join(dir, "m-arm.tar"), workDir: join(dir, "w2"), platform: "linux/arm64" });
    if (!u.ok) throw new Error(u.error.message);
    expect(u.value.platform).toBe("linux/arm64");
    expect(u.value.platforms.map((p) => [p.label, p.available])).toEqual([["linux/amd64", false], ["linux/arm64", true]]);
  });

  it("an index for other platforms only: platform-not-found lists them, nothing written", async () => {
    const r = await pull(`${reg.host}/armonly:1`, "arm.oci.tar");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("platform-not-found");
    expect(r.error.platforms).toEqual(["linux/arm64", "linux/arm/v7"]);
    expect(r.error.message).toContain(`${reg.host}/armonly:1`);
    expect(existsSync(join(dir, "arm.oci.tar"))).toBe(false);
    expect(existsSync(join(dir, "arm.oci.tar.partial"))).toBe(false);
  });

  it("wrong password, and no credentials: auth-failed naming the reference, never the password", async () => {
    const bad = await pull(`${reg.host}/team/app:v1`, "x.tar", { credentials: async () => ({ username: reg.user, password: "wrong-pass-123" }) });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.kind).toBe("auth-failed");
    expect(bad.error.message).toContain(`${reg.host}/team/app:v1`);
    expect(bad.error.message).not.toContain("wrong-pass-123");
    const none = await pull(`${reg.host}/team/app:v1`, "x.tar", { credentials: null });
    expect(!none.ok && none.error.kind).toBe("auth-failed");
    expect(!none.ok && none.error.message).toContain("none are set");
    expect(existsSync(join(dir, "x.tar"))).toBe(false);
  });

  it("a missing tag and a missing repository are not-found", async () => {
    const r = await pull(`${reg.host}/team/app:nope`, "x.tar");
    expect(!r.ok && r.error.kind).toBe("not-found");
    expect(!r.ok && r.error.message).toMatch(new RegExp(`${reg.host}/team/app:nope: tag nope is not in`));
    const r2 = await pull(`${reg.host}/nobody/here:1`, "x.tar");
    expect(!r2.ok && r2.error.kind).toBe("not-found");
  });

  it("a reference with junk is refused before any request", async () => {
    const r = await pull(`${reg.host}/Team/App:v1!`, "x.tar");
    expect(!r.ok && r.error.kind).toBe("reference-invalid");
    expect(!r.ok && r.error.message).toContain("Team/App:v1!");
  });

  it("a registry that stops mid-blob: interrupted, nothing half-written", async () => {
    mode = "cut";
    try {
      const r = await pull(`${proxyHost}/team/app:v1`, "cut.tar");
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.kind).toBe("interrupted");
      expect(r.error.message).toContain(`${proxyHost}/team/app:v1: the registry stopped sending`);
      expect((await files(dir)).filter((f) => f.startsWith("cut"))).toEqual([]);
    } finally {
      mode = "pass";
    }
  });

  it("a blob whose bytes do not match its digest: digest-mismatch", async () => {
    mode = "flip";
    try {
      const r = await pull(`${proxyHost}/team/app:v1`, "flip.tar");
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.kind).toBe("digest-mismatch");
      expect(r.error.message).toMatch(/has digest sha256:[a-f0-9]{64}, not sha256:/);
      expect((await files(dir)).filter((f) => f.startsWith("flip"))).toEqual([]);
    } finally {
      mode = "pass";
    }
  });

  it("Bearer tokens: the challenge, the token service with the credentials, then the pull", async () => {
    mode = "bearer";
    try {
      const r = await pull(`${proxyHost}/team/app:v1`, "bearer.tar");
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.layers).toHaveLength(2);
      const bad = await pull(`${proxyHost}/team/app:v1`, "x.tar", { credentials: async () => ({ username: "x", password: "y" }) });
      expect(!bad.ok && bad.error.kind).toBe("auth-failed");
      expect(!bad.ok && bad.error.message).toContain("token service");
    } finally {
      mode = "pass";
    }
  });

  it("a redirect to plain HTTP off loopback is refused", async () => {
    mode = "redirect-http";
    try {
      const r = await pull(`${proxyHost}/team/app:v1`, "redir.tar");
      expect(!r.ok && r.error.kind).toBe("insecure-refused");
      expect(!r.ok && r.error.message).toContain("blobs.example");
    } finally {
      mode = "pass";
    }
  });
});

describe("push a Wasm artifact", () => {
  it("push, then pull back: the same bytes, as a Wasm OCI artifact", async () => {
    // A tiny valid module: (module (func (export "f")))
    const wasm = Buffer.from("0061736d0100000001040160000003020100070501016600000a040102000b", "hex");
    await writeFile(join(dir, "m.wasm"), wasm);
    const p = await pushArtifact({ reference: `${reg.host}/wasm/app:1.0`, file: join(dir, "m.wasm"), kind: "module", credentials: creds });
    if (!p.ok) throw new Error(p.error.message);
    expect(p.value.pinned).toBe(`${reg.host}/wasm/app:1.0@${p.value.digest}`);
    expect(p.value.layerDigest).toBe(sha256(wasm));
    const again = await pushArtifact({ reference: `${reg.host}/wasm/app:1.0`, file: join(dir, "m.wasm"), kind: "module", credentials: creds });
    expect(again.ok && again.value.blob).toBe("exists");

    const back = await pull(p.value.pinned, "wasm.oci.tar");
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.layers).toEqual([{ digest: sha256(wasm), mediaType: "application/wasm", size: wasm.length }]);
    const u = await unpackImage({ file: join(dir, "wasm.oci.tar"), workDir: join(dir, "w3") });
    if (!u.ok) throw new Error(u.error.message);
    expect(u.value.classification.kind).toBe("wasm");
    expect(await readFile(u.value.wasmFile!)).toEqual(wasm);
  });

  it("push with a wrong password fails with auth-failed and writes nothing", async () => {
    const r = await pushArtifact({ reference: `${reg.host}/wasm/app:bad`, file: join(dir, "m.wasm"), kind: "module", credentials: async () => ({ username: reg.user, password: "nope-nope" }) });
    expect(!r.ok && r.error.kind).toBe("auth-failed");
    expect(!r.ok && r.error.message).not.toContain("nope-nope");
    const check = await pull(`${reg.host}/wasm/app:bad`, "x.tar");
    expect(!check.ok && check.error.kind).toBe("not-found");
  });
});
