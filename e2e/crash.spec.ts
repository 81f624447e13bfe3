// The server dies or the connection drops while a designer is saving: nothing the server acknowledged is lost,
// the store is intact after a SIGKILL, and the designer's own lost save never comes back as a conflict.
import { expect, test, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newProject, snap, waitSaved } from "./helpers";

const nodes = (page: Page) => page.locator('[data-testid^="node-"][data-node-name]');

/** Clicks Retry if it is there; the backoff timer may already be retrying (then there is nothing to click). */
async function retryIfOffered(page: Page) {
  await page.getByTestId("save-retry").click({ timeout: 2000 }).catch(() => undefined);
}

interface Stored {
  revision: number;
  doc: { topology: { nodes: { name: string }[] } };
}

test("a save whose answer is lost after the commit is not a conflict with itself", async ({ page }) => {
  const id = await newProject(page, "Lost answer");
  let cut = 0;
  // The first save reaches the server and is committed, then the connection drops before the answer arrives.
  await page.route(`**/api/projects/${id}`, async (r) => {
    if (r.request().method() !== "PUT" || cut > 0) return r.continue();
    cut++;
    await r.fetch();
    await r.abort("connectionreset");
  });
  await page.getByTestId("palette-container").dblclick();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "error");
  const after = (await (await page.request.get(`/api/projects/${id}`)).json()) as Stored;
  expect(after.revision).toBe(2); // the server has it; the designer does not know
  await page.getByTestId("palette-container").dblclick();
  await retryIfOffered(page);
  await waitSaved(page);
  await expect(page.getByTestId("conflict")).toHaveCount(0);
  const final = (await (await page.request.get(`/api/projects/${id}`)).json()) as Stored;
  expect(final.doc.topology.nodes.length).toBe(2);
  expect(final.revision).toBeGreaterThanOrEqual(3);
  await snap(page, "crash-lost-answer");
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test.describe("SIGKILL during a burst of edits", () => {
  let dir: string;
  let port: number;
  let server: ChildProcess | undefined;

  // Its own server in its own process group, so the whole of it can be killed at once.
  const start = async () => {
    server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
      env: { ...process.env, TRELLIS_DATA_DIR: dir, TRELLIS_TOKEN: "" },
      stdio: "ignore",
      detached: true,
    });
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the server did not start");
  };
  const kill = async () => {
    const s = server!;
    const gone = new Promise((r) => s.once("exit", r));
    process.kill(-s.pid!, "SIGKILL");
    await gone;
    server = undefined;
  };

  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "trellis-crash-"));
    port = await freePort();
    await start();
  });
  test.afterAll(async () => {
    if (server) await kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test("loses nothing acknowledged, keeps the store intact, and saves the rest once the server is back", async ({ page }) => {
    test.setTimeout(150_000);
    const base = `http://127.0.0.1:${port}`;
    await page.goto(`${base}/`);
    await page.getByTestId("new-project-name").fill("Crash burst");
    await page.getByTestId("new-project").click();
    await page.waitForURL(/\/projects\//);
    const id = page.url().split("/projects/")[1]!;
    await expect(page.getByTestId("designer")).toBeVisible();

    // What the server acknowledged: the node count of every save answered 200.
    let acked = { revision: 1, nodes: 0 };
    page.on("response", (res) => {
      const req = res.request();
      if (req.method() !== "PUT" || !req.url().endsWith(`/api/projects/${id}`) || res.status() !== 200) return;
      const sent = JSON.parse(req.postData() ?? "{}") as { doc?: { topology?: { nodes?: unknown[] } } };
      void res.json().then((b: { revision: number }) => {
        if (b.revision > acked.revision) acked = { revision: b.revision, nodes: sent.doc?.topology?.nodes?.length ?? -1 };
      }, () => undefined);
    });

    // A burst of edits, with pauses long enough for saves to go out between them.
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await page.getByTestId("palette-container").dblclick();
        await page.waitForTimeout(150);
      }
    };
    await add(3);
    await expect.poll(() => acked.nodes, { timeout: 30_000 }).toBeGreaterThan(0);
    await add(3);
    // Killed while edits are pending or a save is in flight.
    await kill();
    const ackedAtKill = { ...acked };
    await add(4); // edits made while the server is down
    await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "error");
    await expect(nodes(page)).toHaveCount(10);

    // Until the test has looked at the store, the designer cannot reach the restarted server.
    await page.route(`**/api/projects/${id}`, (r) => (r.request().method() === "PUT" ? r.abort("connectionrefused") : r.continue()));
    await start(); // the store's integrity check runs on open: a damaged store would not start
    const stored = (await (await fetch(`${base}/api/projects/${id}`)).json()) as Stored;
    expect(stored.revision).toBeGreaterThanOrEqual(ackedAtKill.revision);
    expect(stored.doc.topology.nodes.length).toBeGreaterThanOrEqual(ackedAtKill.nodes);
    const list = (await (await fetch(`${base}/api/projects`)).json()) as { id: string }[] | { projects: { id: string }[] };
    expect(JSON.stringify(list)).toContain(id);

    // Now let it through: the backoff retry (or the user's Retry) saves everything, with no conflict.
    await page.unroute(`**/api/projects/${id}`);
    await retryIfOffered(page);
    await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved", { timeout: 45_000 });
    await expect(page.getByTestId("conflict")).toHaveCount(0);
    const final = (await (await fetch(`${base}/api/projects/${id}`)).json()) as Stored;
    expect(final.doc.topology.nodes.length).toBe(10);
    await page.reload();
    await expect(nodes(page)).toHaveCount(10);
    await snap(page, "crash-after-sigkill");
  });
});
