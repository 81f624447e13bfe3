import { expect, test, type Locator, type Page } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { builtinById } from "../lib/builtins/catalog";
import { componentFromWit, DEMO_WIT, plainModule, preview1Module } from "../lib/components/test-wasm";
import { dropFromPalette, newProject, nodeByName, snap, wire } from "./helpers";

/** The stage interface with a different parameter type: same name and version, different structure. */
const STRING_STAGE_WIT = `package trellis:pipeline@0.1.0;

/// A stage that takes text instead of bytes.
interface stage {
  process: func(input: string) -> result<list<u8>, string>;
}

world text-stage {
  export stage;
}
`;

async function openWitEditor(page: Page, node: Locator): Promise<Locator> {
  await node.locator(".tnode-head").click();
  await page.getByTestId("edit-wit").click();
  const editor = page.getByTestId("wit-editor");
  await expect(editor.locator(".monaco-editor")).toBeVisible();
  return editor;
}

/**
 * Replaces the whole text with a paste: typed text would be auto-indented and
 * auto-closed by Monaco, a paste is taken as it is.
 */
async function setWit(page: Page, editor: Locator, text: string) {
  await editor.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.setData("text/plain", t);
    document.activeElement!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
  await expect(editor.getByTestId("wit-monaco")).toHaveAttribute("data-chars", String(text.length));
}

/** Drops a file as the browser would (a DataTransfer carrying a File). */
async function dropFile(page: Page, target: Locator, name: string, bytes: Uint8Array, at: { clientX?: number; clientY?: number } = {}) {
  const dataTransfer = await page.evaluateHandle(
    ({ b64, name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: "application/wasm" }));
      return dt;
    },
    { b64: Buffer.from(bytes).toString("base64"), name },
  );
  await target.dispatchEvent("dragover", { dataTransfer, ...at });
  await target.dispatchEvent("drop", { dataTransfer, ...at });
}

test("typed wiring: a structurally different interface is refused with its reason, a matching one is accepted", async ({ page }) => {
  await newProject(page, "WIT wiring");
  await dropFromPalette(page, "builtin-json-to-csv", { x: 160, y: 120 });
  await dropFromPalette(page, "builtin-http-handler", { x: 700, y: 220 });
  await dropFromPalette(page, "component", { x: 160, y: 420 });
  const csv = nodeByName(page, "json-to-csv");
  const handler = nodeByName(page, "http-handler");
  const custom = nodeByName(page, "component");

  // Give the empty component a world by typing its WIT.
  const editor = await openWitEditor(page, custom);
  await setWit(page, editor, STRING_STAGE_WIT);
  await expect(editor.getByTestId("wit-valid")).toBeVisible();
  await expect(editor.getByTestId("wit-ports-preview")).toContainText("trellis:pipeline/stage@0.1.0");
  await editor.getByTestId("wit-apply").click();
  await expect(editor.getByTestId("wit-applied")).toHaveAttribute("data-errors", "0");
  await editor.getByTestId("wit-editor-close").click();
  const customOut = custom.getByTestId("handle-out-exp:trellis:pipeline/stage");
  await expect(customOut).toBeVisible();

  // Refused: same interface name and version, but `process` takes a string. The reason shows at the cursor while dragging…
  const target = handler.getByTestId("handle-in-imp:trellis:pipeline/stage");
  const a = (await customOut.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  const reason = "trellis:pipeline/stage.process: param 'input' is string, import expects list<u8>";
  await expect(page.getByTestId("connect-reason")).toHaveText(reason);
  await snap(page, "wit-refused-while-dragging");
  await page.mouse.up();
  // …and stays in the problems panel after the drop.
  await expect(page.getByTestId("notice")).toHaveAttribute("data-kind", "interface-mismatch");
  await expect(page.getByTestId("notice")).toContainText(reason);
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);

  // Accepted: the built-in JSON→CSV stage satisfies the handler's stage import.
  await wire(page, csv.getByTestId("handle-out-exp:trellis:pipeline/stage"), target);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expect(page.getByTestId("problem-broken-link")).toHaveCount(0);
  await snap(page, "wit-refused-and-accepted");
});

test("the WIT editor: highlighting, hover, completion, go to definition, diagnostics while typing; an edit turns a wire red", async ({ page }) => {
  await newProject(page, "WIT edit");
  await dropFromPalette(page, "builtin-json-to-csv", { x: 160, y: 160 });
  await dropFromPalette(page, "builtin-http-handler", { x: 700, y: 200 });
  const csv = nodeByName(page, "json-to-csv");
  const handler = nodeByName(page, "http-handler");
  await wire(page, csv.getByTestId("handle-out-exp:trellis:pipeline/stage"), handler.getByTestId("handle-in-imp:trellis:pipeline/stage"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expect(page.getByTestId("problem-broken-link")).toHaveCount(0);

  const editor = await openWitEditor(page, csv);
  // A built-in: editing makes it a user-defined copy.
  await expect(editor.getByTestId("wit-copy-note")).toContainText("user:json-to-csv");
  // Highlighting: keywords and identifiers get different token classes.
  const keyword = editor.locator(".view-line span", { hasText: /^\s*interface\s*$/ }).first();
  const ident = editor.locator(".view-line span", { hasText: /^\s*stage\s*$/ }).first();
  await expect(keyword).toBeVisible();
  expect(await keyword.getAttribute("class")).not.toBe(await ident.getAttribute("class"));
  // Hover shows the doc comment of the interface.
  await ident.hover();
  await expect(page.locator(".monaco-hover").filter({ hasText: "A pipeline stage" }).first()).toBeVisible();

  // Completion offers the types in scope (cursor after `poi`).
  const shapes = "package acme:shapes@0.1.0;\n\ninterface shapes {\n  record point { x: f32, y: f32 }\n  area: func(p: poi);\n}\n";
  await setWit(page, editor, shapes);
  for (const key of ["ArrowUp", "ArrowUp", "End", "ArrowLeft", "ArrowLeft"]) await page.keyboard.press(key);
  await page.keyboard.press("Control+Space");
  await expect(page.locator(".suggest-widget .monaco-list-row.focused")).toContainText("point");
  await page.keyboard.press("Enter");
  await expect(editor.getByTestId("wit-monaco")).toHaveAttribute("data-chars", String(shapes.length + 2));
  await expect(editor.getByTestId("wit-valid")).toBeVisible();
  // Go to definition (F12) from the use of `point` on line 5 to the record on line 4.
  await expect(editor.locator(".active-line-number")).toHaveText("5");
  await page.keyboard.press("F12");
  await expect(editor.locator(".active-line-number")).toHaveText("4");

  const original = builtinById("json-to-csv")!.wit;
  // Diagnostics while typing: a broken WIT shows markers and errors; Apply keeps the ports.
  await setWit(page, editor, original.replace("process: func(input: list<u8>)", "process: func(input: lst-u8)"));
  await expect(editor.getByTestId("wit-error").first()).toContainText("lst-u8");
  // Clicking the error reveals it; the marker is drawn under the bad name.
  await editor.getByTestId("wit-error").first().click();
  await expect(editor.locator(".squiggly-error").first()).toBeVisible();
  await snap(page, "wit-editor-diagnostics");
  await editor.getByTestId("wit-apply").click();
  await expect(editor.getByTestId("wit-applied")).not.toHaveAttribute("data-errors", "0");
  // The ports stay; the wire is judged against the saved text, which names the bad type.
  await expect(csv.getByTestId("handle-out-exp:trellis:pipeline/stage")).toBeAttached();
  await expect(csv.getByTestId("handle-out-exp:trellis:pipeline/table")).toBeAttached();
  await expect(page.getByTestId("problem-broken-link")).toContainText("param 'input' is lst-u8");

  // A valid edit that changes the structure: the wire stays, turns red, and is listed with its reason.
  await setWit(page, editor, original.replace("process: func(input: list<u8>)", "process: func(input: list<u32>)"));
  await expect(editor.getByTestId("wit-valid")).toBeVisible();
  await editor.getByTestId("wit-apply").click();
  await expect(editor.getByTestId("wit-applied")).toHaveAttribute("data-errors", "0");
  await snap(page, "wit-editor-applied");
  await editor.getByTestId("wit-editor-close").click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expect(page.locator('[data-broken="true"]')).toBeVisible();
  const problem = page.getByTestId("problem-broken-link");
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText("param 'input' is list<u32>, import expects list<u8>");
  await expect(page.getByTestId("inspector-source")).toHaveValue("user:json-to-csv");
  await snap(page, "wit-edit-broke-wire");

  // Each Apply is one undo step: back to the broken text, then to the built-in, whose wire is fine.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("problem-broken-link")).toContainText("param 'input' is lst-u8");
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("problem-broken-link")).toHaveCount(0);
  await csv.locator(".tnode-head").click();
  await expect(page.getByTestId("inspector-source")).toHaveValue("builtin:json-to-csv");
});

test("upload .wasm (button, canvas drop, palette drop): a component gets ports, a preview1 module is converted, a core module has none, junk is refused", async ({ page }, info) => {
  const greeter = info.outputPath("greeter.wasm");
  writeFileSync(greeter, await componentFromWit(DEMO_WIT, "greeter"));
  const junk = info.outputPath("notes.wasm");
  writeFileSync(junk, "this is not WebAssembly\n");

  await newProject(page, "Component upload");
  const status = page.getByTestId("component-upload-status");

  // A component: its WIT world gives the node's ports, and it becomes a palette entry.
  await page.getByTestId("upload-component-input").setInputFiles(greeter);
  await expect(status).toHaveAttribute("data-state", "done");
  await expect(status).toHaveAttribute("data-kind", "component");
  const node = nodeByName(page, "greeter");
  await expect(node.getByTestId("handle-out-exp:acme:demo/greet")).toBeVisible();
  await expect(node.getByTestId("handle-in-imp:acme:demo/clock")).toBeVisible();
  // .first(): specs share one server, and a retry of this test uploads the same files again.
  await expect(page.locator('[data-testid^="palette-upload-"]', { hasText: "greeter" }).first()).toBeVisible();
  await snap(page, "wit-upload-component");

  // Its WIT (as jco prints it) opens in the editor.
  const editor = await openWitEditor(page, node);
  await expect(editor.locator(".view-lines")).toContainText("export acme:demo/greet@0.1.0;");
  await editor.getByTestId("wit-editor-close").click();

  // A WASI preview1 module dropped on the canvas: converted, and the user is told.
  const pane = page.locator(".react-flow__pane");
  const box = (await pane.boundingBox())!;
  await dropFile(page, pane, "hello-wasi.wasm", await preview1Module(), { clientX: box.x + 700, clientY: box.y + 420 });
  await expect(status).toHaveAttribute("data-kind", "converted");
  await expect(status).toContainText("converted to a component");
  await expect(nodeByName(page, "hello-wasi").getByTestId("handle-out-exp:wasi:cli/run")).toBeAttached();

  // Any other core module (dropped on the palette): no WIT ports, raw imports/exports in the inspector.
  await dropFile(page, page.getByTestId("palette"), "adder.wasm", await plainModule());
  await expect(status).toHaveAttribute("data-kind", "core-module");
  const adderNode = nodeByName(page, "adder");
  await expect(adderNode).toBeVisible();
  await expect(adderNode.locator('[data-testid^="handle-"]')).toHaveCount(0);
  await adderNode.locator(".tnode-head").click();
  await expect(page.getByTestId("core-module-info")).toContainText("cannot be wired by interface");
  await expect(page.getByTestId("core-imports")).toContainText("env.log");
  await expect(page.getByTestId("core-exports")).toContainText("add");

  // Not Wasm at all: a clear error, nothing added.
  const before = await page.locator(".react-flow__node").count();
  await page.getByTestId("upload-component-input").setInputFiles(junk);
  await expect(status).toHaveAttribute("data-state", "error");
  await expect(status).toHaveAttribute("data-kind", "not-wasm");
  await expect(status).toContainText("notes.wasm is not a WebAssembly file");
  await expect(page.locator(".react-flow__node")).toHaveCount(before);
  await snap(page, "wit-upload-core-and-error");

  // The palette entries persist on the server (other specs' uploads are listed too).
  await page.reload();
  for (const name of ["greeter", "hello-wasi", "adder"]) {
    await expect(page.locator('[data-testid^="palette-upload-"]', { hasText: name }).first()).toBeVisible();
  }
});

test("feature gates: the editor shows wit-parser's gate diagnostics and enables features from its settings", async ({ page }) => {
  await newProject(page, "WIT gates");
  await dropFromPalette(page, "component", { x: 200, y: 200 });
  const node = nodeByName(page, "component");
  const editor = await openWitEditor(page, node);
  const gated = `package demo:gates@0.1.0;

@unstable(feature = fancy)
interface extra {
  @unstable(feature = fancy)
  ping: func();
}

world app {
  import extra;
  export run: func();
}
`;
  await setWit(page, editor, gated);
  // Off by default, as in wit-parser: the import names an interface that is left out.
  await expect(editor.getByTestId("wit-error")).toHaveCount(1);
  await expect(editor.getByTestId("wit-error").first()).toHaveAttribute("data-kind", "gated-out");
  await expect(editor.getByTestId("wit-error").first()).toContainText("10:10");
  await expect(editor.locator(".squiggly-error").first()).toBeVisible();
  await snap(page, "wit-editor-gated-out");
  // A bad feature name is refused; the list in force stays as it was.
  await editor.getByTestId("wit-features").fill("Fancy_Thing");
  await expect(editor.getByTestId("wit-features-error")).toBeVisible();
  await editor.getByTestId("wit-features").fill("fancy");
  await expect(editor.getByTestId("wit-valid")).toBeVisible();
  await editor.getByTestId("wit-apply").click();
  await expect(editor.getByTestId("wit-applied")).toHaveAttribute("data-errors", "0");
  await editor.getByTestId("wit-editor-close").click();
  await expect(node.getByTestId("handle-in-imp:demo:gates/extra")).toBeAttached();
  await expect(node.getByTestId("handle-out-exp:run")).toBeAttached();
});
