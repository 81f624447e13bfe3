import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { fileLanguage, zipExportFiles } from "./bundle";
import { exportDesign, validateExportFiles } from "./index";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DesignDocument } from "../graph/types";

const here = dirname(fileURLToPath(import.meta.url));

describe("zipExportFiles", () => {
  it("holds every file under the folder, byte for byte, and the unzipped files validate", () => {
    const doc = JSON.parse(readFileSync(join(here, "fixtures/designs/pipeline.json"), "utf8")) as DesignDocument;
    const files = exportDesign(doc, "wac").files;
    const zip = zipExportFiles(files, "order-pipeline-wac");
    expect(zipExportFiles(files, "order-pipeline-wac")).toEqual(zip);
    const back = unzipSync(zip);
    expect(Object.keys(back).sort()).toEqual(files.map((f) => `order-pipeline-wac/${f.path}`).sort());
    const unzipped = Object.entries(back).map(([path, bytes]) => ({ path: path.replace(/^order-pipeline-wac\//, ""), content: strFromU8(bytes) }));
    for (const f of files) expect(unzipped.find((u) => u.path === f.path)!.content).toBe(f.content);
    expect(validateExportFiles(unzipped).every((v) => v.ok)).toBe(true);
  });
  it("refuses paths that escape the folder", () => {
    expect(() => zipExportFiles([{ path: "../x", content: "" }], "a")).toThrow(/outside/);
  });
  it("names editor languages", () => {
    expect(["wadm.yaml", "spin/a/spin.toml", "deps/a/b/b.wit", "x.wac", "README"].map(fileLanguage)).toEqual(["yaml", "toml", "wit", "wac", "plaintext"]);
  });
});
