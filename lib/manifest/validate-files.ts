// Validates generated files by their content type, the check the UI runs
// before a download: wadm.yaml, SpinApp YAML, Kubernetes YAML, spin.toml.
import { parse as parseToml } from "smol-toml";
import { parseAllDocuments } from "yaml";
import { splitWitPackages } from "./export/wit-packages";
import type { ExportFile } from "./types";
import { checkWacSyntax } from "./wac-syntax";
import { validateK8sObjects, validateSpinApp, validateWadm, type SchemaError } from "./validate";
import { WASMCLOUD_API_VERSION, validateWasmcloudObject } from "./validate-wasmcloud";

export interface FileValidation {
  path: string;
  ok: boolean;
  errors: SchemaError[];
}

function yamlDocs(text: string): unknown[] | SchemaError[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const bad = list.flatMap((d) => d.errors).map((e) => ({ path: "/", message: e.message }));
  return bad.length > 0 ? bad : list.map((d) => d.toJS()).filter((d) => d !== null);
}
const isErrors = (x: unknown[] | SchemaError[]): x is SchemaError[] =>
  x.length > 0 && typeof x[0] === "object" && x[0] !== null && "message" in x[0] && "path" in x[0];

export function validateExportFiles(files: ExportFile[]): FileValidation[] {
  return files.map((f) => {
    let errors: SchemaError[] = [];
    if (/\.ya?ml$/.test(f.path)) {
      const docs = yamlDocs(f.content);
      if (isErrors(docs)) errors = docs;
      else
        for (const d of docs) {
          const o = d as { apiVersion?: string; kind?: string };
          const v = o.kind === "Application" ? validateWadm(d) : o.kind === "SpinApp" ? validateSpinApp(d) : o.apiVersion === WASMCLOUD_API_VERSION ? validateWasmcloudObject(d) : validateK8sObjects([d]);
          if (!v.ok) errors.push(...v.errors);
        }
    } else if (f.path.endsWith(".toml")) {
      try {
        const t = parseToml(f.content) as Record<string, unknown>;
        if (t.spin_manifest_version !== 2) errors.push({ path: "/spin_manifest_version", message: "must be 2" });
        if (!t.component || typeof t.component !== "object") errors.push({ path: "/component", message: "must define components" });
      } catch (e) {
        errors.push({ path: "/", message: (e as Error).message });
      }
    } else if (f.path.endsWith(".wac")) {
      const e = checkWacSyntax(f.content);
      if (e) errors.push({ path: "/", message: e });
    } else if (f.path.endsWith(".wit")) {
      const split = splitWitPackages(f.content);
      if (!split.ok) errors.push({ path: "/", message: split.message });
    }
    return { path: f.path, ok: errors.length === 0, errors };
  });
}
