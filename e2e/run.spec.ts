import { expect, test } from "@playwright/test";
import { dropFromPalette, newProject, nodeByName, snap, wire } from "./helpers";

test("run the sample project in both modes; values show on the canvas; compare", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("new-from-example").selectOption("sample-csv-over-http");
  await page.waitForURL(/\/projects\//);
  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  await panel.getByTestId("run-input").fill('[{"city":"Lisbon","temp":21.5},{"city":"Oslo","temp":4}]');
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(panel.getByTestId("run-output")).toContainText("HTTP 200");
  await expect(panel.getByTestId("run-output")).toContainText("city,temp\nLisbon,21.5\nOslo,4");
  // Per-node values read from the canvas: the transformer produced CSV.
  await expect(nodeByName(page, "json-to-csv").getByTestId("node-run")).toContainText("city,temp");
  await expect(nodeByName(page, "csv-cache").getByTestId("node-run")).toContainText("call");
  await expect(page.locator('[data-testid^="edge-"]').filter({ hasText: "process" }).first()).toBeVisible();
  await snap(page, "run-in-process");

  await panel.getByTestId("run-mode").selectOption("network");
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(panel.getByTestId("run-status")).toContainText("network");
  await expect(nodeByName(page, "json-to-csv").getByTestId("node-run")).toContainText("city,temp");

  // composed: the sample's components as one component, as the WAC export deploys them; the same answer
  await panel.getByTestId("run-mode").selectOption("composed");
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(panel.getByTestId("run-status")).toContainText("in-process, composed");
  await expect(panel.getByTestId("run-output")).toContainText("city,temp\nLisbon,21.5\nOslo,4");

  await panel.getByTestId("compare-requests").fill("100");
  await panel.getByTestId("compare-start").click();
  await expect(panel.getByTestId("compare-table")).toBeVisible({ timeout: 90_000 });
  await expect(panel.getByTestId("compare-ratio")).toContainText("×");
  // The ratio is a number, and the breakdown of a request is shown for both modes.
  const ratio = Number(/([\d.]+)× the throughput/.exec((await panel.getByTestId("compare-ratio").textContent()) ?? "")?.[1]);
  expect(ratio).toBeGreaterThan(0);
  // Each mode says how long it warmed up before the measured requests.
  for (const id of ["compare-warmup-in", "compare-warmup-net"]) await expect(panel.getByTestId(id)).toContainText(/^\d+ \((until steady|capped)\)$/);
  // The sample composes: the in-process side is the composed unit, and the panel says so; its members are timed inside it
  // (the cache answers repeated requests itself, so json-to-csv is not called after the warm-up).
  await expect(panel.getByTestId("compare-typed-mode")).toHaveAttribute("data-mode", "composed");
  await expect(panel.getByTestId("compare-table").getByTestId("modes-head-in")).toContainText("composed");
  const breakdown = panel.getByTestId("compare-breakdown");
  await expect(breakdown.locator('[data-part="ingress"]')).toBeVisible();
  for (const node of ["gateway", "cache"]) await expect(breakdown.locator(`[data-part="node:${node}"]`)).toBeVisible();
  await expect(breakdown.locator('[data-part^="wire:"]').first()).toBeVisible();
  // The parts add up to the measured request (within a small margin), in each mode.
  for (const mode of ["in-process", "network"]) {
    const cells = await breakdown.locator(`[data-testid="breakdown-row"] td[data-mode="${mode}"]`).allTextContents();
    const sum = cells.reduce((a, t) => a + (t.endsWith(" µs") ? Number(t.slice(0, -3)) / 1000 : t.endsWith(" ms") ? Number(t.slice(0, -3)) : 0), 0);
    const total = Number(await breakdown.getByTestId(mode === "in-process" ? "breakdown-total-in" : "breakdown-total-net").getAttribute("data-ms"));
    expect(Math.abs(sum - total)).toBeLessThanOrEqual(Math.max(0.05 * total, 0.01 * cells.length));
  }
  await expect(panel.getByTestId("compare-baseline")).toContainText("HTTP/1.1");
  await snap(page, "run-compare");
});

test("run a pipeline built by hand; a missing link is reported on the node", async ({ page }) => {
  await newProject(page, "Hand-built run");
  await dropFromPalette(page, "builtin-http-handler", { x: 520, y: 120 });
  await dropFromPalette(page, "builtin-tokenizer", { x: 120, y: 60 });
  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  // Two unconnected components: the run cannot tell which one takes the input.
  await panel.getByTestId("run-input").fill("The quick brown fox jumps over the lazy dog. The dog sleeps.");
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-error")).toHaveAttribute("data-kind", "ambiguous-entry", { timeout: 60_000 });
  // Wired to the tokenizer but with its log import open: a missing link, named on the node.
  await wire(page, nodeByName(page, "tokenizer").getByTestId("handle-out-exp:trellis:pipeline/stage"), nodeByName(page, "http-handler").getByTestId("handle-in-imp:trellis:pipeline/stage"));
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-error")).toHaveAttribute("data-kind", "missing-link", { timeout: 60_000 });
  await expect(nodeByName(page, "http-handler").getByTestId("node-run")).toContainText("missing-link");
  await dropFromPalette(page, "builtin-logger", { x: 120, y: 200 });
  await wire(page, nodeByName(page, "logger").getByTestId("handle-out-exp:trellis:pipeline/log"), nodeByName(page, "http-handler").getByTestId("handle-in-imp:trellis:pipeline/log"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(panel.getByTestId("run-output")).toContainText("the");
  await expect(nodeByName(page, "tokenizer").getByTestId("node-run")).toContainText("1 call");
  await snap(page, "run-hand-built");
});
