// An uploaded component that tries to open an outgoing TCP connection (lib/run/fixtures/dialer.c) is denied
// the network in a run, and the user sees the denial: in the run's output and on the component's node.
import { expect, test } from "@playwright/test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDialer } from "../lib/run/fixtures/dialer";
import { haveHostTools } from "../lib/testing/host-tools";
import { dropFromPalette, newProject, nodeByName, snap, wire } from "./helpers";

const tools = haveHostTools({ commands: ["clang-14"] }, "e2e/net-denied.spec.ts");
let dir: string;
let file: string;

test.beforeAll(async () => {
  if (!tools) return;
  dir = mkdtempSync(join(tmpdir(), "trellis-dialer-"));
  file = join(dir, "dialer.wasm");
  writeFileSync(file, await buildDialer(dir));
});
test.afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

test("an uploaded component that dials out is refused the network, and the run shows it", async ({ page }) => {
  test.skip(!tools, "clang-14 is missing");
  await newProject(page, "Phones home");
  await dropFromPalette(page, "builtin-http-handler", { x: 560, y: 140 });
  await dropFromPalette(page, "builtin-logger", { x: 160, y: 320 });
  await page.getByTestId("upload-component-input").setInputFiles(file);
  await expect(page.getByTestId("component-upload-status")).toHaveAttribute("data-state", "done");
  const dialer = nodeByName(page, "dialer");
  await expect(dialer).toBeVisible();
  // The upload moved the view to the new node: bring every node on screen before wiring.
  await page.getByTestId("fit-view").click();
  await page.waitForTimeout(400); // the fit animates for 200 ms
  await wire(page, dialer.getByTestId("handle-out-exp:trellis:pipeline/stage"), nodeByName(page, "http-handler").getByTestId("handle-in-imp:trellis:pipeline/stage"));
  await wire(page, nodeByName(page, "logger").getByTestId("handle-out-exp:trellis:pipeline/log"), nodeByName(page, "http-handler").getByTestId("handle-in-imp:trellis:pipeline/log"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  await panel.getByTestId("run-input").fill("call home");
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 90_000 });
  // The guest asked for a TCP socket and was told access-denied; the node shows the refused call.
  await expect(panel.getByTestId("run-output")).toContainText("dialer: refused (access-denied)");
  await expect(dialer.getByTestId("node-run")).toContainText(/refused|access-denied/);
  await snap(page, "net-denied");
});
