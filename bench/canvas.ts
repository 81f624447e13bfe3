// Canvas benchmark: a 1,000-node, 1,500-edge design in headless Chromium.
// Trellis's designer against a bare React Flow page rendering the same nodes
// and edges, both measured in this run: time to first render (navigation to
// every node in the DOM) and p95 frame time while dragging one node.
//   node --import tsx bench/canvas.ts
import { chromium, type Page } from "@playwright/test";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DesignDocument } from "../lib/graph/types";
import { generateDesign } from "./design-gen";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The bench design on a grid, so both pages draw the same picture. */
export function canvasDesign(): DesignDocument {
  const d = generateDesign(1000, 1500);
  const cols = 40;
  d.topology.nodes.forEach((n, i) => (n.position = { x: (i % cols) * 280, y: Math.floor(i / cols) * 180 }));
  return { ...d, name: "Canvas bench (1,000 nodes)" };
}

async function startTrellis(dataDir: string): Promise<{ url: string; proc: ChildProcess }> {
  // Build output goes to stderr so the bench report on stdout stays figures only.
  execFileSync(process.execPath, ["scripts/ensure-build.mjs"], { stdio: ["ignore", 2, 2] });
  const port = await freePort();
  const proc = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, TRELLIS_DATA_DIR: dataDir, TRELLIS_TOKEN: "" },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, proc };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill();
  throw new Error("the Trellis server did not start");
}

async function startBare(design: DesignDocument, dir: string): Promise<{ url: string; server: Server }> {
  execFileSync("node_modules/.bin/esbuild", ["bench/bare-flow.tsx", "--bundle", "--minify", "--format=esm", "--jsx=automatic", "--define:process.env.NODE_ENV=\"production\"", `--outfile=${join(dir, "bare.js")}`], { stdio: ["ignore", 2, 2] });
  const css = readFileSync("node_modules/@xyflow/react/dist/style.css", "utf8");
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css} body{margin:0}</style></head><body><div id="root"></div><script>window.__DESIGN__=${JSON.stringify(design)}</script><script type="module" src="/bare.js"></script></body></html>`;
  writeFileSync(join(dir, "index.html"), html);
  const server = createServer((req, res) => {
    const file = req.url === "/bare.js" ? "bare.js" : "index.html";
    res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "text/html" });
    res.end(readFileSync(join(dir, file)));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}/`, server };
}

interface CanvasFigures {
  firstRenderMs: number;
  p95FrameMs: number;
  frames: number;
}

async function measure(page: Page, url: string, nodeCount: number): Promise<CanvasFigures> {
  await page.goto(url, { waitUntil: "commit" });
  // Time from navigation start until every node is in the DOM, read in the page.
  const handle = await page.waitForFunction(
    (n) => (document.querySelectorAll(".react-flow__node").length >= n ? performance.now() : false),
    nodeCount,
    { polling: "raf", timeout: 120_000 },
  );
  const firstRenderMs = (await handle.jsonValue()) as number;
  await page.waitForTimeout(500);
  // Drag the node nearest the centre of the screen, recording frame deltas.
  // Page scripts are strings: the TypeScript loader would wrap inner functions in helpers the page lacks.
  const box = (await page.evaluate(`(() => {
    const cx = innerWidth / 2, cy = innerHeight / 2;
    let best = null, dist = Infinity;
    for (const el of document.querySelectorAll(".react-flow__node")) {
      const r = el.getBoundingClientRect();
      const d = Math.hypot(r.x + r.width / 2 - cx, r.y + r.height / 2 - cy);
      if (d < dist && r.width > 4) { dist = d; best = r; }
    }
    return best && { x: best.x + best.width / 2, y: best.y + Math.min(best.height / 2, 8) };
  })()`)) as { x: number; y: number } | null;
  if (!box) throw new Error("no node to drag");
  await page.evaluate(`(() => {
    window.__frames = []; window.__stop = false;
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(box.x, box.y);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(box.x + i * 4, box.y + i * 2);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  const frames = (await page.evaluate(`(() => { window.__stop = true; return window.__frames.slice(1); })()`)) as number[];
  const sorted = [...frames].sort((a, b) => a - b);
  const p95FrameMs = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? NaN;
  return { firstRenderMs, p95FrameMs, frames: frames.length };
}

export async function runCanvasBench(): Promise<string[]> {
  const design = canvasDesign();
  const dir = mkdtempSync(join(tmpdir(), "trellis-canvas-bench-"));
  const trellis = await startTrellis(join(dir, "data"));
  const bare = await startBare(design, dir);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const created = await fetch(`${trellis.url}/api/projects`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: design.name, doc: design }) });
    if (!created.ok) throw new Error(`could not store the bench design: ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const n = design.topology.nodes.length;
    const runs = 3;
    const results: { trellis: CanvasFigures; bare: CanvasFigures }[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate the order so warm-up effects do not favour one side.
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const a = i % 2 === 0 ? await measure(page, `${trellis.url}/projects/${id}`, n) : undefined;
      const page2 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const b = await measure(page2, bare.url, n);
      const a2 = a ?? (await measure(page, `${trellis.url}/projects/${id}`, n));
      results.push({ trellis: a2, bare: b });
      await page.close();
      await page2.close();
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const tr = median(results.map((r) => r.trellis.firstRenderMs));
    const br = median(results.map((r) => r.bare.firstRenderMs));
    const tf = median(results.map((r) => r.trellis.p95FrameMs));
    const bf = median(results.map((r) => r.bare.p95FrameMs));
    return [
      `canvas, ${n} nodes / ${design.topology.links.length} edges, headless Chromium, median of ${runs}:`,
      `  time to first render: Trellis ${tr.toFixed(0)} ms, bare React Flow ${br.toFixed(0)} ms → ratio ${(tr / br).toFixed(2)}×`,
      `  p95 frame time while dragging a node: Trellis ${tf.toFixed(1)} ms, bare React Flow ${bf.toFixed(1)} ms → ratio ${(tf / bf).toFixed(2)}×`,
    ];
  } finally {
    await browser.close();
    trellis.proc.kill("SIGTERM");
    bare.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const l of await runCanvasBench()) console.log(l);
}
