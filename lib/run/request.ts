// Validation of a run request body (POST /api/run) and a server-wide cap on
// concurrent runs, so a burst of runs cannot fork the server to death.
import { parseDesign } from "../graph/document";
import { err, ok, type Result } from "../result";
import { acquireSlot, envInt } from "../server/limits";
import type { HttpRequestShape } from "./entry";
import type { RunRequest } from "./run";
import type { RunError, RunInput, RunLimits } from "./types";

/** Largest request body the run routes read (a design plus an input). */
export const MAX_RUN_BODY_BYTES = Number(process.env.TRELLIS_MAX_RUN_BODY ?? 32 * 2 ** 20);

export function parseRunRequest(body: unknown): Result<RunRequest, RunError> {
  if (!body || typeof body !== "object" || Array.isArray(body)) return err({ kind: "invalid-request", message: "the body must be a JSON object { design, input, mode }" });
  const b = body as { design?: unknown; input?: unknown; mode?: unknown; composed?: unknown; limits?: unknown; entryNodeId?: unknown; request?: unknown };
  const design = parseDesign(b.design);
  if (!design.ok)
    return err({ kind: "invalid-request", message: `design: ${design.error.slice(0, 3).map((i) => `${i.path || "/"} ${i.message}`).join("; ")}` });
  const mode = b.mode ?? "in-process";
  if (mode !== "in-process" && mode !== "network") return err({ kind: "invalid-request", message: 'mode must be "in-process" or "network"' });
  if (b.composed !== undefined && typeof b.composed !== "boolean") return err({ kind: "invalid-request", message: "composed must be true or false" });
  if (b.composed === true && mode !== "in-process") return err({ kind: "invalid-request", message: "a composed run is an in-process run (mode \"in-process\")" });
  const input = b.input;
  const validInput =
    !!input &&
    typeof input === "object" &&
    (typeof (input as { text?: unknown }).text === "string" || typeof (input as { base64?: unknown }).base64 === "string" || "json" in input);
  if (!validInput) return err({ kind: "invalid-request", message: "input must be { text: string }, { base64: string } or { json: any }" });
  const limits: Partial<RunLimits> = {};
  if (b.limits !== undefined) {
    if (!b.limits || typeof b.limits !== "object") return err({ kind: "invalid-request", message: "limits must be an object" });
    for (const k of ["timeMs", "memoryBytes", "outputBytes"] as const) {
      const v = (b.limits as Record<string, unknown>)[k];
      if (v === undefined) continue;
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) return err({ kind: "invalid-request", message: `limits.${k} must be a positive number` });
      limits[k] = v;
    }
  }
  if (b.entryNodeId !== undefined && typeof b.entryNodeId !== "string") return err({ kind: "invalid-request", message: "entryNodeId must be a string" });
  const rq = b.request;
  if (rq !== undefined && (!rq || typeof rq !== "object" || Array.isArray(rq))) return err({ kind: "invalid-request", message: "request must be { method?, path?, headers? }" });
  return ok({
    topology: design.value.topology,
    input: input as RunInput,
    mode,
    ...(b.composed === true ? { composed: true } : {}),
    limits,
    ...(typeof b.entryNodeId === "string" ? { entryNodeId: b.entryNodeId } : {}),
    // Shape checked here; method, path and header syntax are checked with the entry (typed errors).
    ...(rq !== undefined ? { request: rq as HttpRequestShape } : {}),
  });
}

export const MAX_COMPARE_REQUESTS = 20_000;

/** Body of POST /api/run/compare: a run request plus `requests` (default 500). */
export function parseCompareRequest(body: unknown): Result<RunRequest & { requests: number }, RunError> {
  const r = parseRunRequest(body && typeof body === "object" ? { ...body, mode: "in-process" } : body);
  if (!r.ok) return r;
  const n = (body as { requests?: unknown }).requests ?? 500;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_COMPARE_REQUESTS)
    return err({ kind: "invalid-request", message: `requests must be an integer from 1 to ${MAX_COMPARE_REQUESTS}` });
  return ok({ ...r.value, requests: n });
}

/** Takes one of `max` run slots (TRELLIS_MAX_RUNS, default 2); a release function, or undefined when all are busy. */
export function acquireRunSlot(max = envInt("TRELLIS_MAX_RUNS", 2)): (() => void) | undefined {
  return acquireSlot("design-runs", max);
}
