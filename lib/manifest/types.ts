// Shared shapes of the manifest exporters and importers.
import type { DesignDocument } from "../graph/types";

export type ExportTarget = "wasmcloud" | "wadm" | "spin" | "k8s" | "wac";

export interface ExportFile {
  /** Relative path inside the export (forward slashes, never absolute, never `..`). */
  path: string;
  content: string;
}

export type ExportProblemKind =
  | "unsatisfied-import" // a WIT import with no wire and no host that provides it
  | "untyped-wire" // a wire between two components whose ends are not matching WIT interfaces
  | "missing-image" // a workload the target must pull has no image reference
  | "cycle" // the target needs an acyclic instantiation order
  | "unsupported-node" // the target cannot run this node; it is left out
  | "unsupported-wire" // the target cannot realise this wire as designed
  | "dangling-wire" // a wire whose node or port does not exist
  | "schema" // a generated object failed schema validation (names the object)
  | "empty"; // nothing to export for this target

export interface ExportProblem {
  kind: ExportProblemKind;
  /** `error` blocks the export (no files are produced); `warning` is advice. */
  severity: "error" | "warning";
  message: string;
  nodeIds: string[];
  linkIds: string[];
}

/** Per-target summary shown next to the files. */
export interface ExportReport {
  target: ExportTarget;
  /** Fields Trellis filled from the design, per generated object kind. */
  filled: string[];
  /** Things the user must still provide or decide before deploying. */
  leftToUser: string[];
  /** For WAC: wires that became in-process calls. Other targets: empty. */
  inProcess: { linkId: string; from: string; to: string; interface: string; file: string }[];
  /** Wires that stay network hops or host/provider mediated calls. */
  network: { linkId: string; from: string; to: string; via: string }[];
}

export interface ExportResult {
  files: ExportFile[];
  problems: ExportProblem[];
  report: ExportReport;
}

export interface ExportOptions {
  /** Registry prefix for images Trellis has to name (the SpinApp image). */
  registry?: string;
  /** Kubernetes namespace used in Service DNS names. */
  namespace?: string;
  /**
   * Only the problems: no file is written out (files is empty). Export readiness asks every target
   * after each edit; at 1,000 nodes writing the YAML it throws away was two thirds of its time.
   */
  problemsOnly?: boolean;
}

export const isBlocking = (problems: ExportProblem[]): boolean => problems.some((p) => p.severity === "error");

export type ImportFormat = "wasmcloud" | "wadm" | "k8s" | "compose" | "spin-toml";

export interface SkippedItem {
  /** What was skipped: a Kubernetes kind, `volume`, `secret`, `x-field`, `link-config`, … */
  kind: string;
  name: string;
  reason: string;
}

export interface ImportSuccess {
  format: ImportFormat;
  design: DesignDocument;
  skipped: SkippedItem[];
}

export type ImportErrorKind = "parse" | "unknown-format" | "invalid" | "empty";

export interface ImportError {
  kind: ImportErrorKind;
  message: string;
  /** 1-based position of a parse error. */
  line?: number;
  column?: number;
  /** The object (kind/name or service) the error is about, if any. */
  object?: string;
  /** For `empty`: everything the input held, and why none of it became a node. */
  skipped?: SkippedItem[];
}
