import { expect, type Locator, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";

/** axe-core on the page (or one part of it): no serious or critical violation. */
export async function expectAccessible(page: Page, what: string, include?: string) {
  let b = new AxeBuilder({ page });
  if (include) b = b.include(include);
  const r = await b.analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect.soft(bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`)).toEqual([]);
}

/** Every test leaves a screenshot of where it ended, for a person to look at. */
export async function snap(page: Page, name: string) {
  mkdirSync("e2e/artifacts", { recursive: true });
  await page.screenshot({ path: `e2e/artifacts/${name}.png` });
}

export async function newProject(page: Page, name: string): Promise<string> {
  await page.goto("/");
  await page.getByTestId("new-project-name").fill(name);
  await page.getByTestId("new-project").click();
  await page.waitForURL(/\/projects\//);
  await expect(page.getByTestId("designer")).toBeVisible();
  return page.url().split("/projects/")[1]!;
}

/** HTML5 drag from a palette entry onto the canvas at a point. */
export async function dropFromPalette(page: Page, paletteId: string, at: { x: number; y: number }) {
  await page.getByTestId(`palette-${paletteId}`).dragTo(page.getByTestId("canvas"), { targetPosition: at });
}

export function nodeByName(page: Page, name: string): Locator {
  return page.locator(`[data-testid^="node-"][data-node-name="${name}"]`);
}

/** Drags a wire with the mouse from one handle to another. */
export async function wire(page: Page, from: Locator, to: Locator) {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Drags a node by the centre of its header. */
export async function dragNode(page: Page, node: Locator, dx: number, dy: number) {
  const box = (await node.locator(".tnode-head").boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 10 });
  await page.mouse.up();
}

export async function waitSaved(page: Page) {
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
}

export async function edgeCount(page: Page): Promise<number> {
  return page.locator(".react-flow__edge").count();
}
