// Pushes a compiled artifact as a Wasm OCI artifact, the layout the Wasm
// ecosystem's tools read (wkg, wasmCloud, Spin): an OCI image manifest whose
// config has media type application/vnd.wasm.config.v0+json and whose one
// layer is the module or component, application/wasm. The blob is streamed
// from the file; the manifest goes under the reference's tag.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { err, ok, type Result } from "../result";
import { RegistryClient, MEDIA, type ClientOptions } from "./client";
import { rfail, toRegistryError, type RegistryError } from "./errors";
import { parseReference, withDigest } from "./reference";

export const WASM_CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v0+json";
export const WASM_LAYER_MEDIA_TYPE = "application/wasm";

export interface PushOptions extends ClientOptions {
  /** `host/repo:tag` (a digest in it is refused: the registry decides the digest). */
  reference: string;
  /** The .wasm file (a component where there is one). */
  file: string;
  kind: "module" | "component";
  /** For the config: the component's imports/exports, when known. */
  component?: { imports?: string[]; exports?: string[] };
  /** Annotations on the manifest (e.g. the source image). */
  annotations?: Record<string, string>;
  onLog?: (line: string) => void;
  onProgress?: (sent: number, total: number) => void;
}

export interface PushResult {
  reference: string;
  /** `registry/repo:tag@sha256:…` */
  pinned: string;
  digest: string;
  tag: string;
  layerDigest: string;
  bytes: number;
  blob: "exists" | "uploaded";
}

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return "sha256:" + h.digest("hex");
}

export async function pushArtifact(o: PushOptions): Promise<Result<PushResult, RegistryError>> {
  const parsed = parseReference(o.reference);
  if (!parsed.ok) return parsed;
  const ref = parsed.value;
  try {
    if (ref.digest) rfail("reference-invalid", "push to a tag (repo:tag), not a digest: the registry computes the digest");
    const size = (await stat(o.file)).size;
    const layerDigest = await sha256File(o.file);
    const client = new RegistryClient(ref.registry, ref.repository, o);
    let sent = 0;
    const blob = await client.pushBlob(layerDigest, size, () => {
      const s = createReadStream(o.file, { highWaterMark: 1 << 20 });
      s.on("data", (c) => o.onProgress?.((sent += (c as Buffer).length), size));
      return s;
    });
    o.onLog?.(`layer ${layerDigest.slice(0, 19)}… (${size} bytes) ${blob === "exists" ? "already in the registry" : "uploaded"}`);
    const config = Buffer.from(
      JSON.stringify({
        created: new Date().toISOString(),
        architecture: "wasm",
        os: o.kind === "component" ? "wasip2" : "wasip1",
        layerDigests: [layerDigest],
        ...(o.kind === "component" ? { component: { exports: o.component?.exports ?? [], imports: o.component?.imports ?? [], target: null } } : {}),
      }),
    );
    const configDigest = "sha256:" + createHash("sha256").update(config).digest("hex");
    await client.pushBlob(configDigest, config.length, () => config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        artifactType: WASM_CONFIG_MEDIA_TYPE,
        config: { mediaType: WASM_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
        layers: [{ mediaType: WASM_LAYER_MEDIA_TYPE, digest: layerDigest, size }],
        ...(o.annotations && Object.keys(o.annotations).length ? { annotations: o.annotations } : {}),
      }),
    );
    const digest = await client.putManifest(ref.tag!, manifest, MEDIA.ociManifest);
    o.onLog?.(`pushed ${ref.canonical} → ${digest}`);
    return ok({ reference: ref.canonical, pinned: withDigest(ref, digest).canonical, digest, tag: ref.tag!, layerDigest, bytes: size, blob });
  } catch (e) {
    return err(toRegistryError(e, o.reference));
  }
}
