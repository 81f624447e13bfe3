// Shapes shared by the run's parent (session, compare) and the host processes
// it starts: what a host is given, a call across a wire, and its outcome.
import type { GlueStats } from "./lean-host-glue";
import type { EncodedValue } from "./codec";
import type { Binding, RunPlan } from "./plan";
import type { TranspiledComponent } from "./transpile";
import type { ComposedMembers } from "./wire-tap";
import type { HttpServing, RunError, RunLimits } from "./types";

/** A run planned and its components found: what a session starts from. */
export interface PreparedRun {
  plan: RunPlan;
  /** Components found transpiled in the cache. */
  transpiled: Map<string, TranspiledComponent>;
  /** The others: node id → component bytes on disk, transpiled by the run process. */
  pendingComponents: Map<string, string>;
  cacheDir: string;
  /** Compiled containers: node id → its WASI command module on disk. */
  commandFiles: Map<string, { name: string; file: string }>;
  /** Compiled HTTP services: which way each one answers. */
  http?: HttpServing[];
  /** A composed run: the members of its one component node (the entry's id) and their wires. */
  composed?: ComposedMembers;
}

/** A component to host: already transpiled, or its bytes to transpile here first. */
export type HostComponent = {
  id: string;
  name: string;
  bindings: Binding[];
  /** Its wasi:cli/environment (else the host's empty one). */
  env?: Record<string, string>;
  /** A composed component: its members, whose wires the host times through a wire tap. */
  members?: ComposedMembers;
} & (
  | {
      dir: string;
      jsFile: string;
      /** Import names of the transpiled component (jco's, no version). */
      imports: string[];
    }
  | { componentFile: string; cacheDir: string }
);

export type ReadyComponent = Extract<HostComponent, { jsFile: string }>;

/** A compiled container run as a WASI preview1 command per call. */
export interface HostCommand {
  id: string;
  name: string;
  /** The core module (a WASI preview1 command). */
  file: string;
}

/** A compiled container serving HTTP: its guest starts once and each request is a connection to `guestPort` (http-service.ts). */
export interface HostService {
  id: string;
  name: string;
  /** The artifact (a WASI preview1 command with its rootfs embedded). */
  file: string;
  guestPort: number;
}

export interface HostSpec {
  /** Epoch milliseconds the run started at (event times are relative to it). */
  runStart: number;
  /** Local components in instantiation order. */
  components: HostComponent[];
  /** Key-value endpoint nodes served from this host's memory. */
  keyvalueStores: string[];
  /** Compiled containers served from this host as stdin → stdout stages. */
  commands: HostCommand[];
  /** Compiled containers served from this host as wasi:http/incoming-handler (guests started once). */
  services: HostService[];
  /** nodeId → base URL (`http://127.0.0.1:port`) of the host serving it. */
  remote: Record<string, string>;
  limits: RunLimits;
  /** Report every call with its values (off for benchmarks). */
  record: boolean;
  /** Secret of this run; `POST /call` without it in `x-trellis-run` is refused. */
  callToken: string;
  /** Options for the components' glue (`lean-host-glue.ts`): jco's own host-call lowering when `leanHostCalls` is false; `stats` gets each component's task counts (in-process hosts only). */
  glue?: { leanHostCalls?: boolean; stats?: Map<string, GlueStats> };
}

/** A call into a node: the run's input, or a wire call arriving from another host. */
export interface CallRequest {
  to: string;
  interface: string;
  function: string;
  args: EncodedValue[];
  from: string | null;
  linkId: string | null;
  /** For resource methods (wasi:keyvalue bucket). */
  handle?: number;
}

/** A call's outcome as it travels over HTTP (values encoded). */
export type CallOutcome = { ok: EncodedValue } | { refused: EncodedValue } | { error: RunError };

/** A call's outcome inside a host (values as jco passes them). */
export interface InvokeOutcome {
  value?: unknown;
  refused?: unknown;
  error?: RunError;
}

/** Stops a run: a limit was hit, a trap happened, a remote host failed. */
export class RunStop extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
  }
}

/** A component-level refusal (a `result` err): jco throws it with the err value as `payload`. */
export const hasPayload = (e: unknown): e is { payload: unknown } => typeof e === "object" && e !== null && Object.prototype.hasOwnProperty.call(e, "payload");

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
