// Builds small container images in tests (and the bench) so no binary image is
// committed: layer tars with tar-stream, docker-save and OCI layout archives.

import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import tar, { type Header } from "tar-stream";

export interface TestEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device";
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Declared size, to craft lying headers; defaults to the content length. */
  size?: number;
}

export function sha256(b: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(b).digest("hex");
}

export async function makeTar(entries: TestEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    pack.on("end", () => res());
    pack.on("error", rej);
  });
  for (const e of entries) {
    const type = e.type ?? "file";
    const content = type === "file" ? (typeof e.content === "string" ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0))) : undefined;
    const header: Partial<Header> & { name: string } = {
      name: e.name,
      type,
      mode: e.mode ?? (type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: new Date(1_700_000_000_000),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(content ? { size: content.length } : {}),
    };
    await new Promise<void>((res, rej) => {
      const cb = (err?: Error | null) => (err ? rej(err) : res());
      if (content) pack.entry(header, content, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function gzip(b: Buffer): Buffer {
  return gzipSync(b, { level: 1 });
}

/** zstd via the command line tool (Debian `zstd`), as the issue asks. */
export function zstd(b: Buffer): Buffer {
  return execFileSync("zstd", ["-q", "-c", "-3"], { input: b, maxBuffer: 1 << 30 });
}

export interface TestConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

export function configJson(c: TestConfig, diffIds: string[]): Buffer {
  const { architecture = "amd64", os = "linux", variant, ...inner } = c;
  return Buffer.from(
    JSON.stringify({
      architecture,
      os,
      ...(variant ? { variant } : {}),
      config: inner,
      rootfs: { type: "layers", diff_ids: diffIds },
    }),
  );
}

/** An uncompressed layer's diff_id, or the diff_id of a compressed one given its tar. */
export interface TestLayer {
  /** The blob as stored (maybe compressed). */
  blob: Buffer;
  /** The uncompressed tar (for diff_id); undefined for Wasm layers. */
  tar?: Buffer;
  mediaType?: string;
}

export function tarLayer(t: Buffer, compression: "none" | "gzip" | "zstd" = "none"): TestLayer {
  const blob = compression === "gzip" ? gzip(t) : compression === "zstd" ? zstd(t) : t;
  const mediaType =
    compression === "gzip" ? "application/vnd.oci.image.layer.v1.tar+gzip" : compression === "zstd" ? "application/vnd.oci.image.layer.v1.tar+zstd" : "application/vnd.oci.image.layer.v1.tar";
  return { blob, tar: t, mediaType };
}

/** A `docker save` archive (legacy layout: `<id>/layer.tar`, `<hex>.json`). */
export async function makeDockerSave(layers: TestLayer[], config: TestConfig, opts: { repoTags?: string[]; extra?: TestEntry[]; omit?: string[] } = {}): Promise<Buffer> {
  const diffIds = layers.map((l) => sha256(l.tar ?? l.blob));
  const cfg = configJson(config, diffIds);
  const cfgName = `${sha256(cfg).slice(7)}.json`;
  const layerNames = layers.map((_, i) => `${createHash("sha256").update(`layer${i}`).digest("hex")}/layer.tar`);
  const manifest = [{ Config: cfgName, RepoTags: opts.repoTags ?? ["test:latest"], Layers: layerNames }];
  const entries: TestEntry[] = [
    { name: "manifest.json", content: JSON.stringify(manifest) },
    { name: cfgName, content: cfg },
    ...layers.map((l, i) => ({ name: layerNames[i]!, content: l.blob })),
    ...(opts.extra ?? []),
  ].filter((e) => !(opts.omit ?? []).includes(e.name));
  return makeTar(entries);
}

export interface TestImage {
  layers: TestLayer[];
  config: TestConfig;
  platform?: { os: string; architecture: string; variant?: string };
  /** Config media type (Wasm artifacts use their own). */
  configMediaType?: string;
}

/** An OCI image layout archive. Several images → a multi-platform index.
 *  `corrupt` lets tests break things after digests are computed. */
export async function makeOciLayout(
  images: TestImage[],
  opts: { nested?: boolean; refName?: string; corrupt?: (blobs: Map<string, Buffer>) => void; dropBlob?: (digest: string) => boolean; sizes?: Record<string, number> } = {},
): Promise<{ archive: Buffer; digests: { manifests: string[]; configs: string[]; layers: string[][] } }> {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    const d = sha256(b);
    blobs.set(d, b);
    return d;
  };
  const manifestDescs: object[] = [];
  const digests = { manifests: [] as string[], configs: [] as string[], layers: [] as string[][] };
  for (const img of images) {
    const layerDescs = img.layers.map((l) => ({ mediaType: l.mediaType ?? "application/vnd.oci.image.layer.v1.tar", digest: add(l.blob), size: l.blob.length }));
    const cfg = configJson(img.config, img.layers.map((l) => sha256(l.tar ?? l.blob)));
    const cfgDigest = add(cfg);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: img.configMediaType ?? "application/vnd.oci.image.config.v1+json", digest: cfgDigest, size: cfg.length },
        layers: layerDescs,
      }),
    );
    const md = add(manifest);
    digests.manifests.push(md);
    digests.configs.push(cfgDigest);
    digests.layers.push(layerDescs.map((d) => d.digest));
    manifestDescs.push({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: md,
      size: opts.sizes?.[md] ?? manifest.length,
      ...(img.platform ? { platform: img.platform } : {}),
      ...(opts.refName && !opts.nested ? { annotations: { "org.opencontainers.image.ref.name": opts.refName } } : {}),
    });
  }
  let index: object = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: manifestDescs };
  if (opts.nested) {
    const inner = Buffer.from(JSON.stringify(index));
    const id = add(inner);
    index = {
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", digest: id, size: inner.length, ...(opts.refName ? { annotations: { "io.containerd.image.name": opts.refName } } : {}) }],
    };
  }
  opts.corrupt?.(blobs);
  const entries: TestEntry[] = [
    { name: "oci-layout", content: JSON.stringify({ imageLayoutVersion: "1.0.0" }) },
    { name: "index.json", content: JSON.stringify(index) },
    { name: "blobs/", type: "directory" },
    { name: "blobs/sha256/", type: "directory" },
    ...[...blobs].filter(([d]) => !opts.dropBlob?.(d)).map(([d, b]) => ({ name: `blobs/sha256/${d.slice(7)}`, content: b })),
  ];
  return { archive: await makeTar(entries), digests };
}
