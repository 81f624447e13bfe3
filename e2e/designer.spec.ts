import { expect, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { dragNode, dropFromPalette, newProject, nodeByName, snap, waitSaved, wire } from "./helpers";

test("project list shows the sample; create, rename, duplicate, delete", async ({ page }) => {
  await page.goto("/");
  // Specs share one server, so projects made by earlier specs may be listed above it.
  await expect(page.locator('[data-testid="project-row"][data-project-name^="Sample"]')).toHaveCount(1);
  await newProject(page, "List test");
  await page.getByTestId("home-link").click();
  const row = page.locator('[data-testid="project-row"][data-project-name="List test"]');
  await expect(row).toBeVisible();
  await row.getByTestId("rename-project").click();
  await page.getByTestId("rename-input").fill("Renamed test");
  await page.getByTestId("rename-input").press("Enter");
  const renamed = page.locator('[data-testid="project-row"][data-project-name="Renamed test"]');
  await expect(renamed).toBeVisible();
  await renamed.getByTestId("duplicate-project").click();
  const copy = page.locator('[data-testid="project-row"][data-project-name="Renamed test (copy)"]');
  await expect(copy).toBeVisible();
  const copyUrl = (await copy.getByTestId("open-project").getAttribute("href"))!;
  page.on("dialog", (d) => void d.accept());
  await copy.getByTestId("delete-project").click();
  await expect(copy).toHaveCount(0);
  // A link to the deleted design says so, with the way back.
  await page.goto(copyUrl);
  await expect(page.getByTestId("project-missing")).toHaveAttribute("data-state", "missing");
  await expect(page.getByTestId("project-missing")).toContainText("No such design");
  await page.getByTestId("home-link").click();
  await expect(page.getByTestId("new-project")).toBeVisible();
  await page.getByTestId("new-from-example").selectOption("event-pipeline");
  await page.waitForURL(/\/projects\//);
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  await snap(page, "project-list-example");
});

test("build a graph: drag two nodes, wire them, undo/redo, reload, delete", async ({ page }) => {
  await newProject(page, "Wiring test");
  await dropFromPalette(page, "container", { x: 200, y: 200 });
  await dropFromPalette(page, "endpoint-http-ingress", { x: 650, y: 220 });
  const container = nodeByName(page, "container");
  const ingress = nodeByName(page, "http-ingress");
  await expect(container).toBeVisible();
  await expect(ingress).toBeVisible();

  // A refused wire: a network port cannot satisfy a WIT import; the reason shows.
  await wire(page, container.getByTestId("handle-out-port:80"), ingress.getByTestId("handle-in-imp:wasi:http/incoming-handler"));
  await expect(page.getByTestId("notice")).toHaveAttribute("data-kind", "port-kind-mismatch");
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);

  // An accepted wire.
  await wire(page, container.getByTestId("handle-out-port:80"), ingress.getByTestId("handle-in-net"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // Undo/redo the wire, with buttons and keys.
  await page.getByTestId("undo").click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await page.getByTestId("redo").click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await page.keyboard.press("Control+Shift+z");
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // Moves are undoable too.
  const before = await container.boundingBox();
  await dragNode(page, container, 0, 140);
  const moved = await container.boundingBox();
  expect(moved!.y - before!.y).toBeGreaterThan(100);
  await page.keyboard.press("Control+z");
  await expect.poll(async () => Math.round((await container.boundingBox())!.y)).toBe(Math.round(before!.y));
  await page.keyboard.press("Control+Shift+z");

  // The inspector edits the selected node.
  await container.locator(".tnode-head").click();
  await page.getByTestId("inspector-name").fill("web");
  await page.getByTestId("inspector-name").press("Enter");
  await expect(nodeByName(page, "web")).toBeVisible();

  // Saved, and the same after a reload.
  await waitSaved(page);
  await page.reload();
  await expect(nodeByName(page, "web")).toBeVisible();
  await expect(nodeByName(page, "http-ingress")).toBeVisible();
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await snap(page, "designer-wired");

  // Deleting a node removes its wires.
  await nodeByName(page, "web").locator(".tnode-head").click();
  await page.keyboard.press("Delete");
  await expect(nodeByName(page, "web")).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await waitSaved(page);
  await page.reload();
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
});

test("copy/paste, multi-select and auto-layout", async ({ page }) => {
  await newProject(page, "Layout test");
  await dropFromPalette(page, "container", { x: 150, y: 150 });
  await dropFromPalette(page, "endpoint-keyvalue", { x: 160, y: 420 });
  await dropFromPalette(page, "endpoint-http-ingress", { x: 170, y: 300 });
  await wire(page, nodeByName(page, "container").getByTestId("handle-out-port:80"), nodeByName(page, "http-ingress").getByTestId("handle-in-net"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  // Shift-click multi-select, copy, paste: the copies keep the wire between them.
  await nodeByName(page, "container").locator(".tnode-head").click();
  await nodeByName(page, "http-ingress").locator(".tnode-head").click({ modifiers: ["Shift"] });
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  await expect(nodeByName(page, "container 2")).toBeVisible();
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  const positions = async () =>
    page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => (e as HTMLElement).style.transform).join("|"));
  const before = await positions();
  await page.getByTestId("auto-layout").click();
  await expect(page.getByTestId("notice")).toContainText("auto-layout");
  await expect.poll(positions).not.toBe(before);
  // The provider (container) lands left of its consumer (ingress).
  const c = (await nodeByName(page, "container").boundingBox())!;
  const i = (await nodeByName(page, "http-ingress").boundingBox())!;
  expect(c.x).toBeLessThan(i.x);
  await snap(page, "designer-layout");

  // Zoomed far out, node text is not painted (level of detail); it comes back on zooming in.
  const canvas = page.getByTestId("canvas");
  await expect(canvas).toHaveAttribute("data-lod", "near");
  const cb = (await canvas.boundingBox())!;
  await page.mouse.move(cb.x + cb.width / 2, cb.y + cb.height / 2);
  for (let i = 0; i < 12 && (await canvas.getAttribute("data-lod")) !== "far"; i++) await page.mouse.wheel(0, 400);
  await expect(canvas).toHaveAttribute("data-lod", "far");
  await expect(nodeByName(page, "container").locator(".tnode-sub")).toBeHidden();
  await page.getByTestId("fit-view").click();
  await expect(canvas).toHaveAttribute("data-lod", "near");

  // Select all and delete, then undo brings everything back.
  await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node")).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
});

test("export the design as JSON and import it back; a broken file is refused", async ({ page }, info) => {
  await newProject(page, "Export test");
  await dropFromPalette(page, "container", { x: 200, y: 200 });
  await dropFromPalette(page, "endpoint-http-ingress", { x: 650, y: 220 });
  await wire(page, nodeByName(page, "container").getByTestId("handle-out-port:80"), nodeByName(page, "http-ingress").getByTestId("handle-in-net"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const file = info.outputPath("export.json");
  await download.saveAs(file);
  const doc = JSON.parse(readFileSync(file, "utf8"));
  expect(doc.trellisVersion).toBe(1);
  expect(doc.topology.nodes).toHaveLength(2);
  expect(doc.topology.links).toHaveLength(1);

  // Clear the canvas, then import the exported file.
  await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node")).toHaveCount(0);
  await page.getByTestId("import-json-input").setInputFiles(file);
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // A document with a dangling wire is refused and the canvas stays as it is.
  doc.topology.links[0].to.node = "ghost";
  const bad = info.outputPath("bad.json");
  writeFileSync(bad, JSON.stringify(doc));
  await page.getByTestId("import-json-input").setInputFiles(bad);
  await expect(page.getByTestId("notice")).toContainText("dangling wire");
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await waitSaved(page);
  await snap(page, "designer-import");
});

test("the server refuses an invalid document with 400 and keeps the stored copy", async ({ request, page }) => {
  const created = await request.post("/api/projects", { data: { name: "API test" } });
  expect(created.status()).toBe(201);
  const p = await created.json();
  const bad = await request.put(`/api/projects/${p.id}`, { data: { doc: { ...p.doc, topology: { nodes: [{ id: "x" }], links: [] } }, baseRevision: p.revision } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toContain("/topology/nodes/0/kind");
  const again = await (await request.get(`/api/projects/${p.id}`)).json();
  expect(again.revision).toBe(1);
  expect((await request.put(`/api/projects/${p.id}`, { data: Buffer.from("{not json"), headers: { "content-type": "application/json" } })).status()).toBe(400);
  // The stored design still opens as it was.
  await page.goto(`/projects/${p.id}`);
  await expect(page.getByTestId("project-name")).toHaveText("API test");
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  await snap(page, "api-refusal-project-intact");
});
