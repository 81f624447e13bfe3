// The designer as a new user meets it (issue 19): every finding has a test here
// and leaves a screenshot under e2e/artifacts/ux-*.png.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { gzip } from "../lib/image/test-images";
import { newProject, nodeByName, snap } from "./helpers";

/** Drops files (built in the page) on an element, as a drag from the desktop would. */
async function dropFiles(page: Page, target: Locator, files: { name: string; text: string }[]) {
  await target.evaluate((el, fs) => {
    const dt = new DataTransfer();
    for (const f of fs) dt.items.add(new File([f.text], f.name));
    const r = el.getBoundingClientRect();
    const at = { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 };
    el.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt, ...at }));
    el.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt, ...at }));
  }, files);
}

/** The whole element is inside the window (not cut off at an edge). */
async function expectOnScreen(page: Page, el: Locator) {
  const b = (await el.boundingBox())!;
  const vp = page.viewportSize()!;
  expect(b.x).toBeGreaterThanOrEqual(0);
  expect(b.y).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width).toBeLessThanOrEqual(vp.width);
  expect(b.y + b.height).toBeLessThanOrEqual(vp.height);
}

test("1. messages show as toasts where the action happened, whatever dock tab is open", async ({ page }, info) => {
  await newProject(page, "Toasts");
  // The dock shows Jobs (as after an image upload); a refused file still gets a visible message.
  await page.getByTestId("dock-tab-jobs").click();
  await dropFiles(page, page.getByTestId("palette"), [{ name: "notes.txt", text: "hello" }]);
  const toast = page.getByTestId("notice");
  await expect(toast).toContainText("notes.txt: drop a Wasm component");
  await expect(toast).toHaveAttribute("data-level", "error");
  await expect(toast).toHaveAttribute("role", "alert");
  await expectOnScreen(page, toast);
  // Next to the palette, where the file was dropped.
  const palette = (await page.getByTestId("palette").boundingBox())!;
  expect((await toast.boundingBox())!.x).toBeLessThan(palette.x + palette.width + 40);
  await expect(page.getByTestId("dock-jobs")).toBeVisible();
  await snap(page, "ux-1-toast-refused-file");

  // A bad .wasm: the whole error is readable (the palette is not where it is cut off).
  const bad = info.outputPath("broken.wasm");
  writeFileSync(bad, Buffer.from("\0asm\x01\0\0\0garbage that is not a module"));
  await page.getByTestId("upload-component-input").setInputFiles(bad);
  await expect(toast).toContainText("broken.wasm");
  await expect(toast).toHaveAttribute("data-level", "error");
  await expectOnScreen(page, toast);
  // The older message is still there until dismissed.
  await expect(page.getByTestId("toast")).toContainText("notes.txt");
  await snap(page, "ux-1-toast-bad-wasm");
  await toast.getByTestId("notice-dismiss").click();
  // The older one is now the newest.
  await expect(toast).toContainText("notes.txt");
  await toast.getByTestId("notice-dismiss").click();
  await expect(page.getByTestId("toasts").locator(".toast")).toHaveCount(0);

  // A refused import: the error belongs to the text; clearing the text retires it.
  await page.getByTestId("open-import").click();
  await page.getByTestId("import-manifest-text").fill("apiVersion: v1\nkind: [unclosed");
  await page.getByTestId("import-manifest-parse").click();
  await expect(page.getByTestId("import-error")).toBeVisible();
  await page.getByTestId("import-manifest-text").fill("");
  await expect(page.getByTestId("import-error")).toHaveCount(0);
  await snap(page, "ux-1-import-cleared");
});

test("2. a non-image upload marks its node, counts in Problems, can be retried or removed", async ({ page }, info) => {
  await newProject(page, "Failed upload");
  // The pickers only offer files of the right type.
  await expect(page.getByTestId("add-image-input")).toHaveAttribute("accept", /\.tar/);
  await expect(page.getByTestId("upload-component-input")).toHaveAttribute("accept", /\.wasm/);
  const junk = info.outputPath("holiday-photos.tar");
  writeFileSync(junk, gzip(Buffer.from("this is not a tar archive at all".repeat(50))));
  await page.getByTestId("add-image-input").setInputFiles(junk);
  const node = nodeByName(page, "holiday-photos");
  await expect(node).toHaveAttribute("data-failed", "true", { timeout: 60_000 });
  await expect(node.getByTestId("node-failure")).toContainText("not an image archive");
  await expect(node.getByTestId("node-failure")).not.toContainText("checksum");
  await expect(page.getByTestId("problems-count")).toHaveAttribute("data-count", "1");
  await page.getByTestId("dock-tab-problems").click();
  await expect(page.getByTestId("problem-compile-failed")).toContainText("holiday-photos");
  await snap(page, "ux-2-failed-upload-node");

  // Retry runs the job again (a second attempt, same verdict).
  await node.getByTestId("node-retry").click();
  await expect
    .poll(async () => {
      const { jobs } = (await (await page.request.get("/api/jobs")).json()) as { jobs: { params: { fileName?: string }; attempts: number; state: string }[] };
      const j = jobs.find((x) => x.params.fileName === "holiday-photos.tar");
      return j ? `${j.attempts}/${j.state}` : "none";
    }, { timeout: 60_000 })
    .toBe("2/failed");
  await expect(node).toHaveAttribute("data-failed", "true");
  // Remove takes the node away, and the problem with it.
  await node.getByTestId("node-remove").click();
  await expect(node).toHaveCount(0);
  await expect(page.getByTestId("problems-count")).toHaveAttribute("data-count", "0");
});
