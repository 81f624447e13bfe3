// Clamping of user-given numbers (query parameters, run limits): out of range
// or not a number never reaches the code that allocates or waits.

export interface IntRange {
  min: number;
  max: number;
  fallback: number;
}

/** An integer in [min, max]; `fallback` when absent or not a number. */
export function clampInt(v: unknown, r: IntRange): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) return r.fallback;
  return Math.min(Math.max(Math.trunc(n), r.min), r.max);
}

const slots = globalThis as { __trellisSlots?: Map<string, number> };

/**
 * Takes one of `max` slots of the named pool (runs, artifact runs); a release
 * function (idempotent), or undefined when the pool is full.
 */
export function acquireSlot(pool: string, max: number): (() => void) | undefined {
  const m = (slots.__trellisSlots ??= new Map());
  const busy = m.get(pool) ?? 0;
  if (busy >= max) return undefined;
  m.set(pool, busy + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    m.set(pool, (m.get(pool) ?? 1) - 1);
  };
}

/** A positive integer setting from the environment, else `fallback`. */
export function envInt(name: string, fallback: number, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const v = Number(env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
