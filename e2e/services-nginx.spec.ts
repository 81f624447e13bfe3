import { expect, test } from "@playwright/test";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stageNginx } from "../emulator/test/nginx-site";
import type { TestEntry } from "../lib/image/test-images";
import { expectExportsClean, runRequest, uploadCompiled, writeImage } from "./compiled-image";
import { dropFromPalette, newProject, nodeByName, snap, wire } from "./helpers";

/** A staged rootfs directory as tar entries (directories, files with their modes). */
function entriesOf(dir: string, prefix = ""): TestEntry[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    const st = lstatSync(path);
    const rel = `${prefix}${name}`;
    if (st.isDirectory()) return [{ name: rel, type: "directory" as const }, ...entriesOf(path, `${rel}/`)];
    return [{ name: rel, content: readFileSync(path), mode: st.mode & 0o777 }];
  });
}

// The flow with Debian's nginx: an image built in the test from the
// host's nginx package files, uploaded and compiled; its typed export wired to
// the HTTP ingress; the Run panel reads nginx's answer, served through the
// container's wasi:http component; the Spin and wasmCloud exports validate.
test("Debian nginx, compiled in the UI, answers through its wasi:http component; Spin and wasmCloud exports validate", async ({ page }, info) => {
  const stage = mkdtempSync(join(tmpdir(), "trellis-e2e-nginx-"));
  let file: string;
  try {
    stageNginx(stage, 80);
    const config = { Entrypoint: ["/usr/sbin/nginx", "-e", "stderr"], Cmd: ["-c", "/etc/nginx/nginx.conf"], ExposedPorts: { "80/tcp": {} } };
    file = await writeImage(info, "nginx-image", entriesOf(stage), config, "acme/nginx:1");
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }

  await newProject(page, "Legacy nginx");
  const { node } = await uploadCompiled(page, file, "nginx-image", 120_000);
  const handler = node.getByTestId("handle-out-exp:wasi:http/incoming-handler");
  await expect(handler).toBeVisible();

  await dropFromPalette(page, "endpoint-http-ingress", { x: 700, y: 260 });
  await wire(page, handler, nodeByName(page, "http-ingress").getByTestId("handle-in-imp:wasi:http/incoming-handler"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  await runRequest(panel, "GET /data.json");
  await expect(panel.getByTestId("run-output")).toContainText("HTTP 200");
  await expect(panel.getByTestId("run-output")).toContainText('{"answer": 42}');
  await expect(panel.getByTestId("run-http")).toHaveAttribute("data-via", "component");
  await expect(node.getByTestId("node-run")).toContainText("1 call");
  await snap(page, "run-compiled-nginx");

  await node.locator(".tnode-head").click();
  await page.getByTestId("inspector-image").fill("ghcr.io/acme/nginx-wasm:1");
  await page.getByTestId("inspector-image").press("Enter");
  await page.getByTestId("open-export").click();
  const exp = page.getByTestId("export-panel");
  await expectExportsClean(exp, ["spin", "wasmcloud"], "nginx-image");
});
