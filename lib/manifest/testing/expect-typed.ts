// Test support: bad input gives a typed import error or a partial import whose skipped items say why.
import { expect } from "vitest";
import { parseManifest } from "../index";

const KINDS = ["parse", "unknown-format", "invalid", "empty"];

export function expectTyped(text: string): void {
  const r = parseManifest(text);
  if (!r.ok) expect(KINDS).toContain(r.error.kind);
  else for (const s of r.value.skipped) expect(typeof s.reason).toBe("string");
}
