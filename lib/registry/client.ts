// A client for one repository of an OCI distribution registry: the /v2/ ping,
// the auth challenge flow (anonymous, Basic, Bearer tokens), manifests with
// media-type negotiation, blobs as streams, and the push side (blob upload,
// manifest put). Node http/https only, so a worker on another machine can use
// it as is. Plain HTTP only for loopback registries and ones listed as insecure.

import { createHash } from "node:crypto";
import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import { parseChallenges, type Challenge } from "./challenge";
import type { Credential, CredentialLookup } from "./credentials";
import { rfail, RegistryFailure } from "./errors";
import { apiHost } from "./reference";

export const MEDIA = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerV1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerV1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, MEDIA.dockerList]);
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest]);
const ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(", ");

/** Manifests and indexes are small; anything bigger is refused (containerd uses the same cap). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ClientOptions {
  credentials?: CredentialLookup;
  /** `host[:port]` entries that may be reached over plain HTTP (TRELLIS_INSECURE_REGISTRIES). */
  insecureRegistries?: readonly string[];
  signal?: AbortSignal;
  /** Socket idle timeout: a registry silent this long is treated as gone. */
  timeoutMs?: number;
}

/** TRELLIS_INSECURE_REGISTRIES: comma- or space-separated `host[:port]`. */
export function insecureFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return (env.TRELLIS_INSECURE_REGISTRIES ?? "").split(/[\s,]+/).filter(Boolean);
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(1, hostPort.indexOf("]"));
  const i = hostPort.lastIndexOf(":");
  return i > 0 ? hostPort.slice(0, i) : hostPort;
}

export function isLoopback(hostPort: string): boolean {
  const h = hostOnly(hostPort).toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** Docker's rule: loopback registries and listed ones may use plain HTTP. */
export function insecureAllowed(hostPort: string, listed: readonly string[]): boolean {
  return isLoopback(hostPort) || listed.some((l) => l === hostPort || l === hostOnly(hostPort));
}

interface Sent {
  status: number;
  headers: IncomingMessage["headers"];
  body: IncomingMessage;
  url: URL;
}

/** Reads a response body up to `max` bytes (more is an error). */
export async function readBody(res: IncomingMessage, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res) {
      n += (c as Buffer).length;
      if (n > max) {
        res.destroy();
        rfail("limit-size", `${what} is larger than ${max} bytes`);
      }
      chunks.push(c as Buffer);
    }
  } catch (e) {
    if (e instanceof RegistryFailure) throw e;
    rfail("interrupted", `the registry stopped sending ${what}: ${(e as Error).message}`);
  }
  return Buffer.concat(chunks);
}

function registryMessage(body: Buffer): string {
  try {
    const j = JSON.parse(body.toString("utf8")) as { errors?: { code?: string; message?: string }[] };
    const e = j.errors?.[0];
    if (e) return [e.code, e.message].filter(Boolean).join(": ");
  } catch {
    // not JSON
  }
  return body.toString("utf8").replace(/\s+/g, " ").trim().slice(0, 200);
}

export function sha256Hex(b: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(b).digest("hex");
}

export class RegistryClient {
  readonly host: string;
  private base: URL | null = null;
  private challenge: Challenge | null = null;
  private authHeader: string | null = null;
  private authedFor = "";
  private credential: Credential | null | undefined;
  private readonly insecure: readonly string[];

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly o: ClientOptions = {},
  ) {
    this.host = apiHost(registry);
    this.insecure = o.insecureRegistries ?? [];
  }

  private async cred(): Promise<Credential | null> {
    if (this.credential === undefined) this.credential = (await this.o.credentials?.(this.registry, this.repository)) ?? null;
    return this.credential;
  }

  /** One HTTP exchange; network failures become typed errors. */
  private raw(url: URL, method: string, headers: OutgoingHttpHeaders, body?: Buffer | Readable): Promise<Sent> {
    const insecure = insecureAllowed(url.host, this.insecure);
    if (url.protocol === "http:" && !insecure) {
      rfail("insecure-refused", `${url.host} is not a loopback registry and not in TRELLIS_INSECURE_REGISTRIES: plain HTTP refused`);
    }
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<Sent>((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method,
          headers: { "user-agent": "trellis", ...headers },
          signal: this.o.signal,
          // Listed insecure registries may have self-signed certificates, as with docker.
          ...(url.protocol === "https:" && this.insecure.length && insecure && !isLoopback(url.host) ? { rejectUnauthorized: false } : {}),
        },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url }),
      );
      req.setTimeout(this.o.timeoutMs ?? 60_000, () => req.destroy(new Error("the registry stopped answering (timeout)")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        if (e.name === "AbortError") reject(new RegistryFailure({ kind: "cancelled", message: "cancelled" }));
        else reject(new RegistryFailure({ kind: "network", message: `cannot reach ${url.host}: ${e.code ?? e.message}` }));
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        body.on("error", (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }

  /** Finds the scheme (HTTPS, or HTTP where allowed) and the auth challenge. */
  async ping(): Promise<void> {
    if (this.base) return;
    const tryBase = async (scheme: "https" | "http"): Promise<Sent> => this.raw(new URL(`${scheme}://${this.host}/v2/`), "GET", {});
    let res: Sent;
    try {
      res = await tryBase("https");
    } catch (e) {
      // Docker falls back to HTTP for insecure registries when HTTPS fails.
      if (!(e instanceof RegistryFailure) || e.error.kind !== "network" || !insecureAllowed(this.host, this.insecure)) throw e;
      res = await tryBase("http");
    }
    res.body.resume();
    this.base = new URL(`${res.url.protocol}//${this.host}`);
    if (res.status === 401) {
      const cs = parseChallenges(String(res.headers["www-authenticate"] ?? ""));
      this.challenge = cs.find((c) => c.scheme === "bearer") ?? cs.find((c) => c.scheme === "basic") ?? null;
      if (!this.challenge) rfail("auth-failed", `${this.registry} asks for authentication with a scheme Trellis does not speak (${String(res.headers["www-authenticate"] ?? "none")})`, { status: 401 });
    } else if (res.status !== 200) {
      rfail("registry-error", `${this.host}/v2/ answered ${res.status}: is this an OCI distribution registry?`, { status: res.status });
    }
  }

  /** Sets the Authorization header for `actions` (`pull` or `pull,push`). */
  private async authorize(actions: string): Promise<void> {
    await this.ping();
    if (!this.challenge || this.authedFor === actions || (this.authedFor === "pull,push" && actions === "pull")) return;
    const cred = await this.cred();
    if (this.challenge.scheme === "basic") {
      if (!cred) rfail("auth-failed", `${this.registry} needs a user name and password, and none are set for it (docker login, an auth file, or Settings → Registries)`, { status: 401 });
      this.authHeader = "Basic " + Buffer.from(`${cred.username}:${cred.password}`).toString("base64");
      this.authedFor = "pull,push";
      return;
    }
    const realm = this.challenge.params.realm;
    if (!realm) rfail("auth-failed", `${this.registry} sent a Bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      rfail("auth-failed", `${this.registry} sent a Bearer challenge with a bad realm`);
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && insecureAllowed(url.host, this.insecure))) rfail("insecure-refused", `the token service ${url.host} is not HTTPS`);
    if (this.challenge.params.service) url.searchParams.set("service", this.challenge.params.service);
    url.searchParams.set("scope", `repository:${this.repository}:${actions}`);
    const headers: OutgoingHttpHeaders = {};
    if (cred) headers.authorization = "Basic " + Buffer.from(`${cred.username}:${cred.password}`).toString("base64");
    const res = await this.raw(url, "GET", headers);
    const body = await readBody(res.body, 1 << 20, "the token");
    if (res.status === 401 || res.status === 403) rfail("auth-failed", `the token service of ${this.registry} refused ${cred ? "the credentials" : "anonymous access"} (${res.status})`, { status: res.status });
    if (res.status !== 200) rfail("auth-failed", `the token service of ${this.registry} answered ${res.status}: ${registryMessage(body)}`, { status: res.status });
    let token: unknown;
    try {
      const j = JSON.parse(body.toString("utf8")) as { token?: unknown; access_token?: unknown };
      token = j.token ?? j.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== "string" || !token) rfail("auth-failed", `the token service of ${this.registry} answered without a token`);
    this.authHeader = `Bearer ${token}`;
    this.authedFor = actions;
  }

  /**
   * An authorised request to `/v2/<repo>/<path>` (or an absolute URL, e.g. an
   * upload location), following redirects (blob storage), dropping the
   * Authorization header when one leaves the registry.
   */
  async request(method: string, path: string | URL, o: { headers?: OutgoingHttpHeaders; body?: Buffer | Readable; actions?: string } = {}): Promise<Sent> {
    await this.authorize(o.actions ?? "pull");
    let url = typeof path === "string" ? new URL(`/v2/${this.repository}/${path}`, this.base!) : path;
    for (let hop = 0; hop < 6; hop++) {
      const sameOrigin = url.origin === this.base!.origin;
      const headers = { ...o.headers, ...(sameOrigin && this.authHeader ? { authorization: this.authHeader } : {}) };
      const res = await this.raw(url, method, headers, hop === 0 ? o.body : undefined);
      if ([301, 302, 303, 307, 308].includes(res.status) && res.headers.location && (method === "GET" || method === "HEAD")) {
        res.body.resume();
        url = new URL(res.headers.location, url);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const body = await readBody(res.body, 64 * 1024, "the error");
        const cred = await this.cred();
        rfail("auth-failed", `${this.registry} refused ${cred ? "the credentials" : "anonymous access"} for ${this.repository} (${res.status}${registryMessage(body) ? `: ${registryMessage(body)}` : ""})`, { status: res.status });
      }
      return res;
    }
    rfail("registry-error", `too many redirects from ${this.registry}`);
  }

  /** GET a manifest or index by tag or digest; the bytes are verified against the digest when one is known. */
  async getManifest(ref: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const res = await this.request("GET", `manifests/${ref}`, { headers: { accept: ACCEPT } });
    const bytes = await readBody(res.body, MAX_MANIFEST_BYTES, "the manifest");
    if (res.status === 404) rfail("not-found", `${ref.startsWith("sha256:") ? "manifest" : "tag"} ${ref} is not in ${this.registry}/${this.repository} (${registryMessage(bytes) || 404})`, { status: 404 });
    if (res.status !== 200) rfail("registry-error", `${this.registry} answered ${res.status} for the manifest: ${registryMessage(bytes)}`, { status: res.status });
    const digest = sha256Hex(bytes);
    if (ref.startsWith("sha256:") && digest !== ref) rfail("digest-mismatch", `the registry sent a manifest whose digest is ${digest}, not ${ref}`, { digest: ref });
    const stated = res.headers["docker-content-digest"];
    if (typeof stated === "string" && stated.startsWith("sha256:") && stated !== digest) rfail("digest-mismatch", `the manifest's bytes have digest ${digest}, the registry says ${stated}`, { digest: stated });
    let mediaType = String(res.headers["content-type"] ?? "").split(";")[0]!.trim();
    if (!INDEX_MEDIA_TYPES.has(mediaType) && !MANIFEST_MEDIA_TYPES.has(mediaType)) {
      // Some registries answer application/json: the body's mediaType (or its shape) decides.
      try {
        const j = JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown; manifests?: unknown; layers?: unknown; schemaVersion?: unknown };
        if (typeof j.mediaType === "string") mediaType = j.mediaType;
        else if (j.schemaVersion === 1) mediaType = MEDIA.dockerV1;
        else if (Array.isArray(j.manifests)) mediaType = MEDIA.ociIndex;
        else if (Array.isArray(j.layers)) mediaType = MEDIA.ociManifest;
      } catch {
        rfail("manifest-invalid", `the manifest is not JSON`);
      }
    }
    if (mediaType === MEDIA.dockerV1 || mediaType === MEDIA.dockerV1Signed) rfail("unsupported-media-type", `the image has a Docker schema 1 manifest, which is deprecated: push it again with a current docker or skopeo`);
    if (!INDEX_MEDIA_TYPES.has(mediaType) && !MANIFEST_MEDIA_TYPES.has(mediaType)) rfail("unsupported-media-type", `the manifest has media type ${mediaType || "(none)"}, which is neither an image manifest nor an index`);
    return { bytes, mediaType, digest };
  }

  /** GET a blob as a stream (the caller verifies size and digest while reading). */
  async getBlob(digest: string): Promise<{ stream: IncomingMessage; length: number | null }> {
    const res = await this.request("GET", `blobs/${digest}`);
    if (res.status === 404) {
      const b = await readBody(res.body, 64 * 1024, "the error");
      rfail("blob-missing", `blob ${digest} is not in ${this.registry}/${this.repository} (${registryMessage(b) || 404})`, { digest, status: 404 });
    }
    if (res.status !== 200) {
      const b = await readBody(res.body, 64 * 1024, "the error");
      rfail("registry-error", `${this.registry} answered ${res.status} for blob ${digest}: ${registryMessage(b)}`, { digest, status: res.status });
    }
    const len = Number(res.headers["content-length"]);
    return { stream: res.body, length: Number.isFinite(len) ? len : null };
  }

  async hasBlob(digest: string, actions = "pull"): Promise<boolean> {
    const res = await this.request("HEAD", `blobs/${digest}`, { actions });
    res.body.resume();
    return res.status === 200;
  }

  /** Uploads a blob (monolithic: POST for a location, then PUT with the digest), unless the registry has it. */
  async pushBlob(digest: string, size: number, open: () => Readable | Buffer): Promise<"exists" | "uploaded"> {
    if (await this.hasBlob(digest, "pull,push")) return "exists";
    const start = await this.request("POST", "blobs/uploads/", { actions: "pull,push", headers: { "content-length": "0" } });
    const sb = await readBody(start.body, 64 * 1024, "the upload answer");
    if (start.status !== 202 || !start.headers.location) rfail("registry-error", `${this.registry} did not start a blob upload (${start.status}: ${registryMessage(sb)})`, { status: start.status });
    const loc = new URL(start.headers.location, this.base!);
    loc.searchParams.set("digest", digest);
    const put = await this.request("PUT", loc, { actions: "pull,push", body: open(), headers: { "content-type": "application/octet-stream", "content-length": String(size) } });
    const pb = await readBody(put.body, 64 * 1024, "the upload answer");
    if (put.status !== 201) rfail(put.status === 400 && /DIGEST_INVALID/.test(pb.toString()) ? "digest-mismatch" : "registry-error", `${this.registry} refused blob ${digest} (${put.status}: ${registryMessage(pb)})`, { digest, status: put.status });
    return "uploaded";
  }

  /** PUT a manifest under a tag (or its digest); returns the digest the registry stored. */
  async putManifest(ref: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request("PUT", `manifests/${ref}`, { actions: "pull,push", body: bytes, headers: { "content-type": mediaType, "content-length": String(bytes.length) } });
    const b = await readBody(res.body, 64 * 1024, "the answer");
    if (res.status !== 201) rfail("registry-error", `${this.registry} refused the manifest (${res.status}: ${registryMessage(b)})`, { status: res.status });
    const digest = sha256Hex(bytes);
    const stated = res.headers["docker-content-digest"];
    if (typeof stated === "string" && stated !== digest) rfail("digest-mismatch", `the registry stored the manifest as ${stated}, but its bytes have digest ${digest}`, { digest });
    return digest;
  }
}
