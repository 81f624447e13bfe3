// importManifest: text of a wasmCloud 2 WorkloadDeployment/Workload, a wadm manifest, Kubernetes YAML (incl. SpinApp),
// docker-compose file or spin.toml → a design document plus what was skipped.
import { parse as parseToml } from "smol-toml";
import type { DesignDocument } from "../../graph/types";
import { layoutTopology } from "../../graph/layout";
import { err, ok, type Result } from "../../result";
import type { ImportError, ImportFormat, ImportSuccess, SkippedItem } from "../types";
import type { TopologyBuilder } from "./builder";
import { importCompose } from "./compose";
import { importK8s } from "./k8s";
import { importSpinToml } from "./spin-toml";
import { importWadm } from "./wadm";
import { WASMCLOUD_API_VERSION } from "../validate-wasmcloud";
import { MAX_IMPORT_BYTES, asRecord, asString, parseYaml, type YamlDoc } from "./yaml";

const looksLikeToml = (text: string): boolean => {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const first = lines[0] ?? "";
  return /^\[\[?[A-Za-z0-9_."-]+\]\]?$/.test(first) || /^[A-Za-z0-9_."-]+\s*=/.test(first) || /^\s*spin_(manifest_)?version\s*=/m.test(text);
};

function detect(docs: YamlDoc[]): ImportFormat | null {
  const objs = docs.map((d) => asRecord(d.value)).filter((o): o is Record<string, unknown> => !!o);
  if (objs.some((o) => asString(o.apiVersion)?.startsWith("core.oam.dev/"))) return "wadm";
  if (objs.some((o) => o.apiVersion === WASMCLOUD_API_VERSION)) return "wasmcloud";
  if (objs.some((o) => typeof o.apiVersion === "string" && typeof o.kind === "string")) return "k8s";
  if (objs.length === 1 && asRecord(objs[0]!.services) && objs[0]!.apiVersion === undefined) return "compose";
  return null;
}

/**
 * Parses and converts without laying out (nodes sit on a grid). Pure and
 * synchronous; `importManifest` adds the ELK layout.
 */
export function parseManifest(text: string, hint?: ImportFormat): Result<ImportSuccess, ImportError> {
  if (text.length > MAX_IMPORT_BYTES) return err({ kind: "invalid", message: `input is ${text.length} bytes; the import limit is ${MAX_IMPORT_BYTES}` });
  if (text.trim() === "") return err({ kind: "empty", message: "input is empty" });
  const skipped: SkippedItem[] = [];

  if (hint === "spin-toml" || (!hint && looksLikeToml(text))) {
    let root: Record<string, unknown>;
    try {
      root = parseToml(text) as Record<string, unknown>;
    } catch (e) {
      const te = e as { message?: string; line?: number; column?: number };
      return err({
        kind: "parse",
        message: `TOML: ${(te.message ?? String(e)).split("\n")[0]}`,
        ...(typeof te.line === "number" ? { line: te.line } : {}),
        ...(typeof te.column === "number" ? { column: te.column } : {}),
      });
    }
    const hasComponents = asRecord(root.component) || Array.isArray(root.component);
    if (!hasComponents) return err({ kind: "unknown-format", message: "TOML input is not a spin.toml (no [component] tables)" });
    const r = importSpinToml(root, skipped);
    return finish("spin-toml", r.name, r.description, r.builder, skipped);
  }

  const parsed = parseYaml(text);
  if (!parsed.ok) return parsed;
  const docs = parsed.value;
  if (docs.length === 0) return err({ kind: "empty", message: "input holds no YAML documents" });
  const format = hint ?? detect(docs);
  switch (format) {
    case "wadm": {
      const r = importWadm(docs, skipped);
      return finish("wadm", r.name, r.description, r.builder, skipped);
    }
    case "k8s":
    case "wasmcloud": {
      // wasmCloud 2 files are Kubernetes YAML (workloads beside Services and Deployments); one importer reads both.
      const r = importK8s(docs, skipped);
      return finish(format, r.name, undefined, r.builder, skipped);
    }
    case "compose": {
      const root = asRecord(docs[0]!.value);
      if (!root || !asRecord(root.services)) return err({ kind: "invalid", message: "compose file has no services map" });
      const r = importCompose(root, skipped);
      return finish("compose", r.name, undefined, r.builder, skipped);
    }
    default:
      return err({
        kind: "unknown-format",
        message: "not a wasmCloud 2 or wadm manifest, Kubernetes YAML, SpinApp, docker-compose file or spin.toml (no apiVersion/kind, no services map)",
      });
  }
}

function finish(
  format: ImportFormat,
  name: string,
  description: string | undefined,
  builder: TopologyBuilder,
  skipped: SkippedItem[],
): Result<ImportSuccess, ImportError> {
  const topology = builder.build();
  if (topology.nodes.length === 0) {
    return err({
      kind: "empty",
      message: `no workloads found${skipped.length ? `; skipped: ${skipped.map((s) => `${s.kind} ${s.name} (${s.reason})`).join("; ")}` : ""}`,
      skipped,
    });
  }
  // The design format wants a name of 1–200 characters; a manifest may give "" or any length.
  const design: DesignDocument = { trellisVersion: 1, name: name.slice(0, 200) || "imported-app", ...(description ? { description } : {}), topology };
  return ok({ format, design, skipped });
}

/** Parses, converts and lays the nodes out (ELK layered, left to right). */
export async function importManifest(text: string, hint?: ImportFormat): Promise<Result<ImportSuccess, ImportError>> {
  const r = parseManifest(text, hint);
  if (!r.ok) return r;
  const topology = await layoutTopology(r.value.design.topology);
  return ok({ ...r.value, design: { ...r.value.design, topology } });
}
