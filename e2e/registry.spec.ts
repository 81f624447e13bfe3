import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import http from "node:http";
import { unzipSync } from "fflate";
import { pushArtifact } from "../lib/registry/push";
import { startRegistry, type TestRegistry } from "../lib/registry/test-registry";
import { newProject, nodeByName, snap } from "./helpers";

// A real registry behind a slow proxy (blobs trickle), so per-layer progress can be watched.
// The Host header passes through, so the registry names upload locations on the proxy.
let reg: TestRegistry;
let proxy: http.Server;
let host = "";

test.beforeAll(async () => {
  reg = await startRegistry();
  const [uh, up] = reg.host.split(":");
  proxy = http.createServer((req, res) => {
    const upstream = http.request({ host: uh, port: Number(up), method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      const slow = req.method === "GET" && (req.url ?? "").includes("/blobs/sha256:") && ur.statusCode === 200;
      if (!slow) return void ur.pipe(res);
      // Blobs trickle: 4 KiB every 150 ms, so the UI shows each layer's bytes moving.
      const chunks: Buffer[] = [];
      ur.on("data", (c: Buffer) => chunks.push(c));
      ur.on("end", () => {
        const all = Buffer.concat(chunks);
        let off = 0;
        const tick = () => {
          if (off >= all.length) return void res.end();
          res.write(all.subarray(off, off + 4096));
          off += 4096;
          setTimeout(tick, 150);
        };
        setTimeout(tick, 300);
      });
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const seeded = await pushArtifact({
    reference: `${reg.host}/acme/json-to-csv:1.0`,
    file: "build/builtins/json-to-csv.wasm",
    kind: "component",
    credentials: async () => ({ username: reg.user, password: reg.password }),
  });
  if (!seeded.ok) throw new Error(seeded.error.message);
});

test.afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await reg?.stop();
});

test("add an image by reference: credentials in the UI, per-layer progress, compile, push, export names the pushed artifact", async ({ page }, info) => {
  await newProject(page, "Registry image");
  await page.getByTestId("dock-tab-jobs").click();
  const settings = page.getByTestId("registry-settings");
  await settings.locator("summary").click();
  await settings.getByTestId("registry-host").fill(host);
  await settings.getByTestId("registry-user").fill(reg.user);
  await settings.getByTestId("registry-password").fill(reg.password);
  await settings.getByTestId("registry-save").click();
  await expect(settings.getByTestId("registry-entry")).toContainText(`${host} as ${reg.user}`);
  await settings.getByTestId("registry-push-target").fill(`${host}/pushed`);
  await settings.getByTestId("registry-push-target-save").click();
  // The password never comes back from the server.
  const shown = await (await page.request.get("/api/registry/settings")).text();
  expect(shown).toContain(host);
  expect(shown).not.toContain(reg.password);

  await page.getByTestId("add-image-ref").fill(`${host}/acme/json-to-csv:1.0`);
  await page.getByTestId("add-image-pull").click();
  const row = page.getByTestId("job-row").first();
  const layers = row.getByTestId("pull-layers");
  await expect(layers).toBeVisible({ timeout: 30_000 });
  await expect(layers.getByTestId("pull-layer")).toHaveCount(2);
  await snap(page, "registry-pull-progress");
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const node = nodeByName(page, "json-to-csv");
  await expect(node).toHaveAttribute("data-kind", "compiled");
  await expect(node.getByTestId("handle-out-exp:trellis:pipeline/stage")).toBeVisible();

  await row.getByTestId("job-open-report").click();
  const report = page.getByTestId("report-view");
  await expect(report.getByTestId("report-source")).toContainText(`${host}/acme/json-to-csv:1.0@sha256:`);
  await report.getByTestId("report-push").click();
  const pushed = report.getByTestId("report-pushed");
  await expect(pushed).toContainText(`${host}/pushed/json-to-csv-wasm:1.0@sha256:`);
  const pinned = (await pushed.locator("code").textContent())!;
  expect(readFileSync("build/builtins/json-to-csv.wasm").length).toBeGreaterThan(0);
  await snap(page, "registry-pushed");
  await report.getByTestId("report-view-close").click();

  // Every export uses the pushed reference.
  await page.getByTestId("open-export").click();
  const panel = page.getByTestId("export-panel");
  await panel.getByTestId("export-target").selectOption("wadm");
  await expect(panel.getByTestId("export-file").first()).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), panel.getByTestId("export-download-zip").click()]);
  const zip = info.outputPath("wadm.zip");
  await download.saveAs(zip);
  const texts = Object.values(unzipSync(readFileSync(zip))).map((b) => Buffer.from(b).toString("utf8"));
  expect(texts.some((t) => t.includes(pinned))).toBe(true);
});

test("a reference with junk or a missing tag: a clear message naming the reference", async ({ page }) => {
  await newProject(page, "Registry errors");
  await page.getByTestId("add-image-ref").fill("Not A Ref!");
  await page.getByTestId("add-image-pull").click();
  await expect(page.getByTestId("add-image-ref-error")).toContainText("is not an image reference");
  await page.getByTestId("add-image-ref").fill(`${reg.host}/acme/json-to-csv:nope`);
  await page.getByTestId("add-image-pull").click();
  await page.getByTestId("dock-tab-jobs").click();
  const row = page.getByTestId("job-row").first();
  await expect(row).toHaveAttribute("data-state", "failed", { timeout: 30_000 });
  await expect(row.getByTestId("job-error")).toContainText(`${reg.host}/acme/json-to-csv:nope`);
  await snap(page, "registry-pull-error");
});
