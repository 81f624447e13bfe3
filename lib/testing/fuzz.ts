// fast-check settings for the *.fuzz.test.ts files. In `npm test` a property runs a bounded number of cases from
// a fixed seed, so CI sees the same cases every time; `npm run fuzz` (FUZZ_RUNS set) runs many more from a fresh
// seed each time. FUZZ_SEED replays a reported failure.
export function fuzzParams(defaultRuns: number, env: Readonly<Record<string, string | undefined>> = process.env): { numRuns: number; seed?: number } {
  const numRuns = Math.max(1, Math.round(Number(env.FUZZ_RUNS ?? defaultRuns)));
  if (env.FUZZ_SEED !== undefined) return { numRuns, seed: Number(env.FUZZ_SEED) };
  return env.FUZZ_RUNS === undefined ? { numRuns, seed: 14 } : { numRuns };
}
