import { expect, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { gzip, makeDockerSave, makeOciLayout, makeTar, tarLayer } from "../lib/image/test-images";
import { newProject, nodeByName, snap } from "./helpers";

test("upload a Wasm image: progress, job states, report, node becomes a compiled container", async ({ page }, info) => {
  // An image whose entrypoint is a real component (a built-in, built by `npm run build`).
  const component = readFileSync("build/builtins/json-to-csv.wasm");
  const layer = tarLayer(await makeTar([{ name: "app", type: "directory" }, { name: "app/json-to-csv.wasm", content: component }]), "gzip");
  const image = await makeDockerSave([layer], { Entrypoint: ["/app/json-to-csv.wasm"], ExposedPorts: { "8080/tcp": {} } }, { repoTags: ["acme/json-to-csv:1.0"] });
  const file = info.outputPath("json-to-csv-image.tar");
  writeFileSync(file, image);

  await newProject(page, "Image upload");
  await page.getByTestId("add-image-input").setInputFiles(file);
  await expect(page.getByTestId("dock-jobs")).toBeVisible();
  const row = page.getByTestId("job-row").first();
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  await expect(row.getByTestId("job-progress")).toHaveAttribute("data-percent", "100");
  const node = nodeByName(page, "json-to-csv-image");
  await expect(node).toHaveAttribute("data-kind", "compiled");
  // The component's WIT exports became typed ports; the image's exposed port stays.
  await expect(node.getByTestId("handle-out-exp:trellis:pipeline/stage")).toBeVisible();
  await expect(node.getByTestId("handle-out-port:8080")).toBeVisible();
  await row.getByTestId("job-toggle-logs").click();
  await expect(row.getByTestId("job-logs")).not.toHaveText("(no log lines yet)");
  await row.getByTestId("job-open-report").click();
  const report = page.getByTestId("report-view");
  await expect(report.getByTestId("report-outcome")).toHaveAttribute("data-outcome", "compiled");
  await expect(report.getByTestId("report-classification")).toHaveText("wasm");
  await expect(report.getByTestId("report-produced")).toContainText("wasm-component");
  await expect(report.getByTestId("report-wit")).toContainText("trellis:pipeline");
  await snap(page, "image-report-wasm");
  await report.getByTestId("report-view-close").click();

  // The node's menu shows the report too.
  await node.locator(".tnode-head").click({ button: "right" });
  await page.getByTestId("menu-report").click();
  await expect(report.getByTestId("report-outcome")).toHaveAttribute("data-outcome", "compiled");
  await report.getByTestId("report-view-close").click();

  // The user can keep it as a container instead: from the inspector, or from the node's menu.
  await node.locator(".tnode-head").click();
  await expect(page.getByTestId("keep-as-container")).toBeVisible();
  await node.locator(".tnode-head").click({ button: "right" });
  await page.getByTestId("menu-keep-container").click();
  await expect(node).toHaveAttribute("data-kind", "container");
  await snap(page, "image-kept-container");
});

test("a native busybox image gives a clear report; a broken upload gets a clear error", async ({ page }, info) => {
  const busybox = readFileSync("/bin/busybox");
  const layer = tarLayer(
    await makeTar([
      { name: "bin", type: "directory" },
      { name: "bin/busybox", content: busybox, mode: 0o755 },
      { name: "bin/sh", type: "symlink", linkname: "busybox" },
    ]),
    "gzip",
  );
  const image = await makeDockerSave([layer], { Entrypoint: ["/bin/busybox"], Cmd: ["echo", "hello from busybox"] }, { repoTags: ["acme/busybox:1"] });
  const file = info.outputPath("busybox-image.tar");
  writeFileSync(file, image);
  await newProject(page, "Native image");
  await page.getByTestId("add-image-input").setInputFiles(file);
  const row = page.getByTestId("job-row").first();
  await expect(row).toHaveAttribute("data-state", /succeeded|failed/, { timeout: 90_000 });
  await row.getByTestId("job-open-report").click();
  const report = page.getByTestId("report-view");
  await expect(report.getByTestId("report-classification")).toHaveText("native");
  await expect(report.getByTestId("report-elf")).toContainText("x86-64");
  // The x86-64 core is built with the app, so the native image becomes a WASI module.
  await expect(report.getByTestId("report-outcome")).toHaveAttribute("data-outcome", "compiled");
  await expect(report.getByTestId("report-produced")).toContainText("native-artifact");

  // Run it from the report: the image's CMD by default, on the server…
  const run = report.getByTestId("run-artifact");
  await expect(run.getByTestId("artifact-args")).toHaveValue("echo hello from busybox");
  await run.getByTestId("artifact-run-server").click();
  await expect(run.getByTestId("artifact-exit")).toContainText("exit 0", { timeout: 60_000 });
  await expect(run.getByTestId("artifact-output")).toHaveText("hello from busybox\n");
  // …with other arguments and stdin…
  await run.getByTestId("artifact-args").fill("tr a-z A-Z");
  await run.getByTestId("artifact-stdin").fill("shout please");
  await run.getByTestId("artifact-run-server").click();
  await expect(run.getByTestId("artifact-output")).toHaveText("SHOUT PLEASE", { timeout: 60_000 });
  // …and in this browser, through a WASI shim in a Web Worker.
  await run.getByTestId("artifact-args").fill(`sh -c 'for i in 1 2 3; do echo line $i; done | wc -l; exit 3'`);
  await run.getByTestId("artifact-run-browser").click();
  await expect(run.getByTestId("artifact-exit")).toContainText("exit 3", { timeout: 90_000 });
  await expect(run.getByTestId("artifact-output")).toContainText("3");
  await snap(page, "image-report-native");
  await report.getByTestId("report-view-close").click();

  // Not an image: the job fails with the reason; the node stays a plain container.
  const junk = info.outputPath("junk.tar");
  writeFileSync(junk, gzip(Buffer.from("this is not a tar archive at all".repeat(50))));
  await page.getByTestId("add-image-input").setInputFiles(junk);
  const failed = page.locator('[data-testid="job-row"][data-state="failed"]').first();
  await expect(failed).toBeVisible({ timeout: 60_000 });
  await expect(failed.getByTestId("job-error")).not.toBeEmpty();
  await snap(page, "image-failed");
});

test("a multi-platform OCI index: a platform it lacks is refused with the list; retry with one it offers", async ({ page }, info) => {
  const image = async (component: string) => ({
    layers: [tarLayer(await makeTar([{ name: "app", type: "directory" }, { name: "app/main.wasm", content: readFileSync(`build/builtins/${component}.wasm`) }]), "gzip")],
    config: { Entrypoint: ["/app/main.wasm"] },
  });
  const { archive } = await makeOciLayout([
    { ...(await image("json-to-csv")), platform: { os: "linux", architecture: "arm64" } },
    { ...(await image("tokenizer")), platform: { os: "linux", architecture: "s390x" } },
  ]);
  const file = info.outputPath("multi-platform.tar");
  writeFileSync(file, archive);
  await newProject(page, "Multi-platform");
  await page.getByTestId("add-image-platform").fill("linux/riscv64");
  await page.getByTestId("add-image-input").setInputFiles(file);
  const row = page.getByTestId("job-row").first();
  await expect(row).toHaveAttribute("data-state", "failed", { timeout: 60_000 });
  await expect(row.getByTestId("job-error")).toHaveAttribute("data-kind", "platform-not-found");
  await row.getByTestId("job-platform").selectOption("linux/s390x");
  await row.getByTestId("job-retry-platform").click();
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const node = nodeByName(page, "multi-platform");
  await expect(node).toHaveAttribute("data-kind", "compiled");
  await expect(node.getByTestId("handle-out-exp:trellis:pipeline/text")).toBeVisible();
  await row.getByTestId("job-open-report").click();
  await expect(page.getByTestId("report-platform")).toHaveText("linux/s390x");
  await snap(page, "image-multi-platform");
});
