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
