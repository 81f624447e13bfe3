import { describe, expect, it } from "vitest";
import { semverSatisfies } from "./semver";

describe("semverSatisfies", () => {
  it.each([
    ["1.3.1", "1.2.0", true],
    ["1.2.0", "1.3.0", false],
    ["2.0.0", "1.2.0", false],
    ["0.2.3", "0.2.0", true],
    ["0.3.0", "0.2.0", false],
    ["0.2.0-draft", "0.2.0-draft", true],
    ["0.2.0-rc1", "0.2.0-draft", false],
    ["0.2.0", "0.2.0-draft", false],
    [undefined, undefined, true],
    ["1.0.0", undefined, false],
    ["not-a-version", "1.0.0", false],
  ] as const)("%s satisfies %s → %s", (p, w, expected) => {
    expect(semverSatisfies(p, w)).toBe(expected);
  });
});
