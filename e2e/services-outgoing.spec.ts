import { expect, test } from "@playwright/test";
import { busyboxEntries, runRequest, uploadCompiled, writeImage } from "./compiled-image";
import { dropFromPalette, newProject, nodeByName, snap, wire } from "./helpers";

// A compiled legacy service calling a built-in component by name: a native
// image (busybox httpd with a CGI script that runs busybox wget) compiles to a
// node with a wasi:http/outgoing-handler import; wired to the built-in
// http-gateway (→ JSON→CSV), the guest's wget of http://http-gateway/ goes out
// through that import, and the Run panel reads the gateway's answer inside the
// httpd's. An unwired name does not resolve.
test("a compiled service's guest calls a wired built-in by name through wasi:http/outgoing-handler", async ({ page }, info) => {
  const cgi = (body: string) => Buffer.from(`#!/bin/sh\necho "Content-Type: text/plain"\necho\n${body}\n`);
  const file = await writeImage(
    info,
    "legacy-api-image",
    [
      ...busyboxEntries(),
      { name: "www", type: "directory" },
      { name: "www/cgi-bin", type: "directory" },
      { name: "www/cgi-bin/convert", content: cgi(`/bin/busybox wget -q -O - --post-data '[{"city":"Oslo","temp":3}]' http://http-gateway/convert 2>&1 || echo "wget failed: $?"`), mode: 0o755 },
      { name: "www/cgi-bin/unwired", content: cgi(`/bin/busybox wget -q -O - http://json-to-csv/ 2>&1 || echo "wget failed: $?"`), mode: 0o755 },
    ],
    { Entrypoint: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"], ExposedPorts: { "8080/tcp": {} } },
    "acme/legacy-api:1",
  );

  await newProject(page, "Legacy API calling a component");
  const { node } = await uploadCompiled(page, file, "legacy-api-image");
  // the typed face of an HTTP service: the handler it serves and the outgoing handler its guest's clients use
  const outgoing = node.getByTestId("handle-in-imp:wasi:http/outgoing-handler");
  await expect(outgoing).toBeVisible();

  await dropFromPalette(page, "endpoint-http-ingress", { x: 760, y: 120 });
  await dropFromPalette(page, "builtin-http-gateway", { x: 560, y: 340 });
  await dropFromPalette(page, "builtin-json-to-csv", { x: 90, y: 380 });
  const gateway = nodeByName(page, "http-gateway");
  await wire(page, node.getByTestId("handle-out-exp:wasi:http/incoming-handler"), nodeByName(page, "http-ingress").getByTestId("handle-in-imp:wasi:http/incoming-handler"));
  await wire(page, gateway.getByTestId("handle-out-exp:wasi:http/incoming-handler"), outgoing);
  await wire(page, nodeByName(page, "json-to-csv").getByTestId("handle-out-exp:trellis:pipeline/stage"), gateway.getByTestId("handle-in-imp:trellis:pipeline/stage"));
  // a checked wire like any other: the gateway's incoming handler serves the outgoing import
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(page.locator(".tedge.broken")).toHaveCount(0);
  // the inspector says which name the guest uses for it
  await node.locator(".tnode-head").click();
  await expect(page.getByTestId("inspector-guest-peers")).toHaveText("http://http-gateway/ → http-gateway");

  await page.getByTestId("open-run").click();
  const panel = page.getByTestId("run-panel");
  await runRequest(panel, "GET /cgi-bin/convert");
  await expect(panel.getByTestId("run-output")).toContainText("HTTP 200");
  await expect(panel.getByTestId("run-output")).toContainText("city,temp");
  await expect(panel.getByTestId("run-output")).toContainText("Oslo,3");
  await expect(panel.getByTestId("run-http")).toHaveAttribute("data-via", "component");
  await expect(gateway.getByTestId("node-run")).toContainText("1 call");
  await snap(page, "run-compiled-outgoing");

  // json-to-csv is no HTTP peer of the guest: its name does not resolve
  await runRequest(panel, "GET /cgi-bin/unwired");
  await expect(panel.getByTestId("run-output")).toContainText("bad address 'json-to-csv'");
});
