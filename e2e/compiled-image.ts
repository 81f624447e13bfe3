import { expect, type Locator, type Page, type TestInfo } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { makeDockerSave, makeTar, tarLayer, type TestEntry } from "../lib/image/test-images";

// What the specs that compile a native image in the UI share: the image, its
// upload and compile job, a request through the Run panel, and the export check.

/** Debian's static busybox as /bin/busybox with /bin/sh pointing at it. */
export function busyboxEntries(): TestEntry[] {
  return [
    { name: "bin", type: "directory" },
    { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
    { name: "bin/sh", type: "symlink", linkname: "busybox" },
  ];
}

/** A one-layer `docker save` archive of these entries, written to the test's output folder as `<file>.tar`. */
export async function writeImage(info: TestInfo, file: string, entries: TestEntry[], config: Record<string, unknown>, tag: string): Promise<string> {
  const image = await makeDockerSave([tarLayer(await makeTar(entries), "gzip")], config, { repoTags: [tag] });
  const path = info.outputPath(`${file}.tar`);
  writeFileSync(path, image);
  return path;
}

/** Uploads an image archive through "Add image…" and waits for its compile job; the node it made is compiled. */
export async function uploadCompiled(page: Page, path: string, nodeName: string, timeout = 90_000): Promise<{ node: Locator; row: Locator }> {
  await page.getByTestId("add-image-input").setInputFiles(path);
  const row = page.getByTestId("job-row").first();
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout });
  const node = page.locator(`[data-testid^="node-"][data-node-name="${nodeName}"]`);
  await expect(node).toHaveAttribute("data-kind", "compiled");
  return { node, row };
}

/** Sends one HTTP request from the open Run panel (no pipeline input) and waits until the run is done. */
export async function runRequest(panel: Locator, request: string) {
  await panel.getByTestId("run-request").fill(request);
  await panel.getByTestId("run-input").fill("");
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 90_000 });
}

/** In the open export panel: each target's files validate and no problem names the node. */
export async function expectExportsClean(exportPanel: Locator, targets: string[], nodeName: string) {
  for (const target of targets) {
    await exportPanel.getByTestId("export-target").selectOption(target);
    await expect(exportPanel.getByTestId("export-file").first()).toBeVisible();
    await expect(exportPanel.locator('[data-testid="export-file"][data-valid="false"]')).toHaveCount(0);
    await expect(exportPanel.locator('[data-testid="export-problem"]', { hasText: nodeName })).toHaveCount(0);
  }
}
