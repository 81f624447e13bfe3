// Where a run gets each node's component bytes: built-ins from the build,
// uploads from the component store, compiled containers from their compile
// job's directory. Resolvers never throw: a missing or unreadable component is
// a typed RunError (or, for the optional wasi:http component, undefined).
import { existsSync, readFileSync } from "node:fs";
import { resolve as resolvePath, sep } from "node:path";
import { readBuiltinWasm } from "../builtins/artifacts";
import { builtinBySource } from "../builtins/catalog";
import type { TopologyNode } from "../graph/types";
import { err, ok, type Result } from "../result";
import type { RunError } from "./types";

export type ComponentResolver = (node: TopologyNode) => Result<Uint8Array, RunError> | Promise<Result<Uint8Array, RunError>>;

/**
 * A compiled HTTP service's wasi:http component (lib/compile/http-component.ts), when its compile
 * job built one (for whichever port: the run tells it `guestPort`, the port the node marks HTTP);
 * undefined sends the run to the guest behind a published port (http-service.ts) instead.
 */
export type HttpComponentResolver = (node: TopologyNode, guestPort: number) => Promise<Uint8Array | undefined>;

/** Built-ins (`builtin:<id>`) from build/builtins; anything else is refused. */
export const resolveBuiltin: ComponentResolver = (node) => {
  const b = builtinBySource(node.config.source);
  if (!b) {
    const why = node.config.source?.startsWith("user:")
      ? "its WIT was written or edited here, so there is no binary for it; upload a component built against that WIT"
      : `source ${node.config.source ?? "unset"} is not a built-in, an upload or a compiled container`;
    return err({ kind: "missing-component", message: `'${node.name}' has no runnable component: ${why}`, nodeId: node.id });
  }
  const r = readBuiltinWasm(b.id);
  return r.ok ? r : err({ kind: "missing-component", message: r.error.message, nodeId: node.id });
};

type NativeResult = { extraFiles?: { file: string; role: string }[]; details?: { httpComponent?: { file?: string; port?: number } } };
type Produced = { kind?: string; file?: string; native?: NativeResult };

/** A node's compile job from the job store, and the path of a file it names, kept inside the job's directory. */
interface CompiledJob {
  jobId: string;
  state: string;
  produced: Produced | undefined;
  /** The absolute path of `file` in the job's directory, or undefined for a name that leads outside it. */
  pathOf(file: string): string | undefined;
}

/** Undefined for an unknown job id; throws only when the job store itself cannot open. */
async function compiledJob(jobId: string): Promise<CompiledJob | undefined> {
  const { startJobQueue } = await import("../jobs/index");
  const queue = await startJobQueue();
  const job = queue.get(jobId);
  if (!job) return undefined;
  const dir = resolvePath(queue.jobDir(jobId));
  const pathOf = (file: string) => {
    const path = resolvePath(dir, file);
    return path.startsWith(dir + sep) ? path : undefined;
  };
  return { jobId, state: job.state, produced: (job.result as { produced?: Produced } | null | undefined)?.produced, pathOf };
}

/** A compiled container's artifact (a WASI command module) from the job that produced it. */
export const resolveCompiled: ComponentResolver = async (node) => {
  const jobId = node.config.compile?.jobId;
  if (!jobId) return err({ kind: "missing-component", message: `'${node.name}' has no compile job`, nodeId: node.id });
  try {
    const job = await compiledJob(jobId);
    if (!job) return err({ kind: "missing-component", message: `compile job ${jobId} of '${node.name}' has no artifact (no such job)`, nodeId: node.id });
    const { produced } = job;
    if (job.state !== "succeeded" || !produced?.file)
      return err({ kind: "missing-component", message: `compile job ${job.jobId} of '${node.name}' has no artifact (${job.state})`, nodeId: node.id });
    if (produced.kind !== "wasm-module" && produced.kind !== "native-artifact")
      return err({ kind: "unsupported-node", message: `'${node.name}' compiled to a ${produced.kind ?? "unknown artifact"}; only WASI command modules run as stdin → stdout stages`, nodeId: node.id });
    // a native image's artifact is the x86-64 core with the rootfs embedded; a rootfs shipped beside it needs a preopen runs do not give
    if (produced.native?.extraFiles?.some((x) => x.role.startsWith("rootfs")))
      return err({ kind: "unsupported-node", message: `'${node.name}' has its rootfs in a separate file (a large image); runs take artifacts with the rootfs embedded only`, nodeId: node.id });
    const file = job.pathOf(produced.file);
    if (!file) return err({ kind: "missing-component", message: `the artifact of job ${job.jobId} lies outside its directory`, nodeId: node.id });
    return ok(new Uint8Array(readFileSync(file)));
  } catch (e) {
    return err({ kind: "missing-component", message: `cannot read the artifact of '${node.name}': ${(e as Error).message}`, nodeId: node.id });
  }
};

export const resolveCompiledHttp: HttpComponentResolver = async (node) => {
  const jobId = node.config.compile?.jobId;
  if (!jobId) return undefined;
  try {
    const job = await compiledJob(jobId);
    if (job?.state !== "succeeded") return undefined;
    const native = job.produced?.native;
    const http = native?.details?.httpComponent;
    // built for one port; the run names the node's HTTP port to it (TRELLIS_HTTP_PORT, serveFromComponent)
    if (!http?.file || !native?.extraFiles?.some((x) => x.file === http.file)) return undefined;
    const file = job.pathOf(http.file);
    if (!file || !existsSync(file)) return undefined;
    return new Uint8Array(readFileSync(file));
  } catch {
    return undefined; // no job store here: the guest is served through its published port
  }
};

/** What the run needs of the uploaded-components store (lib/components). */
export interface UploadSource {
  get(id: string): { name: string; kind: string } | undefined;
  readWasm(id: string): Uint8Array | undefined;
}

/** `upload:<id>` components from a store of uploads. */
export function uploadResolver(store: () => UploadSource): ComponentResolver {
  return (node) => {
    const id = node.config.source?.slice("upload:".length) ?? "";
    let up: ReturnType<UploadSource["get"]>;
    let bytes: Uint8Array | undefined;
    try {
      const s = store();
      up = s.get(id);
      bytes = up && s.readWasm(id);
    } catch (e) {
      return err({ kind: "missing-component", message: `cannot read uploaded component ${id}: ${(e as Error).message}`, nodeId: node.id });
    }
    if (!up || !bytes) return err({ kind: "missing-component", message: `'${node.name}' refers to upload ${id}, which is gone`, nodeId: node.id });
    if (up.kind === "core-module")
      return err({ kind: "unsupported-node", message: `'${node.name}' is a core module (${up.name}), not a component: it cannot be called by interface until wrapped`, nodeId: node.id });
    return ok(bytes);
  };
}

/** Uploaded components from the app's store (`$TRELLIS_DATA_DIR/components`). */
export const resolveUpload: ComponentResolver = async (node) => {
  const { componentStore } = await import("../components/http");
  return uploadResolver(componentStore)(node);
};

/** Built-ins and uploads for components, compile-job artifacts for compiled containers. */
export const resolveDefault: ComponentResolver = (node) => {
  if (node.kind === "compiled") return resolveCompiled(node);
  if (node.config.source?.startsWith("upload:")) return resolveUpload(node);
  return resolveBuiltin(node);
};
