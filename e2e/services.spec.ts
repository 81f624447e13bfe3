import { expect, test } from "@playwright/test";
import { busyboxEntries, expectExportsClean, runRequest, uploadCompiled, writeImage } from "./compiled-image";
import { dropFromPalette, newProject, nodeByName, snap, wire } from "./helpers";

// A legacy web server as a typed node: a native image (Debian's static busybox
// running its httpd) that exposes port 80 compiles to a node whose port is a
// wasi:http/incoming-handler export; wired to the HTTP ingress, the Run panel's
// request is answered by the httpd inside the guest, through the container's
// wasi:http component that the compile job built beside the artifact.
test("a compiled web server exports wasi:http; behind the HTTP ingress the Run panel reads its answer", async ({ page }, info) => {
  const file = await writeImage(
    info,
    "httpd-image",
    [...busyboxEntries(), { name: "www", type: "directory" }, { name: "www/index.html", content: Buffer.from("<p>hello from the guest's httpd</p>\n") }],
    { Entrypoint: ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"], ExposedPorts: { "80/tcp": {} } },
    "acme/httpd:1",
  );

  await newProject(page, "Legacy web server");
  const { node, row } = await uploadCompiled(page, file, "httpd-image");
  // Port 80 of a native image is taken as HTTP: the node exports wasi:http, and keeps its network port.
  const handler = node.getByTestId("handle-out-exp:wasi:http/incoming-handler");
  await expect(handler).toBeVisible();
  await expect(node.getByTestId("handle-out-port:80")).toBeVisible();
  await expect(node).toContainText("wasi:http/incoming-handler");
  // The compile job also built the container's wasi:http component; the run below is served by it.
  await row.getByTestId("job-open-report").click();
  const report = page.getByTestId("report-view");
  await expect(report.getByTestId("report-ports")).toHaveText("80/tcp → wasi:http/incoming-handler@0.2.0 (wasi:http component)");
  await expect(report.getByTestId("report-outcome")).toContainText("plus a component exporting wasi:http/incoming-handler@0.2.0 for guest port 80");
  await report.getByTestId("report-view-close").click();

  await dropFromPalette(page, "endpoint-http-ingress", { x: 700, y: 260 });
  const ingress = nodeByName(page, "http-ingress");
  await wire(page, handler, ingress.getByTestId("handle-in-imp:wasi:http/incoming-handler"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  await runRequest(panel, "GET /index.html");
  await expect(panel.getByTestId("run-output")).toContainText("HTTP 200");
  await expect(panel.getByTestId("run-output")).toContainText("hello from the guest's httpd");
  // the panel says the answer came through the compiled container's wasi:http component, not its published port
  await expect(panel.getByTestId("run-http")).toHaveAttribute("data-via", "component");
  await expect(panel.getByTestId("run-http")).toContainText("answered through its wasi:http component");
  await expect(node.getByTestId("node-run")).toContainText("1 call");
  await snap(page, "run-compiled-http");

  // Exported, the node is its wasi:http component: Spin gives it an HTTP trigger, wasmCloud links it; no warning names it.
  await node.locator(".tnode-head").click();
  await page.getByTestId("inspector-image").fill("ghcr.io/acme/httpd-wasm:1");
  await page.getByTestId("inspector-image").press("Enter");
  await page.getByTestId("open-export").click();
  const exp = page.getByTestId("export-panel");
  await expectExportsClean(exp, ["spin", "wasmcloud", "wadm", "k8s"], "httpd-image");
  await exp.getByTestId("export-target").selectOption("spin");
  await expect(exp.getByTestId("export-file").filter({ hasText: "spin.toml" })).toHaveCount(1);
  await expect(exp).toContainText("the wasi:http component artifact.http.wasm of compile job");
  await snap(page, "export-compiled-http-spin");
  await exp.getByTestId("export-panel-close").click();

  // Unmarking the port as HTTP takes the typed export (and its wire) away.
  await node.locator(".tnode-head").click();
  await page.getByTestId("exposed-http-0").uncheck();
  await expect(node.getByTestId("handle-out-exp:wasi:http/incoming-handler")).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
});
