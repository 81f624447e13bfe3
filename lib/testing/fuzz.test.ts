import { describe, expect, it } from "vitest";
import { fuzzParams } from "./fuzz";

describe("fuzzParams", () => {
  it("is bounded and seeded in npm test, unseeded for long runs, and replays a seed", () => {
    expect(fuzzParams(100, {})).toEqual({ numRuns: 100, seed: 14 });
    expect(fuzzParams(100, { FUZZ_RUNS: "5000" })).toEqual({ numRuns: 5000 });
    expect(fuzzParams(100, { FUZZ_RUNS: "5000", FUZZ_SEED: "-77" })).toEqual({ numRuns: 5000, seed: -77 });
  });
});
