export interface LatencyStats {
  count: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

export function latencyStats(xs: ArrayLike<number>): LatencyStats {
  if (xs.length === 0) return { count: 0, p50: 0, p99: 0 };
  const s = Float64Array.from(xs).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { count: s.length, p50: at(0.5), p99: at(0.99) };
}
