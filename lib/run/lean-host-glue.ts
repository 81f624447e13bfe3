// A lean lowering for synchronous host imports in jco 1.35's glue.
//
// jco lowers every import a component's core wasm calls through
// `_lowerImportBackwardsCompat`: it looks up the caller's task, creates a
// subtask (a Waitable, a handle-table slot, onStart/onResolve state changes,
// an array filter to remove it again), and the import's trampoline then
// creates a host task of its own (an AsyncTask, pushed on and popped off the
// per-component task lists, linked to that subtask, entered, resolved and
// exited), all to hand the trampoline's value back. For a sync-lowered import
// of a sync function nothing of that is observable: the call cannot suspend,
// the host task has no guest memory or lock, and the value returned is the
// one the trampoline resolves its task with.
//
// The lean path calls the trampoline with a stand-in host task
// (`__leanHostTask`) whose methods keep only what is observable: the value it
// is resolved with (returned to the core wasm, as jco returns the subtask's
// result). The may-leave check and the trampoline's own lifting, lowering and
// borrow bookkeeping (`curResourceBorrows`) are unchanged, so resources cross
// exactly as before. A binding or trampoline that does not match the template
// this was written against (async lowering, an async function type, a
// trampoline calling task methods not listed here) keeps jco's path, and the
// reason is recorded in the glue's marker comment (`leanHostSummary`).
// `imports["trellis:glue"].leanHostCalls === false` selects jco's path at
// instantiation (for A/B measurement and the equivalence tests).

/** Import key of the glue's own options: `{ leanHostCalls?: boolean, stats?: GlueStats }`. */
export const GLUE_OPTIONS_IMPORT = "trellis:glue";

/** Filled in by the glue when passed as `imports["trellis:glue"].stats`: jco's task bookkeeping, counted. */
export interface GlueStats {
  /** Tasks jco created (export calls, host calls on jco's path). */
  tasksCreated: number;
  /** Tasks on jco's per-component task lists now (a leak makes this grow with every request). */
  liveTasks?: () => number;
  /** Entries in the components' waitable/subtask handle tables now. */
  liveHandles?: () => number;
  /** Slots of the resource handle tables (freed slots are reused: resources that are never dropped make this grow). */
  handleSlots?: () => number;
}

export interface LeanHostResult {
  js: string;
  /** Trampolines given the lean path. */
  lean: string[];
  /** Sync host imports left on jco's path, with why, and the jco component instance calling them. */
  kept: Array<{ trampoline: string; componentIdx: number | null; reason: string }>;
}

/** Task methods the trampolines call; the stand-in answers each as a sync host task would. */
const TASK_METHODS = new Set(["componentIdx", "id", "enterSync", "resolve", "exit", "setErrored", "reject", "getParentSubtask", "setParentSubtask"]);

const MARKER = "/* trellis:lean-host ";

const OPTIONS = `imports?.[${JSON.stringify(GLUE_OPTIONS_IMPORT)}]`;

/** Counts jco's task bookkeeping for `GlueStats` (tests: a leak shows as a count growing with requests). */
const STATS = `
  const __glueStats = ${OPTIONS}?.stats;
  if (__glueStats) {
    __glueStats.tasksCreated = 0;
    __glueStats.liveTasks = () => [...ASYNC_TASKS_BY_COMPONENT_IDX.values()].reduce((n, l) => n + l.length, 0);
    __glueStats.liveHandles = () => [...ASYNC_STATE.values()].reduce((n, s) => n + s.handles.size() + s.subtasks.size(), 0);
    __glueStats.handleSlots = () => (typeof HANDLE_TABLES === "undefined" ? 0 : HANDLE_TABLES.reduce((n, t) => n + (t ? (t.length >> 1) - 1 : 0), 0));
  }
`;

const PRELUDE = `
  const __leanHost = ${OPTIONS}?.leanHostCalls !== false;
  // Stands in for the host task of a sync host call on the lean path (see lib/run/lean-host-glue.ts).
  const __leanHostTask = {
    value: undefined,
    componentIdx: () => -1,
    id: () => 0,
    enterSync: () => true,
    resolve(results) {
      if (results.length > 1) throw new Error('unexpected number of results');
      this.value = results[0];
    },
    exit: () => {},
    setErrored: () => {},
    reject: () => {},
    getParentSubtask: () => undefined,
    setParentSubtask: () => {},
  };
  const __leanTake = () => { const v = __leanHostTask.value; __leanHostTask.value = undefined; return v; };
`;

/** Rewrites jco's sync host-import lowering to the lean path where the glue matches its template. */
export function leanHostImports(js: string): LeanHostResult {
  const lean: string[] = [];
  const kept: LeanHostResult["kept"] = [];
  const head = /export (?:async )?function instantiate\(getCoreModule, imports[^)]*\) \{\n/.exec(js);
  if (!head) return { js, lean, kept };
  const counted = "function createNewCurrentTask(args) {\n";
  const countable = js.includes(counted) && js.includes("const ASYNC_TASKS_BY_COMPONENT_IDX = new Map();") && js.includes("const ASYNC_STATE = new Map();");

  // 1. Trampolines: a stand-in task may be passed as a last argument.
  const params = new Map<string, string[]>();
  let out = js.replace(/const (_trampoline\d+) = function\(([^)]*)\) \{\n([\s\S]*?)\n {2}\}\n {2}\1\.fnName = /g, (whole, name: string, args: string, body: string) => {
    const why = trampolineMismatch(body);
    if (why) {
      kept.push({ trampoline: name, componentIdx: null, reason: why });
      return whole;
    }
    const from = body.indexOf("    const createTask = () => {");
    const to = body.indexOf("    const started = task.enterSync();");
    const list = args.split(",").map((a) => a.trim()).filter(Boolean);
    params.set(name, list);
    // The host function runs with the caller's task register as it is: jco puts its host task
    // there, which only glue called from inside the host function would read, and none is (the
    // host functions are the shim's and the run's own; re-entering the caller is refused by the spec).
    const call = body
      .slice(to)
      .replace(
        /_withGlobalCurrentTaskMeta\(\{\n\s*componentIdx: task\.componentIdx\(\),\n\s*taskID: task\.id\(\),\n\s*fn: \(\) => (_trackHostOperation\(\(\) => [^\n]*\)),\n\s*\}\)/,
        (m, direct: string) => `(__leanTask !== undefined ? ${direct} : ${m})`,
      );
    const newBody = `${body.slice(0, from)}    if (__leanTask !== undefined) { task = __leanTask; } else {\n${body.slice(from, to)}    }\n${call}`;
    return `const ${name} = function(${[...list, "__leanTask"].join(", ")}) {\n${newBody}\n  }\n  ${name}.fnName = `;
  });

  // 2. Bindings: the sync branch calls the trampoline directly after the may-leave check.
  out = out.replace(
    /let (trampoline\d+) = (_trampoline\d+)\.manuallyAsync \? (new WebAssembly\.Suspending\(_suspendingImport\(\d+, _lowerImportBackwardsCompat\.bind\([\s\S]*?\n {4}importFn: \2,\n {2}\},\n {2}\)\)\)) : (_lowerImportBackwardsCompat\.bind\(\n {2}null,\n {2}\{\n([\s\S]*?)\n {4}importFn: \2,\n {2}\},\n {2}\));/g,
    (whole, binding: string, tramp: string, suspending: string, jcoPath: string, meta: string) => {
      const idx = /^\s*trampolineIdx: \d+,\s*componentIdx: (\d+),/.exec(meta);
      const componentIdx = idx ? Number(idx[1]) : null;
      const list = params.get(tramp);
      let why: string | undefined;
      if (componentIdx === null) why = "binding metadata without a component instance index";
      else if (!js.includes("function _checkMayLeave(")) why = "no may-leave check in the glue";
      else if (!/\n {4}isAsync: false,/.test(meta)) why = "async-lowered import";
      else if (!/\n {4}funcTypeIsAsync: false,/.test(meta)) why = "async function type (stream, future or async func)";
      else if (!list) why = kept.find((k) => k.trampoline === tramp)?.reason ?? "trampoline not found";
      if (why) {
        const k = kept.find((e) => e.trampoline === tramp);
        if (k) k.componentIdx = componentIdx;
        else kept.push({ trampoline: tramp, componentIdx, reason: why });
        return whole;
      }
      lean.push(tramp);
      const a = list!.join(", ");
      const leanFn = `((${a}) => { _checkMayLeave(${componentIdx}); ${tramp}(${[...list!, "__leanHostTask"].join(", ")}); return __leanTake(); })`;
      return `let ${binding} = ${tramp}.manuallyAsync ? ${suspending} : (__leanHost ? ${leanFn} : ${jcoPath});`;
    },
  );
  // A trampoline rewritten in step 1 whose binding step 2 did not find stays on jco's path (the argument is never passed).
  for (const name of params.keys()) if (!lean.includes(name) && !kept.some((k) => k.trampoline === name)) kept.push({ trampoline: name, componentIdx: null, reason: "binding not in the expected form" });
  if (countable) out = out.replace(counted, `${counted}    if (__glueStats) __glueStats.tasksCreated++;\n`);
  const at = head.index + head[0].length;
  const summary = `${MARKER}${JSON.stringify({ lean: lean.length, kept })} */\n`;
  return { js: `${summary}${out.slice(0, at)}${countable ? STATS : ""}${lean.length ? PRELUDE : ""}${out.slice(at)}`, lean, kept };
}

/** Why a trampoline body is not the sync host-call template the lean path was written against (undefined: it is). */
function trampolineMismatch(body: string): string | undefined {
  if (!body.includes("    const hostProvided = true;")) return "not a host-provided import";
  const from = body.indexOf("    const createTask = () => {");
  const to = body.indexOf("    const started = task.enterSync();");
  if (from < 0 || to < from || body.indexOf("    const createTask = () => {", from + 1) >= 0 || body.indexOf("    const started = task.enterSync();", to + 1) >= 0)
    return "task creation not in the expected form";
  const creation = body.slice(from, to);
  if (!creation.includes("taskCreation: {") || !/componentIdx: -1,/.test(creation) || !/isAsync: false,/.test(creation)) return "not a sync host task";
  if (!/\n {4}let task;\n/.test(body.slice(0, from))) return "task variable not in the expected form";
  const rest = body.slice(0, from) + body.slice(to);
  if (/\b(parentTask|subtask)\b(?!;)/.test(rest.replace(/\n {4}let (parentTask|subtask);\n/g, "\n"))) return "uses the caller's task or subtask";
  for (const m of rest.matchAll(/\btask\.(\w+)\(/g)) if (!TASK_METHODS.has(m[1]!)) return `calls task.${m[1]}()`;
  if (/\bawait\b/.test(rest)) return "awaits";
  return undefined;
}

/** What `leanHostImports` did to a tuned glue module (from its marker comment); undefined when it did nothing. */
export function leanHostSummary(glue: string): { lean: number; kept: LeanHostResult["kept"] } | undefined {
  const start = glue.slice(0, 4096).indexOf(MARKER);
  if (start < 0) return undefined;
  const end = glue.indexOf(" */\n", start);
  try {
    return JSON.parse(glue.slice(start + MARKER.length, end)) as { lean: number; kept: LeanHostResult["kept"] };
  } catch {
    return undefined;
  }
}
