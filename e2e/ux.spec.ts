// The designer as a new user meets it (issue 19): every finding has a test here
// and leaves a screenshot under e2e/artifacts/ux-*.png.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { gzip } from "../lib/image/test-images";
import { generateDesign } from "../bench/design-gen";
import { dropFromPalette, expectAccessible, newProject, nodeByName, snap, wire } from "./helpers";

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
  // The node's menu offers the report and another compile; the report says why.
  await node.locator(".tnode-head").click({ button: "right" });
  await expect(page.getByTestId("menu-compile")).toBeVisible();
  await page.getByTestId("menu-report").click();
  await expect(page.getByTestId("report-view")).toContainText("not an image archive");
  await expectAccessible(page, "compile report", '[data-testid="report-view"]');
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("report-view")).toHaveCount(0);

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
  // "Compile again" in the node's menu is the same retry.
  await node.locator(".tnode-head").click({ button: "right" });
  await page.getByTestId("menu-compile").click();
  await expect
    .poll(async () => {
      const { jobs } = (await (await page.request.get("/api/jobs")).json()) as { jobs: { params: { fileName?: string }; attempts: number; state: string }[] };
      const j = jobs.find((x) => x.params.fileName === "holiday-photos.tar");
      return j ? `${j.attempts}/${j.state}` : "none";
    }, { timeout: 60_000 })
    .toBe("3/failed");
  // Remove takes the node away, and the problem with it.
  await node.getByTestId("node-remove").click();
  await expect(node).toHaveCount(0);
  await expect(page.getByTestId("problems-count")).toHaveAttribute("data-count", "0");
});

type Box = { x: number; y: number; width: number; height: number };

/** A point on the screen where this wire (and nothing above it) is under the mouse. */
async function pointOnWire(page: Page, index = 0): Promise<{ x: number; y: number }> {
  const p = await page.locator(".react-flow__edge").nth(index).evaluate((g) => {
    const path = g.querySelector("path.react-flow__edge-interaction, path") as SVGPathElement;
    const m = path.getScreenCTM()!;
    const len = path.getTotalLength();
    for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9]) {
      const q = path.getPointAtLength(t * len);
      const x = q.x * m.a + m.e, y = q.y * m.d + m.f;
      if (document.elementFromPoint(x, y)?.closest(".react-flow__edge") === g) return { x, y };
    }
    return null;
  });
  expect(p, "some point of the wire is not covered").not.toBeNull();
  return p!;
}
const intersects = (a: Box, b: Box, inset = 1) => a.x + inset < b.x + b.width && b.x + inset < a.x + a.width && a.y + inset < b.y + b.height && b.y + inset < a.y + a.height;
const nodeBoxes = (page: Page) => page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; }));

test("3. after a run nodes keep their size, wire labels avoid nodes, back-edges go around, a selected label is on top", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("new-from-example").selectOption("sample-csv-over-http");
  await page.waitForURL(/\/projects\//);
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
  const before = await nodeBoxes(page);
  await page.getByTestId("open-run").click();
  await page.getByTestId("run-input").fill('[{"city":"Lisbon","temp":21.5},{"city":"Oslo","temp":4}]');
  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(page.getByTestId("node-run").first()).toBeVisible();
  // The statistics are a layer: no node grew.
  const after = await nodeBoxes(page);
  expect(after.map((b) => [Math.round(b.width), Math.round(b.height)])).toEqual(before.map((b) => [Math.round(b.width), Math.round(b.height)]));
  for (let i = 0; i < after.length; i++) for (let j = i + 1; j < after.length; j++) expect(intersects(after[i]!, after[j]!)).toBe(false);
  // Every wire label is clear of every node.
  const labels = await page.locator(".tedge-label").evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; }));
  expect(labels.length).toBeGreaterThan(0);
  for (const l of labels) for (const n of after) expect(intersects(l, n)).toBe(false);
  await snap(page, "ux-3-after-run");

  // A wire into a node left of its source is routed below both, not through them.
  await newProject(page, "Back edge");
  await dropFromPalette(page, "builtin-http-handler", { x: 180, y: 140 });
  await dropFromPalette(page, "builtin-tokenizer", { x: 620, y: 120 });
  await wire(page, nodeByName(page, "tokenizer").getByTestId("handle-out-exp:trellis:pipeline/stage"), nodeByName(page, "http-handler").getByTestId("handle-in-imp:trellis:pipeline/stage"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  const boxes = [(await nodeByName(page, "tokenizer").boundingBox())!, (await nodeByName(page, "http-handler").boundingBox())!];
  const points = await page.locator(".react-flow__edge path.tedge").first().evaluate((p: SVGPathElement) => {
    const m = p.getScreenCTM()!;
    const len = p.getTotalLength();
    return Array.from({ length: 60 }, (_, i) => {
      const q = p.getPointAtLength(((i + 0.5) / 60) * len);
      return { x: q.x * m.a + m.e, y: q.y * m.d + m.f };
    });
  });
  for (const q of points) for (const b of boxes) expect(intersects({ ...q, width: 0.1, height: 0.1 }, b, 0)).toBe(false);
  // Selected, its label is drawn above everything at its spot.
  const mid = await pointOnWire(page);
  await page.mouse.click(mid.x, mid.y);
  const label = page.locator(".tedge-label.selected");
  await expect(label).toBeVisible();
  const lb = (await label.boundingBox())!;
  const top = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest(".tedge-label") !== null, { x: lb.x + lb.width / 2, y: lb.y + lb.height / 2 });
  expect(top).toBe(true);
  await snap(page, "ux-3-back-edge");
});

test("4. the minimap is collapsible and off the drop area; a port under it starts a wire, not a pan; ports are readable", async ({ page }) => {
  await newProject(page, "Minimap");
  await expect(page.locator(".react-flow__minimap")).toHaveCount(0);
  const canvas = (await page.getByTestId("canvas").boundingBox())!;
  // Dropped in the lower right corner, where the minimap used to sit.
  await dropFromPalette(page, "container", { x: canvas.width - 200, y: canvas.height - 90 });
  const node = nodeByName(page, "container");
  await expect(node).toBeVisible();
  const handle = node.getByTestId("handle-out-port:80");
  const h = (await handle.boundingBox())!;
  expect(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest(".react-flow__handle") !== null, { x: h.x + h.width / 2, y: h.y + h.height / 2 })).toBe(true);
  const viewport = () => page.locator(".react-flow__viewport").evaluate((e) => (e as HTMLElement).style.transform);
  const v0 = await viewport();
  await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
  await page.mouse.down();
  await page.mouse.move(h.x - 200, h.y - 150, { steps: 8 });
  await expect(page.locator(".react-flow__connectionline")).toHaveCount(1);
  await page.mouse.up();
  expect(await viewport()).toBe(v0);
  // Port labels at the default zoom are at least 12px tall on screen.
  const portHeight = await node.locator(".port-label").first().evaluate((e) => e.getBoundingClientRect().height);
  expect(portHeight).toBeGreaterThanOrEqual(12);
  // The minimap opens and closes (and Shift+M toggles it).
  await page.getByTestId("minimap-toggle").click();
  await expect(page.locator(".react-flow__minimap")).toBeVisible();
  await snap(page, "ux-4-minimap-open");
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Shift+M");
  await expect(page.locator(".react-flow__minimap")).toHaveCount(0);
  await snap(page, "ux-4-minimap-closed");
});

test("5. the Run panel: labelled fields, a resizable dock, a comparison that does not wrap, and what a single run means", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("new-from-example").selectOption("sample-csv-over-http");
  await page.waitForURL(/\/projects\//);
  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  await expect(panel.getByLabel("Requests")).toHaveAttribute("data-testid", "compare-requests");
  await expect(panel.getByLabel("Mode")).toHaveAttribute("data-testid", "run-mode");
  await expect(panel.getByLabel("Input for the entry node")).toHaveAttribute("data-testid", "run-input");
  // The dock resizes by its top edge, and by keyboard.
  const dock = page.getByTestId("dock");
  const h0 = (await dock.boundingBox())!.height;
  const grip = (await page.getByTestId("dock-resize").boundingBox())!;
  await page.mouse.move(grip.x + 300, grip.y + grip.height / 2);
  await page.mouse.down();
  await page.mouse.move(grip.x + 300, grip.y - 120, { steps: 6 });
  await page.mouse.up();
  const h1 = (await dock.boundingBox())!.height;
  expect(h1 - h0).toBeGreaterThan(100);
  await page.getByTestId("dock-resize").focus();
  await page.keyboard.press("ArrowDown");
  expect((await dock.boundingBox())!.height).toBeLessThan(h1);

  await panel.getByTestId("run-input").fill('[{"city":"Lisbon","temp":21.5}]');
  await panel.getByTestId("run-start").click();
  await expect(panel.getByTestId("run-status")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  // The run's lines name each node as the canvas does, not by its internal id (the sample's ids differ from its names).
  const id = page.url().split("/projects/")[1]!;
  const { doc } = (await (await page.request.get(`/api/projects/${id}`)).json()) as { doc: { topology: { nodes: { id: string; name: string }[] } } };
  const nameOf = new Map(doc.topology.nodes.map((n) => [n.id, n.name]));
  const lines = await panel.getByTestId("run-node").evaluateAll((els) => els.map((e) => ({ id: e.getAttribute("data-node-id")!, head: e.querySelector("b")!.textContent })));
  expect(lines.length).toBeGreaterThan(1);
  for (const l of lines) expect(l.head).toBe(nameOf.get(l.id));
  await expect(panel.getByTestId("run-calls")).toContainText("input → http-gateway");
  await expect(panel.getByTestId("run-calls")).toContainText("json-to-csv");
  await panel.getByTestId("compare-requests").fill("40");
  await panel.getByTestId("compare-start").click();
  const table = panel.getByTestId("compare-table");
  await expect(table).toBeVisible({ timeout: 90_000 });
  // No number breaks across lines: every cell is one line high.
  const cells = await table.locator("td:not([colspan]), th").evaluateAll((els) => els.map((e) => { const cs = getComputedStyle(e); return { h: e.getBoundingClientRect().height, lh: parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.4, ws: cs.whiteSpace, text: e.textContent }; }));
  for (const c of cells) expect(c.ws, c.text ?? "").toBe("nowrap");
  await expect(panel.getByTestId("compare-note")).toContainText("single run");
  await snap(page, "ux-5-run-panel");
});

test("6a. findable actions: shortcuts overlay, palette search, context menus, rename, empty hint, keyboard names", async ({ page }) => {
  await newProject(page, "Findable");
  await expect(page.getByTestId("empty-hint")).toBeVisible();
  await snap(page, "ux-6-empty-hint");
  // The upload actions are buttons with names, reachable by Tab.
  await expect(page.getByRole("button", { name: "Add image…" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Upload component (.wasm)…" })).toBeVisible();
  await page.getByTestId("palette-search").focus();
  const names: string[] = [];
  for (let i = 0; i < 40 && !names.includes("Upload component (.wasm)…"); i++) {
    await page.keyboard.press("Tab");
    names.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ""));
  }
  expect(names).toContain("Add image…");
  expect(names).toContain("Upload component (.wasm)…");

  // "?" lists every shortcut; Escape closes it.
  await page.locator(".react-flow__pane").click({ position: { x: 40, y: 40 } });
  await page.keyboard.press("?");
  await expect(page.getByTestId("shortcuts-help")).toBeVisible();
  expect(await page.getByTestId("shortcut-row").count()).toBeGreaterThan(12);
  await expect(page.getByTestId("shortcuts-help")).toContainText("Search the palette");
  await snap(page, "ux-6-shortcuts");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("shortcuts-help")).toHaveCount(0);

  // "/" searches the palette; arrows choose, Enter adds.
  await page.keyboard.press("/");
  await expect(page.getByTestId("palette-search")).toBeFocused();
  await page.keyboard.type("ingress");
  await expect(page.getByTestId("palette-endpoint-http-ingress")).toBeVisible();
  await expect(page.getByTestId("palette-container")).toHaveCount(0);
  await snap(page, "ux-6-palette-search");
  await page.keyboard.press("Enter");
  await expect(nodeByName(page, "http-ingress")).toBeVisible();
  await expect(page.getByTestId("empty-hint")).toHaveCount(0);

  // Canvas menu: add a node at the click.
  const canvas = (await page.getByTestId("canvas").boundingBox())!;
  await page.locator(".react-flow__pane").click({ button: "right", position: { x: 420, y: 300 } });
  await expect(page.getByTestId("context-menu")).toBeVisible();
  await snap(page, "ux-6-canvas-menu");
  await page.getByTestId("menu-add-container").click();
  const c = nodeByName(page, "container");
  await expect(c).toBeVisible();
  const cb = (await c.boundingBox())!;
  expect(Math.abs(cb.x - (canvas.x + 420 - 90))).toBeLessThan(40);

  // Node menu: duplicate, rename, delete.
  await c.locator(".tnode-head").click({ button: "right" });
  await expect(page.getByTestId("menu-rename")).toBeFocused();
  await snap(page, "ux-6-node-menu");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("menu-duplicate")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  await c.locator(".tnode-head").click({ button: "right" });
  await page.getByTestId("menu-rename").click();
  await expect(page.getByTestId("inspector-name")).toBeFocused();
  await page.keyboard.type("web");
  await page.keyboard.press("Enter");
  await expect(nodeByName(page, "web")).toBeVisible();
  await nodeByName(page, "web").locator(".tnode-head").click({ button: "right" });
  await page.getByTestId("menu-delete").click();
  await expect(nodeByName(page, "web")).toHaveCount(0);

  // Wire menu: inspect and delete.
  await wire(page, nodeByName(page, "container 2").getByTestId("handle-out-port:80"), nodeByName(page, "http-ingress").getByTestId("handle-in-net"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  const w = await pointOnWire(page);
  await page.mouse.click(w.x, w.y, { button: "right" });
  await page.getByTestId("menu-inspect").click();
  await expect(page.getByTestId("edge-inspector")).toBeVisible();
  await page.mouse.click(w.x, w.y, { button: "right" });
  await page.getByTestId("menu-delete").click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);

  // Escape closes a menu.
  await page.locator(".react-flow__pane").click({ button: "right", position: { x: 300, y: 200 } });
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("context-menu")).toHaveCount(0);

  // Rename the design from the toolbar.
  await page.getByTestId("rename-design").click();
  await page.getByTestId("project-name-input").fill("Findable, renamed");
  await page.getByTestId("project-name-input").press("Enter");
  await expect(page.getByTestId("project-name")).toHaveText("Findable, renamed");

  // Canvas menu: paste what was copied, at the click; auto-layout.
  await nodeByName(page, "http-ingress").locator(".tnode-head").click();
  await page.keyboard.press("Control+c");
  const count = await page.locator(".react-flow__node").count();
  await page.locator(".react-flow__pane").click({ button: "right", position: { x: 700, y: 120 } });
  await page.getByTestId("menu-paste").click();
  await expect(page.locator(".react-flow__node")).toHaveCount(count + 1);
  const places = () => page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => (e as HTMLElement).style.transform));
  const before = await places();
  await page.locator(".react-flow__pane").click({ button: "right", position: { x: 700, y: 120 } });
  await page.getByTestId("menu-layout").click();
  await expect.poll(places).not.toEqual(before);
});

test("6b. Escape closes every dialog, incl. the WIT editor with the cursor in the editor", async ({ page }) => {
  await newProject(page, "Escape");
  await page.getByTestId("palette-component").dblclick();
  await page.getByTestId("edit-wit").click();
  await expect(page.getByTestId("wit-editor")).toBeVisible();
  await page.locator(".wit-editor .monaco-editor").first().click();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("wit-editor")).toHaveCount(0);
  // And it opens from the node's menu.
  await nodeByName(page, "component").locator(".tnode-head").click({ button: "right" });
  await page.getByTestId("menu-edit-wit").click();
  await expect(page.getByTestId("wit-editor")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("wit-editor")).toHaveCount(0);
  for (const [open, id] of [["open-export", "export-panel"], ["open-import", "import-panel"], ["open-shortcuts", "shortcuts-help"]] as const) {
    await page.getByTestId(open).click();
    await expect(page.getByTestId(id)).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId(id)).toHaveCount(0);
  }
});

test("6c. themes follow the system, with a toggle; import a design or a manifest from the home page", async ({ page }, info) => {
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/");
  expect(await bg()).toBe("rgb(244, 246, 250)");
  await snap(page, "ux-6-home-light");
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await bg()).toBe("rgb(15, 20, 32)");
  // The toggle overrides the system and is remembered.
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await bg()).toBe("rgb(244, 246, 250)");
  await page.reload();
  expect(await bg()).toBe("rgb(244, 246, 250)");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /./);

  // A compose file becomes a new project.
  const compose = info.outputPath("shop-compose.yaml");
  writeFileSync(compose, "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n  cache:\n    image: redis:7\n");
  await page.getByTestId("import-project-input").setInputFiles(compose);
  await page.waitForURL(/\/projects\//);
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await snap(page, "ux-6-imported-manifest");
  // A broken file is refused on the home page with the reason.
  await page.goto("/");
  const bad = info.outputPath("broken.trellis.json");
  writeFileSync(bad, JSON.stringify({ trellisVersion: 1, name: "x", topology: { nodes: [{ id: "a" }], links: [] } }));
  await page.getByTestId("import-project-input").setInputFiles(bad);
  await expect(page.getByTestId("project-error")).toContainText("broken.trellis.json was not imported");
});

// One test per theme: seven axe scans each, which take a while on a loaded 2-core machine.
for (const scheme of ["dark", "light"] as const) {
  test(`6d. axe-core: no serious violations on the home page, the designer and each dialog (${scheme} theme)`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/");
    await expectAccessible(page, `home (${scheme})`);
    await page.getByTestId("new-from-example").selectOption("sample-csv-over-http");
    await page.waitForURL(/\/projects\//);
    await expect(page.locator(".react-flow__node").first()).toBeVisible();
    await expectAccessible(page, `designer (${scheme})`);
    for (const [open, id] of [["open-export", "export-panel"], ["open-import", "import-panel"], ["open-shortcuts", "shortcuts-help"]] as const) {
      await page.getByTestId(open).click();
      await expect(page.getByTestId(id)).toBeVisible();
      await expectAccessible(page, `${id} (${scheme})`, `[data-testid="${id}"]`);
      await page.keyboard.press("Escape");
    }
    await page.getByTestId("dock-tab-run").click();
    await expectAccessible(page, `run panel (${scheme})`, '[data-testid="dock"]');
    await nodeByName(page, "json-to-csv").locator(".tnode-head").click();
    await page.getByTestId("edit-wit").click();
    await expect(page.getByTestId("wit-editor")).toBeVisible();
    await expectAccessible(page, `WIT editor (${scheme})`, '[data-testid="wit-editor"]');
    await page.keyboard.press("Escape");
    await page.locator(".react-flow__pane").click({ button: "right", position: { x: 60, y: 60 } });
    await expectAccessible(page, `context menu (${scheme})`, '[data-testid="context-menu"]');
    await page.keyboard.press("Escape");
  });
}

test("7. a large design is drawn at its fit zoom from the first frame, light when far, and a drag commits once, at the drop", async ({ page, request }) => {
  const design = generateDesign(300, 450, 11);
  design.topology.nodes.forEach((n, i) => (n.position = { x: (i % 20) * 280, y: Math.floor(i / 20) * 180 }));
  const created = await request.post("/api/projects", { data: { name: "Large canvas", doc: { ...design, name: "Large canvas" } } });
  expect(created.ok()).toBe(true);
  const { id } = (await created.json()) as { id: string };
  // Record the level of detail of the first node React Flow puts in the page.
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      const first = document.querySelector(".react-flow__node [data-testid^='node-']");
      if (!first) return;
      (window as unknown as { firstLod: string }).firstLod = first.getAttribute("data-lod") ?? "near";
      obs.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`/projects/${id}`);
  const canvas = page.getByTestId("canvas");
  await expect(page.locator(".react-flow__node")).toHaveCount(300);
  await expect(canvas).toHaveAttribute("data-lod", "far");
  expect(await page.evaluate(() => (window as unknown as { firstLod?: string }).firstLod)).toBe("far");
  // Far out: no dot grid, no wire labels (the design has broken wires, which show labels up close).
  await expect(page.locator(".react-flow__background")).toHaveCount(0);
  await expect(page.locator(".tedge-label")).toHaveCount(0);
  await expect(page.getByTestId("problems-panel")).toContainText(/Problems \([1-9]/);
  // So far out that handles (under 2.5px) cannot be aimed at: they are not drawn.
  await expect(canvas).toHaveClass(/lod-tiny/);
  await expect(page.locator(".react-flow__handle").first()).toBeHidden();
  await snap(page, "ux-7-large-far");
  // Tiny handles are plain elements React Flow measures: a wire starts where its port's live handle is once zoomed in.
  const wire = design.topology.links[0]!;
  const wireStart = () =>
    page.evaluate(({ id, node, port }) => {
      const path = document.querySelector(`.react-flow__edge[data-id="${id}"] path.react-flow__edge-path`) as SVGPathElement;
      const handle = document.querySelector(`.react-flow__node[data-id="${node}"] .source[data-handleid="${port}"]`)!;
      const toFlow = path.getScreenCTM()!.inverse();
      const r = handle.getBoundingClientRect();
      const h = new DOMPoint(r.right, r.top + r.height / 2).matrixTransform(toFlow);
      const p = path.getPointAtLength(0);
      return { live: !handle.classList.contains("connectionindicator") ? "static" : "live", dx: Math.abs(p.x - h.x), dy: Math.abs(p.y - h.y) };
    }, { id: wire.id, node: wire.from.node, port: wire.from.port });
  expect((await wireStart()).live).toBe("static");

  // Drag one node: it alone moves in the saved design, and one undo puts it back.
  const node = page.locator('[data-testid="node-comp-0"]');
  const box = (await node.boundingBox())!;
  const saved = async () => ((await (await request.get(`/api/projects/${id}`)).json()) as { doc: typeof design }).doc.topology.nodes;
  const before = await saved();
  await page.mouse.move(box.x + box.width / 2, box.y + 4);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2 + i * 8, box.y + 4 + i * 4);
  await page.mouse.up();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  await expect.poll(async () => (await saved()).find((n) => n.id === "comp-0")!.position.x).toBeGreaterThan(before.find((n) => n.id === "comp-0")!.position.x + 100);
  const after = await saved();
  expect(after.filter((n, i) => n.position.x !== before[i]!.position.x || n.position.y !== before[i]!.position.y).map((n) => n.id)).toEqual(["comp-0"]);
  await page.keyboard.press("Control+z");
  await expect.poll(async () => (await saved()).find((n) => n.id === "comp-0")!.position).toEqual(before.find((n) => n.id === "comp-0")!.position);

  const zoomIn = async (until: () => Promise<boolean>, step: number) => {
    for (let i = 0; i < 40 && !(await until()); i++) {
      const cb = (await canvas.boundingBox())!;
      await page.mouse.move(cb.x + cb.width / 2, cb.y + cb.height / 2);
      await page.mouse.wheel(0, -step);
      await page.waitForTimeout(50);
    }
  };
  // Far but not tiny: live handles in the same boxes, so the wires were not re-measured.
  await zoomIn(async () => !/lod-tiny/.test((await canvas.getAttribute("class")) ?? ""), 60);
  await expect(canvas).toHaveAttribute("data-lod", "far");
  const start = await wireStart();
  expect(start.live).toBe("live");
  expect(start.dx).toBeLessThan(1);
  expect(start.dy).toBeLessThan(1);
  // Up close the grid and the broken wires' labels come back.
  await zoomIn(async () => (await canvas.getAttribute("data-lod")) === "near", 400);
  await expect(canvas).toHaveAttribute("data-lod", "near");
  await expect(canvas).not.toHaveClass(/lod-tiny/);
  await expect(page.locator(".react-flow__background")).toHaveCount(1);
  await expect(page.locator(".react-flow__handle").filter({ visible: true }).first()).toBeVisible();
});
