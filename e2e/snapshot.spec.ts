import { expect, test } from "@playwright/test";
import { busyboxEntries, writeImage } from "./compiled-image";
import { expectAccessible, newProject, nodeByName, snap } from "./helpers";

test("a start-up snapshot is opted into beside Add image…, where its caveat shows; the inspector and the report say it was taken", async ({ page }, info) => {
  const path = await writeImage(info, "snapshot-busybox", busyboxEntries(), { Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo from a snapshot"], Env: ["PATH=/bin"] }, "acme/snapshot-busybox:1");
  await newProject(page, "Start-up snapshot");
  const box = page.getByTestId("add-image-snapshot");
  await expect(box).not.toBeChecked();
  await expect(page.getByTestId("add-image-snapshot-caveat")).toHaveCount(0);
  await box.check();
  const caveat = page.getByTestId("add-image-snapshot-caveat");
  await expect(caveat).toContainText("shares that run's random seeds");
  await expectAccessible(page, "snapshot option", ".snapshot-option");
  await snap(page, "snapshot-option");

  await page.getByTestId("add-image-input").setInputFiles(path);
  const row = page.getByTestId("job-row").first();
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 90_000 });
  const node = nodeByName(page, "snapshot-busybox");
  await expect(node).toHaveAttribute("data-kind", "compiled");
  await node.locator(".tnode-head").click();
  await expect(page.getByTestId("compile-snapshot")).toHaveAttribute("data-snapshot", "taken");
  await expect(page.getByTestId("compile-snapshot")).toContainText(/taken \(\+[\d.]+ MiB\)/);

  await row.getByTestId("job-open-report").click();
  const report = page.getByTestId("report-view");
  await expect(report.getByTestId("report-outcome")).toContainText("start-up snapshot taken");
  await expect(report.getByTestId("report-snapshot")).toContainText("taken before syscall 1"); // the echo's write
  await snap(page, "snapshot-report");
});
