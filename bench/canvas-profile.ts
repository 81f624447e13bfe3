// Where a first render of the canvas bench's design goes, on Trellis and on the bare React Flow
// page: a Chromium performance trace from navigation to "all nodes drawn" (the bench's definition),
// summed on the page's main thread by what it was doing (the DevTools summary's groups) and, for
// scripting, by script file (the V8 sampling profiler in the same trace).
//   node --import tsx bench/canvas-profile.ts [runs per page, default 3]
import type { Page } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { drawnSince, openCanvasPages } from "./canvas";

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> } & Record<string, unknown>;
}

const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8.execute",
  "v8",
  "blink.user_timing",
  "loading",
  "disabled-by-default-v8.cpu_profiler",
];

/** The DevTools summary's groups, by trace event name (self time: a child's time is the child's group). */
const GROUP: Record<string, string> = {
  ParseHTML: "loading",
  ResourceReceivedData: "loading",
  ParseAuthorStyleSheet: "loading",
  EvaluateScript: "scripting",
  "v8.evaluateModule": "scripting",
  FunctionCall: "scripting",
  TimerFire: "scripting",
  FireAnimationFrame: "scripting",
  EventDispatch: "scripting",
  RunMicrotasks: "scripting",
  "v8.compile": "compile",
  "v8.compileModule": "compile",
  "V8.CompileCode": "compile",
  "v8.produceCache": "compile",
  "v8.produceModuleCache": "compile",
  "V8.GC_SCAVENGER": "gc",
  MinorGC: "gc",
  MajorGC: "gc",
  "V8.GCScavenger": "gc",
  "V8.GCFinalizeMC": "gc",
  "V8.GCIncrementalMarking": "gc",
  BlinkGC: "gc",
  UpdateLayoutTree: "style",
  RecalculateStyles: "style",
  Layout: "layout",
  UpdateLayerTree: "paint",
  PrePaint: "paint",
  Paint: "paint",
  PaintImage: "paint",
  Layerize: "paint",
  CompositeLayers: "paint",
  Commit: "paint",
  HitTest: "layout",
};

export interface Profile {
  firstRenderMs: number;
  /** Main-thread self time by group from navigation start to all nodes drawn (ms); "idle" is the rest. */
  groups: Record<string, number>;
  /** V8 samples in the same window by script file (ms of self time). */
  scripts: Record<string, number>;
  gaps: string[];
  /** V8 self time by function (name@file:line:column). */
  functions: Record<string, number>;
  /** Resources by when they arrived (ms from navigation start). */
  resources: string;
}

function shortUrl(u: string): string {
  if (!u) return "(native)";
  const m = /\/([^/?#]+)(?:[?#].*)?$/.exec(u);
  return m ? m[1]! : u;
}

export function summarize(events: TraceEvent[], firstRenderMs: number, origin: string): Omit<Profile, "firstRenderMs" | "resources"> {
  // The page's main thread: the renderer main thread that ran the page's own scripts (a navigation
  // can move the page to a new renderer, and Chromium's own pages have main threads too).
  const threads = new Map<string, string>();
  for (const e of events) if (e.ph === "M" && e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, String(e.args?.name));
  const ran = new Map<string, number>();
  for (const e of events) {
    const u = (e.args?.data as { url?: string } | undefined)?.url;
    if (e.name === "EvaluateScript" && typeof u === "string" && u.startsWith(origin)) ran.set(`${e.pid}:${e.tid}`, (ran.get(`${e.pid}:${e.tid}`) ?? 0) + (e.dur ?? 0));
  }
  const main = [...ran].filter(([k]) => threads.get(k) === "CrRendererMain").sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!main) throw new Error(`no renderer main thread ran a script of ${origin}`);
  const last = events
    .filter((e) => e.name === "navigationStart" && `${e.pid}:${e.tid}` === main && String((e.args?.data as { documentLoaderURL?: string } | undefined)?.documentLoaderURL).startsWith(origin))
    .sort((a, b) => a.ts - b.ts)
    .at(-1);
  if (!last) throw new Error("no navigationStart on the page's main thread");
  const { pid, tid } = last;
  const t0 = last.ts;
  const t1 = t0 + firstRenderMs * 1000;
  // Complete events on the main thread in the window, nested by time: self time goes to the innermost group.
  const xs = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === "X" && e.dur !== undefined && e.ts < t1 && e.ts + e.dur! > t0)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const groups: Record<string, number> = {};
  let busy = 0;
  const add = (g: string, us: number) => (groups[g] = (groups[g] ?? 0) + us / 1000);
  // Walks each event once: a parent's self time is its span minus its children's spans.
  const self = new Map<TraceEvent, number>();
  const open: TraceEvent[] = [];
  for (const e of xs) {
    const s = Math.max(e.ts, t0), end = Math.min(e.ts + e.dur!, t1);
    while (open.length && open.at(-1)!.ts + open.at(-1)!.dur! <= e.ts) open.pop();
    const parent = open.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - (end - s));
    else busy += end - s;
    self.set(e, (self.get(e) ?? 0) + (end - s));
    open.push(e);
  }
  // A group is inherited from the nearest ancestor that has one ("RunTask" has none: "other").
  const groupOf = new Map<TraceEvent, string>();
  const anc: TraceEvent[] = [];
  for (const e of xs) {
    while (anc.length && anc.at(-1)!.ts + anc.at(-1)!.dur! <= e.ts) anc.pop();
    const g = GROUP[e.name] ?? (anc.length ? groupOf.get(anc.at(-1)!)! : "other");
    groupOf.set(e, g);
    anc.push(e);
  }
  for (const [e, us] of self) add(groupOf.get(e)!, us);
  groups.idle = (t1 - t0 - busy) / 1000;
  // Idle stretches over 20 ms (start-end, ms from navigation start): what the main thread waited for.
  const gaps: string[] = [];
  let at = t0;
  for (const e of xs) {
    if (e.ts > at + 20_000) gaps.push(`${((at - t0) / 1000).toFixed(0)}-${((e.ts - t0) / 1000).toFixed(0)}`);
    at = Math.max(at, e.ts + e.dur!);
  }
  if (t1 > at + 20_000) gaps.push(`${((at - t0) / 1000).toFixed(0)}-${((t1 - t0) / 1000).toFixed(0)}`);
  // V8 samples: ProfileChunk events carry nodes (call frames) and sample deltas.
  const scripts: Record<string, number> = {};
  const nodeUrl = new Map<number, string>();
  const nodeFn = new Map<number, string>();
  const functions: Record<string, number> = {};
  let ts = 0;
  const samples: { ts: number; node: number }[] = [];
  for (const e of events.filter((x) => x.pid === pid && (x.name === "Profile" || x.name === "ProfileChunk")).sort((a, b) => a.ts - b.ts)) {
    const d = e.args?.data as { startTime?: number; cpuProfile?: { nodes?: { id: number; callFrame: { url: string; functionName: string } }[]; samples?: number[] }; timeDeltas?: number[] } | undefined;
    if (!d) continue;
    if (e.name === "Profile") ts = d.startTime ?? ts;
    for (const n of d.cpuProfile?.nodes ?? []) {
      nodeUrl.set(n.id, n.callFrame.url ? shortUrl(n.callFrame.url) : `(${n.callFrame.functionName || "native"})`);
      nodeFn.set(n.id, `${n.callFrame.functionName || "(anonymous)"}@${shortUrl(n.callFrame.url)}:${(n.callFrame as { lineNumber?: number }).lineNumber ?? ""}:${(n.callFrame as { columnNumber?: number }).columnNumber ?? ""}`);
    }
    const ids = d.cpuProfile?.samples ?? [];
    const deltas = d.timeDeltas ?? [];
    for (let i = 0; i < ids.length; i++) {
      ts += deltas[i] ?? 0;
      samples.push({ ts, node: ids[i]! });
    }
  }
  for (let i = 0; i + 1 < samples.length; i++) {
    const a = samples[i]!;
    if (a.ts < t0 || a.ts >= t1) continue;
    const u = nodeUrl.get(a.node) ?? "?";
    if (u === "((idle))" || u === "((program))") continue;
    const ms = Math.min(samples[i + 1]!.ts - a.ts, 10_000) / 1000;
    scripts[u] = (scripts[u] ?? 0) + ms;
    const fn = nodeFn.get(a.node) ?? "?";
    functions[fn] = (functions[fn] ?? 0) + ms;
  }
  return { groups, scripts, gaps, functions };
}

async function profileOnce(page: Page, url: string, nodes: number, edges: number): Promise<Profile> {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await page.goto(url, { waitUntil: "commit" });
  const firstRenderMs = await drawnSince(page, nodes, edges);
  const resources = (await page.evaluate(`performance.getEntriesByType("resource").map((r) => r.name.replace(/^.*\\//, "").slice(0, 14) + " " + r.startTime.toFixed(0) + "-" + r.responseEnd.toFixed(0)).join(", ")`)) as string;
  const buf = await browser.stopTracing();
  if (process.env.CANVAS_TRACE_DIR) writeFileSync(join(process.env.CANVAS_TRACE_DIR, `${new URL(url).pathname.length > 1 ? "trellis" : "bare"}-${Date.now()}.json`), buf);
  const { traceEvents } = JSON.parse(buf.toString("utf8")) as { traceEvents: TraceEvent[] };
  return { firstRenderMs, resources, ...summarize(traceEvents, firstRenderMs, new URL(url).origin) };
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
};

export async function runCanvasProfile(runs: number): Promise<string[]> {
  const { design, browser, pages, close } = await openCanvasPages("trellis-canvas-profile-");
  try {
    const out: Record<"trellis" | "bare", Profile[]> = { trellis: [], bare: [] };
    for (let i = 0; i <= runs; i++) {
      for (const side of (i % 2 ? ["bare", "trellis"] : ["trellis", "bare"]) as ("trellis" | "bare")[]) {
        const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        try {
          const p = await profileOnce(page, pages[side], design.topology.nodes.length, design.topology.links.length);
          if (i > 0) out[side].push(p); // run 0 warms up
        } finally {
          await page.close();
        }
      }
    }
    const lines = [`canvas first-render profile, ${design.topology.nodes.length} nodes, median of ${runs} traced runs per page (ms from navigation start to all nodes drawn):`];
    for (const side of ["trellis", "bare"] as const) {
      const ps = out[side];
      const keys = [...new Set(ps.flatMap((p) => Object.keys(p.groups)))].sort();
      const g = keys.map((k) => `${k} ${med(ps.map((p) => p.groups[k] ?? 0)).toFixed(0)}`).join(", ");
      const files = [...new Set(ps.flatMap((p) => Object.keys(p.scripts)))]
        .map((k) => [k, med(ps.map((p) => p.scripts[k] ?? 0))] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(", ");
      lines.push(`  ${side}: all nodes ${med(ps.map((p) => p.firstRenderMs)).toFixed(0)} (runs ${ps.map((p) => p.firstRenderMs.toFixed(0)).join(" ")}); main thread: ${g}`);
      lines.push(`    JS self time by file: ${files}`);
      if (process.env.CANVAS_PROFILE_FUNCTIONS) {
        const fns = [...new Set(ps.flatMap((p) => Object.keys(p.functions)))]
          .map((k) => [k, med(ps.map((p) => p.functions[k] ?? 0))] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, Number(process.env.CANVAS_PROFILE_FUNCTIONS));
        lines.push(`    JS self time by function: ${fns.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
      }
      for (const p of ps) lines.push(`    run at ${p.firstRenderMs.toFixed(0)}: idle ${p.gaps.join(" ")}; resources ${p.resources}`);
    }
    return lines;
  } finally {
    await close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const l of await runCanvasProfile(Number(process.argv[2] ?? 3))) console.log(l);
}
