import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, newProject, snap, waitSaved } from "./helpers";

const nodes = (page: Page) => page.locator('[data-testid^="node-"][data-node-name]');

async function serverCopy(page: Page, id: string) {
  return (await (await page.request.get(`/api/projects/${id}`)).json()) as { revision: number; name: string; doc: { name: string; topology: { nodes: { name: string }[] } } };
}

test("an edit made just before clicking home is saved (flush on in-app navigation)", async ({ page }) => {
  const id = await newProject(page, "Flush on leave");
  await page.getByTestId("palette-container").dblclick();
  await expect(nodes(page)).toHaveCount(1);
  // Well inside the 500 ms debounce.
  await page.getByTestId("home-link").click();
  await expect(page.getByTestId("project-list")).toBeVisible();
  await expect.poll(async () => (await serverCopy(page, id)).doc.topology.nodes.length).toBe(1);
  await page.goto(`/projects/${id}`);
  await expect(nodes(page)).toHaveCount(1);
  await snap(page, "edits-flush-on-leave");
});

test("an edit made just before the tab closes is sent on pagehide", async ({ page, context }) => {
  const id = await newProject(page, "Flush on pagehide");
  await page.getByTestId("palette-container").dblclick();
  await expect(nodes(page)).toHaveCount(1);
  await page.close({ runBeforeUnload: false });
  const other = await context.newPage();
  await expect.poll(async () => (await serverCopy(other, id)).doc.topology.nodes.length).toBe(1);
});

test("network errors retry by themselves; a refused save keeps the edits and offers Retry", async ({ page }) => {
  const id = await newProject(page, "Retry");
  await page.route(`**/api/projects/${id}`, (r) => (r.request().method() === "PUT" ? r.abort("connectionrefused") : r.continue()));
  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "error");
  await expect(page.getByTestId("save-status")).toContainText("retrying");
  await page.unroute(`**/api/projects/${id}`);
  await waitSaved(page); // the backoff timer retried without the user
  expect((await serverCopy(page, id)).doc.topology.nodes.length).toBe(1);

  await page.route(`**/api/projects/${id}`, (r) =>
    r.request().method() === "PUT" ? r.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: { kind: "invalid-document", message: "refused for the test" } }) }) : r.continue(),
  );
  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("save-status")).toContainText("refused for the test");
  await expect(nodes(page)).toHaveCount(2);
  await page.unroute(`**/api/projects/${id}`);
  await page.getByTestId("save-retry").click();
  await waitSaved(page);
  expect((await serverCopy(page, id)).doc.topology.nodes.length).toBe(2);
});

test("edits the server never got are kept in IndexedDB and restored on reopen", async ({ page, context }) => {
  const id = await newProject(page, "Offline draft");
  // This tab cannot reach the server (its saves are dropped on the floor).
  await page.route(`**/api/projects/${id}`, (r) => (r.request().method() === "PUT" ? r.abort("connectionrefused") : r.continue()));
  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "error");
  expect((await serverCopy(page, id)).doc.topology.nodes.length).toBe(0);
  // Reopening in another tab of the same browser finds the draft, shows it and saves it.
  const again = await context.newPage();
  await again.goto(`/projects/${id}`);
  await expect(nodes(again)).toHaveCount(1);
  await waitSaved(again);
  expect((await serverCopy(again, id)).doc.topology.nodes.length).toBe(1);
  await page.unrouteAll({ behavior: "ignoreErrors" });
});

test("a 409 shows both sides; keep mine, reload theirs, or save mine as a copy", async ({ page }) => {
  const id = await newProject(page, "Conflict");
  // Someone else saves a revision with two nodes.
  const start = await serverCopy(page, id);
  const theirs = { ...start.doc, topology: { nodes: [], links: [] } };
  const put = await page.request.put(`/api/projects/${id}`, { data: { doc: { ...theirs, name: "Conflict" }, baseRevision: start.revision } });
  expect(put.status()).toBe(200);
  // Without a revision a save is refused, not applied.
  expect((await page.request.put(`/api/projects/${id}`, { data: { doc: theirs } })).status()).toBe(428);

  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("conflict")).toBeVisible();
  await expect(page.getByTestId("conflict-mine-nodes")).toHaveText("1");
  await expect(page.getByTestId("conflict-theirs-nodes")).toHaveText("0");
  await snap(page, "edits-conflict");
  await expectAccessible(page, "conflict dialog", '[data-testid="conflict"]');
  await page.getByTestId("conflict-keep-mine").click();
  await waitSaved(page);
  expect((await serverCopy(page, id)).doc.topology.nodes.length).toBe(1);

  // Again, and this time take theirs.
  let cur = await serverCopy(page, id);
  await page.request.put(`/api/projects/${id}`, { data: { doc: { ...cur.doc, topology: { nodes: [], links: [] } }, baseRevision: cur.revision } });
  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("conflict")).toBeVisible();
  await page.getByTestId("conflict-reload").click();
  await expect(nodes(page)).toHaveCount(0);
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");

  // And once more: mine goes to a copy, this project stays theirs.
  cur = await serverCopy(page, id);
  await page.request.put(`/api/projects/${id}`, { data: { doc: { ...cur.doc, topology: { nodes: [], links: [] } }, baseRevision: cur.revision } });
  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("conflict")).toBeVisible();
  await page.getByTestId("conflict-save-copy").click();
  await page.waitForURL((u) => !u.pathname.endsWith(id));
  await expect(page.getByTestId("project-name")).toHaveText("Conflict (my edits)");
  await expect(nodes(page)).toHaveCount(1);
  expect((await serverCopy(page, id)).doc.topology.nodes.length).toBe(0);
});

test("renaming from the list while the designer is open does not make its saves conflict", async ({ page }) => {
  const id = await newProject(page, "Rename me");
  const r = await page.request.patch(`/api/projects/${id}`, { data: { name: "Renamed elsewhere" } });
  expect(r.status()).toBe(200);
  await page.getByTestId("palette-container").dblclick();
  await waitSaved(page);
  await expect(page.getByTestId("conflict")).toHaveCount(0);
  const p = await serverCopy(page, id);
  expect(p.name).toBe("Renamed elsewhere");
  expect(p.doc.topology.nodes.length).toBe(1);
});
