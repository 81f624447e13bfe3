import { expect, test } from "@playwright/test";
import { dropFromPalette, newProject, nodeByName, snap, waitSaved } from "./helpers";

test("export readiness in Problems, deployment settings in the inspector, carried into the Kubernetes export", async ({ page }) => {
  await newProject(page, "Deploy settings");
  await dropFromPalette(page, "builtin-json-to-csv", { x: 160, y: 80 });
  await dropFromPalette(page, "container", { x: 480, y: 260 });
  await page.getByTestId("dock-tab-problems").click();

  // The built-in component has no image: Problems says which targets that blocks and offers the fix.
  const readiness = page.getByTestId("export-readiness");
  const missing = readiness.locator('[data-testid="readiness-problem"][data-kind="missing-image"]');
  await expect(missing).toHaveCount(1);
  await expect(missing).toHaveAttribute("data-targets", /wasmcloud/);
  await missing.getByTestId("readiness-set-image").click();
  await expect(page.getByTestId("inspector-image")).toBeFocused();
  await page.getByTestId("inspector-image").fill("ghcr.io/acme/json-to-csv:0.1.0");
  await page.getByTestId("inspector-image").press("Enter");
  await expect(missing).toHaveCount(0);

  // The container gets a named volume, a memory limit and a secret reference.
  await nodeByName(page, "container").locator(".tnode-head").click();
  await page.getByTestId("volume-add").click();
  await page.getByTestId("volume-source-0").fill("pgdata");
  await page.getByTestId("volume-source-0").press("Enter");
  await page.getByTestId("volume-target-0").fill("/var/lib/postgresql/data");
  await page.getByTestId("volume-target-0").press("Enter");
  await page.getByTestId("res-memory-limit").fill("512Mi");
  await page.getByTestId("res-memory-limit").press("Enter");
  await page.getByTestId("secret-add").click();
  await page.getByTestId("health-command").fill("pg_isready");
  await page.getByTestId("health-command").press("Enter");
  await waitSaved(page);
  await snap(page, "deploy-inspector");

  await page.getByTestId("open-export").click();
  const panel = page.getByTestId("export-panel");
  await panel.getByTestId("export-target").selectOption("k8s");
  await expect(panel.locator('[data-testid="export-file"][data-valid="false"]')).toHaveCount(0);
  // The claim is the first object of kubernetes.yaml.
  await expect(panel.getByTestId("code-view").locator(".monaco-editor .view-lines")).toContainText("PersistentVolumeClaim");
  // wasmCloud 2 says what it cannot express for the container's neighbours instead of dropping it quietly.
  await panel.getByTestId("export-target").selectOption("wadm");
  await expect(panel.locator('[data-testid="export-problem"][data-kind="unsupported-node"]').filter({ hasText: "cannot express volumes" })).toHaveCount(1);
  await snap(page, "deploy-export");
});
