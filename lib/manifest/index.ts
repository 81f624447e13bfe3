// Public API of lib/manifest: exporters per target, validators, importers.
import type { DesignDocument } from "../graph/types";
import { exportK8s } from "./export/k8s";
import { exportSpin } from "./export/spin";
import { exportWac } from "./export/wac";
import { exportWadm } from "./export/wadm";
import { exportWasmcloud } from "./export/wasmcloud";
import type { ExportOptions, ExportResult, ExportTarget } from "./types";

export type * from "./types";
export { isBlocking } from "./types";
export { exportWadm } from "./export/wadm";
export { exportSpin } from "./export/spin";
export { exportK8s } from "./export/k8s";
export { exportWac } from "./export/wac";
export { exportWasmcloud } from "./export/wasmcloud";
export { validateWasmcloudObject } from "./validate-wasmcloud";
export { validateWadm, validateSpinApp, validateK8sObjects, type Validation, type SchemaError } from "./validate";
export { validateExportFiles } from "./validate-files";
export { importManifest, parseManifest } from "./import/index";

export const EXPORT_TARGETS: { id: ExportTarget; label: string }[] = [
  { id: "wasmcloud", label: "wasmCloud 2" },
  { id: "wadm", label: "wasmCloud 1 (wadm, deprecated upstream)" },
  { id: "spin", label: "SpinKube (SpinApp + spin.toml)" },
  { id: "k8s", label: "Kubernetes" },
  { id: "wac", label: "WAC composition" },
];

export function exportDesign(doc: DesignDocument, target: ExportTarget, options: ExportOptions = {}): ExportResult {
  switch (target) {
    case "wasmcloud":
      return exportWasmcloud(doc, options);
    case "wadm":
      return exportWadm(doc, options);
    case "spin":
      return exportSpin(doc, options);
    case "k8s":
      return exportK8s(doc, options);
    case "wac":
      return exportWac(doc, options);
  }
}
export { zipExportFiles, fileLanguage, type FileLanguage } from "./bundle";
export { TOML_LANGUAGE_ID, WAC_LANGUAGE_ID, tomlMonarchLanguage, tomlLanguageConfiguration, wacMonarchLanguage, wacLanguageConfiguration } from "./monarch";
