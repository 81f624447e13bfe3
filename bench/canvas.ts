// Canvas benchmark: a 1,000-node, 1,500-edge design in headless Chromium.
// Trellis's designer against a bare React Flow page rendering the same nodes
// and edges, both measured in this run: time to first render (navigation to
// every node in the DOM) and p95 frame time while dragging one node.
//   node --import tsx bench/canvas.ts
import { chromium, type CDPSession, type Page } from "@playwright/test";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as netServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DesignDocument } from "../lib/graph/types";
import { generateDesign } from "./design-gen";

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

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

export async function startTrellis(dataDir: string): Promise<{ url: string; proc: ChildProcess }> {
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

export async function startBare(design: DesignDocument, dir: string): Promise<{ url: string; server: Server }> {
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

/** CPU time until first render (ms): the page renderer's main thread (CDP `Performance.getMetrics`) and, for Trellis, its server. */
/** The bench design served both ways: stored in a fresh Trellis (its designer page) and as the bare React Flow page; one Chromium. */
export async function openCanvasPages(prefix: string) {
  const design = canvasDesign();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const trellis = await startTrellis(join(dir, "data"));
  const bare = await startBare(design, dir);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const close = async () => {
    await browser.close();
    trellis.proc.kill("SIGTERM");
    bare.server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const created = await fetch(`${trellis.url}/api/projects`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: design.name, doc: design }) });
    if (!created.ok) throw new Error(`could not store the bench design: ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    return { design, trellis, bare, browser, pages: { trellis: `${trellis.url}/projects/${id}`, bare: bare.url }, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface FirstRenderCpu {
  /** Main-thread CPU time (`ThreadTime`). */
  thread: number;
  /** Main-thread task time (`TaskDuration`: wall time inside tasks) and its script, compile, layout and style parts. */
  task: number;
  script: number;
  compile: number;
  layout: number;
  style: number;
  /** The Trellis server process's CPU (utime + stime from /proc) during the load; 0 for the bare page (a static file from the bench process). */
  server: number;
}

export interface CanvasFigures {
  firstRenderMs: number;
  cpu: FirstRenderCpu;
  /** 1-minute load average when the load started. */
  load: number;
  /** Where the first render's time went, from navigation start (ms): first byte of the page, its last byte, the last script's last byte. */
  split: { ttfb: number; htmlEnd: number; scriptsEnd: number; scripts: number; scriptKb: number };
  /** Every rAF interval while the node was dragged (ms). */
  frames: number[];
  /** Renderer main-thread task time during the drag (CDP Performance.getMetrics TaskDuration), per frame. */
  taskMsPerFrame: number;
}

/** Drag steps per run: each is one CDP mouse move, then 16 ms. */
const DRAG_STEPS = 90;
const STEP = { x: 2, y: 1 };

/**
 * "First render", the same for both pages: the first animation frame (ms from navigation start, read in
 * the page) at which every node is in the DOM and drawn (React Flow keeps a node `visibility: hidden`
 * until it has measured it) and every wire is in the DOM (React Flow draws a wire once both its ends are
 * measured).
 */
export async function drawnSince(page: Page, nodeCount: number, edgeCount: number): Promise<number> {
  const handle = await page.waitForFunction(
    ([n, e]) => {
      const nodes = document.querySelectorAll<HTMLElement>(".react-flow__node");
      if (nodes.length < n || document.querySelectorAll(".react-flow__edge").length < e) return false;
      for (const el of nodes) if (el.style.visibility === "hidden") return false;
      return performance.now();
    },
    [nodeCount, edgeCount] as const,
    { polling: "raf", timeout: 120_000 },
  );
  return (await handle.jsonValue()) as number;
}

type Metrics = Record<string, number>;
const metricsOf = async (cdp: CDPSession): Promise<Metrics> => {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
};

/** CPU time (ms) of a process and its descendants, from /proc (Linux); NaN elsewhere. */
export function processTreeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const tick = 1000 / 100; // USER_HZ
    const stats = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => {
      try {
        // Fields after the command's closing parenthesis: state ppid … utime(14) stime(15), counted from 1 at pid.
        const f = readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ");
        return [{ pid: Number(d), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * tick }];
      } catch {
        return [];
      }
    });
    const tree = new Set([pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of stats) if (!tree.has(p.pid) && tree.has(p.ppid)) (tree.add(p.pid), (grew = true));
    }
    return stats.filter((p) => tree.has(p.pid)).reduce((a, p) => a + p.cpu, 0);
  } catch {
    return NaN;
  }
}

export async function measure(page: Page, url: string, nodeCount: number, edgeCount: number, serverPid?: number): Promise<CanvasFigures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const load = loadavg()[0]!;
  const m0 = await metricsOf(cdp);
  const s0 = processTreeCpuMs(serverPid);
  await page.goto(url, { waitUntil: "commit" });
  const firstRenderMs = await drawnSince(page, nodeCount, edgeCount);
  const s1 = processTreeCpuMs(serverPid);
  const m1 = await metricsOf(cdp);
  // The metrics are the renderer's since it started: the blank tab's renderer, which the page's
  // navigation keeps (same site instance) or leaves for a new one, whose counters start at 0.
  const swapped = (m1.ThreadTime ?? 0) < (m0.ThreadTime ?? 0) || (m1.TaskDuration ?? 0) < (m0.TaskDuration ?? 0);
  const d = (k: string) => ((m1[k] ?? NaN) - (swapped ? 0 : (m0[k] ?? 0))) * 1000;
  const cpu: FirstRenderCpu = { thread: d("ThreadTime"), task: d("TaskDuration"), script: d("ScriptDuration"), compile: d("V8CompileDuration"), layout: d("LayoutDuration"), style: d("RecalcStyleDuration"), server: s1 - s0 };
  const split = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const js = performance.getEntriesByType("resource").filter((r) => r.initiatorType === "script" || r.name.endsWith(".js"));
    return { ttfb: nav.responseStart, htmlEnd: nav.responseEnd, scriptsEnd: Math.max(nav.responseEnd, ...js.map((r) => r.responseEnd)), scripts: js.length, scriptKb: js.reduce((a, r) => a + r.encodedBodySize, 0) / 1024 };
  })()`)) as CanvasFigures["split"];
  await page.waitForTimeout(500);
  // Drag the node nearest the centre of the flow pane (Trellis's pane is smaller than the window:
  // palette, inspector and dock), a short way, so neither page comes near the pane's edge, where
  // React Flow pans the whole view on every frame (auto-pan) and the figure would measure that.
  // Page scripts are strings: the TypeScript loader would wrap inner functions in helpers the page lacks.
  const box = (await page.evaluate(`(() => {
    const pane = document.querySelector(".react-flow").getBoundingClientRect();
    const cx = pane.x + pane.width / 2, cy = pane.y + pane.height / 2;
    let best = null, dist = Infinity;
    for (const el of document.querySelectorAll(".react-flow__node")) {
      const r = el.getBoundingClientRect();
      const d = Math.hypot(r.x + r.width / 2 - cx, r.y + r.height / 2 - cy);
      if (d < dist && r.width > 4) { dist = d; best = r; }
    }
    return best && { x: best.x + best.width / 2, y: best.y + Math.min(best.height / 2, 8), pane: { x: pane.x, y: pane.y, width: pane.width, height: pane.height } };
  })()`)) as { x: number; y: number; pane: { x: number; y: number; width: number; height: number } } | null;
  if (!box) throw new Error("no node to drag");
  // The whole path stays 40 px (React Flow's auto-pan margin) plus a margin inside the pane.
  const end = { x: box.x + 2 + DRAG_STEPS * STEP.x, y: box.y + 1 + DRAG_STEPS * STEP.y };
  if (end.x > box.pane.x + box.pane.width - 80 || end.y > box.pane.y + box.pane.height - 80) throw new Error("the drag path would reach the pane's auto-pan margin");
  await page.mouse.move(box.x, box.y);
  await page.mouse.down();
  // The first move starts the drag (React Flow's drag threshold); frames are counted from the second.
  await page.mouse.move(box.x + 2, box.y + 1);
  await page.waitForTimeout(50);
  const taskTime = async () => {
    const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
    return (metrics.find((m) => m.name === "TaskDuration")?.value ?? NaN) * 1000;
  };
  await page.evaluate(`(() => {
    window.__frames = []; window.__stop = false;
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const task0 = await taskTime();
  for (let i = 1; i <= DRAG_STEPS; i++) {
    await page.mouse.move(box.x + 2 + i * STEP.x, box.y + 1 + i * STEP.y);
    await page.waitForTimeout(16);
  }
  const frames = (await page.evaluate(`(() => { window.__stop = true; return window.__frames.slice(1); })()`)) as number[];
  const task1 = await taskTime();
  await page.mouse.up();
  await cdp.detach();
  return { firstRenderMs, cpu, load, split, frames, taskMsPerFrame: (task1 - task0) / Math.max(1, frames.length) };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);

/** Frames per 16.7 ms vsync slot: 1 = on time, 2 = one frame missed, … */
const slots = (frames: number[]) => {
  const h = new Map<number, number>();
  for (const f of frames) {
    const k = Math.max(1, Math.round(f / (1000 / 60)));
    h.set(k, (h.get(k) ?? 0) + 1);
  }
  return [...h].sort((a, b) => a[0] - b[0]).map(([k, n]) => `${k}:${n}`).join(" ");
};

export async function runCanvasBench(): Promise<string[]> {
  const { design, trellis, browser, pages, close } = await openCanvasPages("trellis-canvas-bench-");
  try {
    const n = design.topology.nodes.length;
    // First render swings with the machine's load (single runs from 0.5× to 5.8× at load 10–30 on 2
    // cores): enough alternating pairs for a median and a spread.
    const runs = Number(process.env.BENCH_CANVAS_RUNS ?? 9);
    const results: { trellis: CanvasFigures; bare: CanvasFigures }[] = [];
    const one = async (u: string) => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      try {
        return await measure(page, u, n, design.topology.links.length, u === pages.bare ? undefined : trellis.proc.pid);
      } finally {
        await page.close();
      }
    };
    // A warm-up pair (server caches, Chromium's code cache), not counted.
    await one(pages.trellis);
    await one(pages.bare);
    for (let i = 0; i < runs; i++) {
      // Alternate the order (ABBA…) so load drifts and warm-up do not favour one side.
      const tFirst = i % 2 === 0;
      const a = tFirst ? await one(pages.trellis) : undefined;
      const b = await one(pages.bare);
      results.push({ trellis: a ?? (await one(pages.trellis)), bare: b });
    }
    const fr = (side: "trellis" | "bare") => median(results.map((r) => r[side].firstRenderMs));
    const p95 = (side: "trellis" | "bare") => median(results.map((r) => quantile(r[side].frames, 0.95)));
    const pooled = (side: "trellis" | "bare") => results.flatMap((r) => r[side].frames);
    const task = (side: "trellis" | "bare") => median(results.map((r) => r[side].taskMsPerFrame));
    const perRun = results
      .map((r, i) => {
        const t = r.trellis, b = r.bare;
        return `    run ${i + 1} (load ${t.load.toFixed(1)}/${b.load.toFixed(1)}): first render ${t.firstRenderMs.toFixed(0)} vs ${b.firstRenderMs.toFixed(0)} ms → ${(t.firstRenderMs / b.firstRenderMs).toFixed(2)}×, main-thread CPU ${t.cpu.thread.toFixed(0)} vs ${b.cpu.thread.toFixed(0)} ms (+ server ${t.cpu.server.toFixed(0)}), p95 frame ${quantile(t.frames, 0.95).toFixed(1)} vs ${quantile(b.frames, 0.95).toFixed(1)} ms → ${(quantile(t.frames, 0.95) / quantile(b.frames, 0.95)).toFixed(2)}×`;
      })
      .join("\n");
    const spread = (xs: number[], digits = 0) => `median ${median(xs).toFixed(digits)} (quartiles ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)}, range ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
    const ratios = results.map((r) => r.trellis.firstRenderMs / r.bare.firstRenderMs);
    const cpuMed = (side: "trellis" | "bare", k: keyof FirstRenderCpu) => median(results.map((r) => r[side].cpu[k]));
    const cpuLine = (side: "trellis" | "bare") =>
      `main thread ${cpuMed(side, "thread").toFixed(0)} ms CPU, ${cpuMed(side, "task").toFixed(0)} ms in tasks (script ${cpuMed(side, "script").toFixed(0)}, compile ${cpuMed(side, "compile").toFixed(0)}, layout ${cpuMed(side, "layout").toFixed(0)}, style ${cpuMed(side, "style").toFixed(0)})`;
    const cpuRatio = median(results.map((r) => r.trellis.cpu.thread / r.bare.cpu.thread));
    const cpuAllRatio = median(results.map((r) => (r.trellis.cpu.thread + r.trellis.cpu.server) / r.bare.cpu.thread));
    const loads = results.flatMap((r) => [r.trellis.load, r.bare.load]);
    const dist = (side: "trellis" | "bare") => {
      const f = pooled(side);
      return `${f.length} frames, p50 ${quantile(f, 0.5).toFixed(1)} p90 ${quantile(f, 0.9).toFixed(1)} p95 ${quantile(f, 0.95).toFixed(1)} p99 ${quantile(f, 0.99).toFixed(1)} ms, mean ${(f.reduce((x, y) => x + y, 0) / f.length).toFixed(1)} ms; vsync slots ${slots(f)}`;
    };
    const pt = quantile(pooled("trellis"), 0.95), pb = quantile(pooled("bare"), 0.95);
    const sp = (side: "trellis" | "bare") => {
      const m = (k: keyof CanvasFigures["split"]) => median(results.map((r) => r[side].split[k]));
      return `first byte ${m("ttfb").toFixed(0)}, page ${m("htmlEnd").toFixed(0)}, scripts (${m("scripts")}, ${m("scriptKb").toFixed(0)} KB) ${m("scriptsEnd").toFixed(0)}, all nodes ${fr(side).toFixed(0)} ms`;
    };
    const mean = (f: number[]) => f.reduce((x, y) => x + y, 0) / f.length;
    return [
      `canvas, ${n} nodes / ${design.topology.links.length} edges, headless Chromium, ${runs} runs per page (alternating, after one warm-up each), ${DRAG_STEPS} drag steps per run, ${new Date().toISOString().slice(0, 16)}Z:`,
      `  load (1-minute average) at the loads: ${spread(loads, 1)}`,
      `  time to first render (every node and wire drawn): Trellis ${spread(results.map((r) => r.trellis.firstRenderMs))} ms, bare React Flow ${spread(results.map((r) => r.bare.firstRenderMs))} ms → ratio of medians ${(fr("trellis") / fr("bare")).toFixed(2)}×`,
      `  first render, ratio per run (Trellis ÷ bare, same pair): ${spread(ratios, 2)}`,
      `  CPU to first render (medians): Trellis ${cpuLine("trellis")}, server ${cpuMed("trellis", "server").toFixed(0)} ms; bare ${cpuLine("bare")} → main thread ${cpuRatio.toFixed(2)}×, with Trellis's server ${cpuAllRatio.toFixed(2)}× (medians of the per-run ratios)`,
      `  where first render went (medians, ms from navigation start): Trellis ${sp("trellis")}; bare ${sp("bare")}`,
      `  p95 frame time while dragging a node (median of the runs' p95): Trellis ${p95("trellis").toFixed(1)} ms, bare React Flow ${p95("bare").toFixed(1)} ms → ratio ${(p95("trellis") / p95("bare")).toFixed(2)}×`,
      `  p95 of all drag frames pooled: ${pt.toFixed(1)} vs ${pb.toFixed(1)} ms → ${(pt / pb).toFixed(2)}×; mean frame ${mean(pooled("trellis")).toFixed(1)} vs ${mean(pooled("bare")).toFixed(1)} ms → ${(mean(pooled("trellis")) / mean(pooled("bare"))).toFixed(2)}×`,
      `  main-thread task time per drag frame (median): Trellis ${task("trellis").toFixed(1)} ms, bare ${task("bare").toFixed(1)} ms → ratio ${(task("trellis") / task("bare")).toFixed(2)}×`,
      `  Trellis drag frames: ${dist("trellis")}`,
      `  bare    drag frames: ${dist("bare")}`,
      perRun,
    ];
  } finally {
    await close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const l of await runCanvasBench()) console.log(l);
}
