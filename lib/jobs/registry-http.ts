// HTTP shapes for registries: pull an image by reference (a compile job),
// push a job's artifact, and the registry settings (credentials kept
// server-side; their passwords never leave the server). Web Request/Response only.

import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
// Narrow imports: the pull side (and lib/image) stays out of these routes' bundles.
import { insecureFromEnv } from "../registry/client";
import { authFileCredentials, firstOf } from "../registry/credentials";
import { pushArtifact, type PushResult } from "../registry/push";
import { parseReference } from "../registry/reference";
import { analyzeWit } from "../wit";
import { credentialStorePath, listStored, setPushTarget, setStored, storedCredentials } from "../registry/credential-store";
import { readJson } from "../server/body";
import { errorResponse } from "../server/errors";
import { errorJson, notFound } from "./http";
import type { JobQueue } from "./types";
import { CLI_COMPONENT_ROLE, HTTP_COMPONENT_ROLE, HTTP_HANDLER_EXPORT } from "../compile/http-component-names";

const PLATFORM_RE = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/i;
const MAX_BODY = 64 * 1024;

/** The JSON object body (application/json, at most MAX_BODY bytes; empty is `{}`), read by the edge's reader. */
async function jsonBody(req: Request): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; res: Response }> {
  const r = await readJson(req, MAX_BODY);
  if (!r.ok) return { ok: false, res: errorResponse(r.error) };
  const v = r.value ?? {};
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return { ok: true, value: v as Record<string, unknown> };
  return { ok: false, res: errorJson(400, "invalid-json", "the body must be a JSON object") };
}

/** POST /api/registry/pull `{ reference, platform?, snapshot? }` → 202 `{ jobId, job }`: a compile job that pulls first.
 *  `snapshot: true` asks for a start-up snapshot of a native image (off by default: runs resumed from it share its random seeds). */
export async function handleImagePull(req: Request, queue: JobQueue): Promise<Response> {
  const b = await jsonBody(req);
  if (!b.ok) return b.res;
  const { reference, platform, snapshot } = b.value;
  if (typeof reference !== "string") return errorJson(400, "invalid-input", "reference must be a string like registry.example/team/app:1.0");
  const ref = parseReference(reference);
  if (!ref.ok) return errorJson(400, ref.error.kind, ref.error.message);
  if (platform !== undefined && platform !== "" && (typeof platform !== "string" || !PLATFORM_RE.test(platform))) return errorJson(400, "invalid-platform", "platform must look like os/arch or os/arch/variant");
  if (snapshot !== undefined && typeof snapshot !== "boolean") return errorJson(400, "invalid-snapshot", "snapshot must be true (take a start-up snapshot) or false");
  const job = queue.enqueue({
    kind: "compile-image",
    params: { reference: ref.value.canonical, fileName: ref.value.canonical, ...(typeof platform === "string" && platform ? { platform } : {}), ...(snapshot ? { snapshot: true } : {}) },
  });
  return Response.json({ jobId: job.id, job }, { status: 202 });
}

export interface JobPush extends PushResult {
  at: string;
  /** Which file was pushed (the component where there is one). */
  file: string;
}

/** The pushes recorded for a job (newest last). */
export async function readPushes(queue: JobQueue, id: string): Promise<JobPush[]> {
  try {
    return JSON.parse(await readFile(join(queue.jobDir(id), "pushes.json"), "utf8")) as JobPush[];
  } catch {
    return [];
  }
}

/**
 * POST /api/jobs/:id/push `{ reference? }` (default: the push target setting +
 * the image's name) → `{ push }` with the tag and digest. Pushes the component
 * form when the job produced one, else the module.
 */
export async function handlePush(req: Request, queue: JobQueue, id: string, dataDir: string): Promise<Response> {
  const job = queue.get(id);
  if (!job) return notFound(id);
  const b = await jsonBody(req);
  if (!b.ok) return b.res;
  type Produced = { kind: string; file: string; wit?: string; exports?: { name: string }[]; imports?: { module: string; name: string }[]; native?: { extraFiles?: { file: string; role: string }[] } };
  const produced = (job.result as { produced?: Produced } | null)?.produced;
  if (job.state !== "succeeded" || !produced?.file) return errorJson(409, "no-artifact", `job ${id} has no artifact to push (state: ${job.state})`);
  let reference = b.value.reference;
  const store = credentialStorePath(dataDir);
  if (reference === undefined || reference === "") {
    const { pushTarget } = await listStored(store);
    if (!pushTarget) return errorJson(400, "no-push-target", "give a reference (host/repo:tag) or set a push target in the registry settings");
    const base = String(job.params.reference ?? job.params.name ?? job.params.fileName ?? "app")
      .replace(/@.*$/, "")
      .split("/")
      .pop()!
      .replace(/\.(tar|tgz|tar\.gz|oci)$/i, "")
      .toLowerCase()
      .replace(/[^a-z0-9._:-]/g, "-");
    const [name, tag] = base.includes(":") ? base.split(":") : [base, "latest"];
    reference = `${pushTarget.replace(/\/+$/, "")}/${name || "app"}-wasm:${tag || "latest"}`;
  }
  if (typeof reference !== "string") return errorJson(400, "invalid-input", "reference must be a string");
  const ref = parseReference(reference);
  if (!ref.ok) return errorJson(400, ref.error.kind, ref.error.message);
  // a compiled HTTP service pushes its wasi:http component (what platforms deploy), else the wasi:cli/run wrapper
  const httpComponent = produced.native?.extraFiles?.find((x) => x.role === HTTP_COMPONENT_ROLE)?.file;
  const component = produced.kind === "wasm-component" ? produced.file : (httpComponent ?? produced.native?.extraFiles?.find((x) => x.role === CLI_COMPONENT_ROLE)?.file);
  const file = component ?? produced.file;
  const path = join(queue.jobDir(id), file);
  if (!existsSync(path)) return errorJson(410, "artifact-gone", `the artifact of job ${id} is no longer on disk`);
  // The config names the component's world (its WIT, or wasi:cli/run for the core's wrapper).
  let world: { imports: string[]; exports: string[] } | undefined;
  if (produced.kind === "wasm-component" && produced.wit) {
    const ports = analyzeWit(produced.wit).ports;
    world = { imports: ports.filter((p) => p.direction === "import").map((p) => p.interface), exports: ports.filter((p) => p.direction === "export").map((p) => p.interface) };
  } else if (component) world = { imports: [], exports: [component === httpComponent ? HTTP_HANDLER_EXPORT : "wasi:cli/run@0.2.0"] };
  const r = await pushArtifact({
    reference: ref.value.canonical,
    file: path,
    kind: component ? "component" : "module",
    ...(world ? { component: world } : {}),
    credentials: firstOf(storedCredentials(store), authFileCredentials()),
    insecureRegistries: insecureFromEnv(),
    annotations: {
      "org.opencontainers.image.created": new Date().toISOString(),
      ...(typeof job.params.reference === "string" ? { "org.opencontainers.image.base.name": job.params.reference } : {}),
    },
    ...(req.signal ? { signal: req.signal } : {}),
  });
  if (!r.ok) return errorJson(r.error.kind === "auth-failed" ? 401 : r.error.kind === "reference-invalid" ? 400 : 502, r.error.kind, r.error.message);
  const push: JobPush = { ...r.value, at: new Date().toISOString(), file };
  const pushes = [...(await readPushes(queue, id)), push];
  await writeFile(join(queue.jobDir(id), "pushes.json"), JSON.stringify(pushes, null, 2));
  return Response.json({ push });
}

/** GET /api/registry/settings → `{ registries: [{ registry, username, updatedAt }], pushTarget }` (no passwords). */
export async function settingsResponse(dataDir: string): Promise<Response> {
  return Response.json(await listStored(credentialStorePath(dataDir)));
}

/**
 * PUT /api/registry/settings: `{ registry, username, password }` stores a
 * credential; `{ registry, remove: true }` deletes it; `{ pushTarget }` sets
 * (or with "" clears) the default push target. Answers like GET.
 */
export async function updateSettings(req: Request, dataDir: string): Promise<Response> {
  const b = await jsonBody(req);
  if (!b.ok) return b.res;
  const v = b.value;
  const store = credentialStorePath(dataDir);
  if ("pushTarget" in v) {
    const t = v.pushTarget;
    if (t !== null && t !== "" && (typeof t !== "string" || !parseReference(`${t.replace(/\/+$/, "")}/x:1`).ok || !/^[^/]+[.:][^/]*\/?|^localhost/.test(t))) {
      return errorJson(400, "invalid-push-target", "pushTarget must look like host[:port]/namespace (e.g. 127.0.0.1:5000/team)");
    }
    await setPushTarget(store, typeof t === "string" && t ? t.replace(/\/+$/, "") : null);
  }
  if ("registry" in v) {
    const reg = v.registry;
    const parsed = typeof reg === "string" ? parseReference(`${reg}/x:1`) : null;
    if (!parsed?.ok || parsed.value.registry !== (reg === "index.docker.io" ? "docker.io" : reg)) return errorJson(400, "invalid-registry", "registry must be a host[:port] such as ghcr.io or 127.0.0.1:5000");
    if (v.remove === true) await setStored(store, parsed.value.registry, null);
    else {
      if (typeof v.username !== "string" || !v.username || typeof v.password !== "string" || v.username.length > 256 || v.password.length > 8192) {
        return errorJson(400, "invalid-credential", "username and password must be non-empty strings");
      }
      await setStored(store, parsed.value.registry, { username: v.username, password: v.password });
    }
  }
  return settingsResponse(dataDir);
}
