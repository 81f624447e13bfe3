// The topology model: the single source of truth for a design. React Flow nodes
// and edges, manifests and compositions are all derived from it.

export type NodeKind = "component" | "container" | "compiled" | "endpoint";

/** Capabilities a platform (wasmCloud provider, Spin trigger/host) supplies. */
export type Capability = "http-ingress" | "keyvalue" | "messaging";

/**
 * A port is a handle on a node.
 * - `export` ports provide something (a WIT export, a container's listening
 *   port) and are React Flow *source* handles.
 * - `import` ports need something (a WIT import, a container's outbound network
 *   access) and are React Flow *target* handles.
 * A link always goes from an export port to an import port.
 */
export type PortDirection = "export" | "import";

export interface WitPort {
  id: string;
  kind: "wit";
  direction: PortDirection;
  /** Fully qualified interface: `ns:pkg/iface@version` (version optional). */
  interface: string;
}

export interface NetworkPort {
  id: string;
  kind: "network";
  direction: PortDirection;
  /** Listening port for exports; absent for the generic outbound import. */
  port?: number;
  protocol: "tcp" | "udp" | "http";
}

export type Port = WitPort | NetworkPort;

export interface EnvVar {
  name: string;
  value: string;
}

export interface ExposedPort {
  port: number;
  protocol: "tcp" | "udp";
  /** The port speaks HTTP (marked by the user, or a well-known HTTP port of the image): a compiled
   *  container then also exports `wasi:http/incoming-handler`, served by the guest on this port. */
  http?: boolean;
}

/** Storage mounted into a workload: a named volume (data that outlives the workload) or a bind of a host path. */
export interface VolumeMount {
  type: "volume" | "bind";
  /** Volume name (`volume`) or host path (`bind`). */
  source: string;
  /** Mount path inside the workload. */
  target: string;
  readOnly?: boolean;
  /** Requested size of a named volume, as a Kubernetes quantity (`1Gi`). */
  size?: string;
  accessMode?: "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod";
}

/** How to tell the workload is healthy: one check, used for both liveness and readiness. */
export interface HealthCheck {
  /** Command run inside the workload (argv; a shell command is `["sh", "-c", cmd]`). */
  exec?: string[];
  httpGet?: { path: string; port: number };
  tcpPort?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
}

/** CPU and memory as Kubernetes quantities (`500m`, `256Mi`). */
export interface ResourceAmounts {
  cpu?: string;
  memory?: string;
}

/** A value the workload reads from a secret store, by reference: the design never holds the value. */
export interface SecretRef {
  /** Secret (Kubernetes Secret, compose secret) name. */
  secret: string;
  key: string;
  /** Exposed as this environment variable… */
  env?: string;
  /** …or as a file at this path. */
  path?: string;
}

export type RestartPolicy = "always" | "on-failure" | "unless-stopped" | "never";

export interface NodeConfig {
  /** OCI reference of a container image, or of a published component. */
  image?: string;
  /** Where a component comes from: `builtin:<id>`, `upload:<artifactId>`, or a path/URL. */
  source?: string;
  /** WIT text of a component's world (the source of its WIT ports). */
  wit?: string;
  /** World inside `wit` whose imports/exports become ports. */
  world?: string;
  /** `@unstable(feature = …)` gates enabled for `wit` (none when absent, as in wit-parser). */
  witFeatures?: string[];
  env: EnvVar[];
  replicas: number;
  exposedPorts: ExposedPort[];
  /** For endpoint nodes. */
  capability?: Capability;
  volumes?: VolumeMount[];
  healthcheck?: HealthCheck;
  restartPolicy?: RestartPolicy;
  resources?: { requests?: ResourceAmounts; limits?: ResourceAmounts };
  secrets?: SecretRef[];
  /** For HTTP ingress endpoints: the host name and path prefix they serve. */
  ingress?: { host?: string; path?: string };
  /** For compiled containers: the compile job and artifact they came from. */
  compile?: {
    jobId: string;
    artifactId?: string;
    originalImage?: string;
    /** The user chose to keep this node a container after its compile succeeded. */
    keepContainer?: boolean;
    /** The job also built the container's wasi:http component: its file in the job and the guest port it serves. */
    httpComponent?: { file: string; port: number };
  };
}

export interface TopologyNode {
  id: string;
  kind: NodeKind;
  name: string;
  position: { x: number; y: number };
  ports: Port[];
  config: NodeConfig;
}

export interface LinkEnd {
  node: string;
  port: string;
}

export interface Link {
  id: string;
  /** The providing side: an export port. */
  from: LinkEnd;
  /** The needing side: an import port. */
  to: LinkEnd;
}

export interface Topology {
  nodes: TopologyNode[];
  links: Link[];
}

/** The saved design document. `trellisVersion` is bumped with a migration. */
export interface DesignDocument {
  trellisVersion: 1;
  name: string;
  description?: string;
  topology: Topology;
  viewport?: { x: number; y: number; zoom: number };
}

export const CURRENT_DESIGN_VERSION = 1 as const;
