import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { dropFromPalette, newProject, nodeByName, snap, waitSaved, wire } from "./helpers";

test("build a typed pipeline, export every target, download zips that validate", async ({ page }, info) => {
  await newProject(page, "Export pipeline");
  await dropFromPalette(page, "builtin-json-to-csv", { x: 130, y: 60 });
  await dropFromPalette(page, "builtin-kv-cache", { x: 130, y: 260 });
  await dropFromPalette(page, "builtin-http-gateway", { x: 470, y: 260 });
  await dropFromPalette(page, "endpoint-http-ingress", { x: 780, y: 280 });
  await dropFromPalette(page, "endpoint-keyvalue", { x: 130, y: 470 });
  await dropFromPalette(page, "container", { x: 500, y: 470 });
  const csv = nodeByName(page, "json-to-csv");
  const cache = nodeByName(page, "kv-cache");
  const gateway = nodeByName(page, "http-gateway");
  await wire(page, csv.getByTestId("handle-out-exp:trellis:pipeline/stage"), cache.getByTestId("handle-in-imp:trellis:pipeline/stage"));
  await wire(page, cache.getByTestId("handle-out-exp:trellis:pipeline/stage"), gateway.getByTestId("handle-in-imp:trellis:pipeline/stage"));
  await wire(page, gateway.getByTestId("handle-out-exp:wasi:http/incoming-handler"), nodeByName(page, "http-ingress").getByTestId("handle-in-imp:wasi:http/incoming-handler"));
  await wire(page, nodeByName(page, "key-value-store").getByTestId("handle-out-exp:wasi:keyvalue/store"), cache.getByTestId("handle-in-imp:wasi:keyvalue/store"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(4);
  await expect(page.getByTestId("problems-count")).toHaveAttribute("data-count", "0");
  await waitSaved(page);

  // Without image references wasmCloud 2 (the default target) refuses; each problem names its node.
  await page.getByTestId("open-export").click();
  const panel = page.getByTestId("export-panel");
  await expect(panel.locator('[data-testid="export-problem"][data-kind="missing-image"]')).toHaveCount(3);
  await expect(panel.getByTestId("export-blocked")).toBeVisible();
  await panel.getByTestId("export-panel-close").click();
  for (const name of ["json-to-csv", "kv-cache", "http-gateway"]) {
    await nodeByName(page, name).locator(".tnode-head").click();
    await page.getByTestId("inspector-image").fill(`ghcr.io/acme/${name}:0.1.0`);
    await page.getByTestId("inspector-image").press("Enter");
  }
  await nodeByName(page, "container").locator(".tnode-head").click();
  await page.getByTestId("inspector-image").fill("docker.io/library/postgres:16");
  await page.getByTestId("inspector-image").press("Enter");
  await waitSaved(page);
  await page.getByTestId("open-export").click();
  for (const target of ["wasmcloud", "wadm", "spin", "k8s", "wac"]) {
    await panel.getByTestId("export-target").selectOption(target);
    await expect(panel.getByTestId("export-file").first()).toBeVisible();
    await expect(panel.locator('[data-testid="export-file"][data-valid="false"]')).toHaveCount(0);
    if (target === "wac") await expect(panel.getByTestId("link-in-process").first()).toBeVisible();
    // The read-only Monaco view shows the selected file.
    await expect(panel.getByTestId("code-view").locator(".monaco-editor .view-lines")).toBeVisible();
    await snap(page, `export-${target}`);
    const [download] = await Promise.all([page.waitForEvent("download"), panel.getByTestId("export-download-zip").click()]);
    const zipPath = info.outputPath(`${target}.zip`);
    await download.saveAs(zipPath);
    const checked = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "e2e/tools/validate-zip.ts", zipPath], { encoding: "utf8" }));
    expect(checked.count, target).toBeGreaterThan(0);
    expect(checked.failures, target).toEqual([]);
  }
  // The Kubernetes export keeps the container as a Deployment and runs Wasm on a RuntimeClass.
  await panel.getByTestId("export-target").selectOption("k8s");
  const k8s = (await panel.locator('[data-testid="export-file"]').allTextContents()).join(" ");
  expect(k8s).toMatch(/\.ya?ml/);
});

test("import a docker-compose file onto the canvas; malformed YAML changes nothing", async ({ page }) => {
  await newProject(page, "Import compose");
  await page.getByTestId("open-import").click();
  const panel = page.getByTestId("import-panel");
  await panel.getByTestId("import-manifest-text").fill("services:\n  web:\n    image: nginx\n    ports: [\"80:80\"\n");
  await panel.getByTestId("import-manifest-parse").click();
  await expect(panel.getByTestId("import-error")).toContainText("line");
  await panel.getByTestId("import-manifest-file").setInputFiles("lib/manifest/fixtures/import/compose/todo.compose.yaml");
  await expect(panel.getByTestId("import-summary")).toContainText("compose: 4 nodes");
  await panel.getByTestId("import-manifest-apply").click();
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await expect(page.locator(".react-flow__edge")).not.toHaveCount(0);
  await snap(page, "import-compose");
  await page.getByTestId("undo").click();
  await expect(page.locator(".react-flow__node")).toHaveCount(0);
});
