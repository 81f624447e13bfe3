// Second opinion: jco's `componentEmbed` (wit-parser inside) must agree with
// lib/wit on which samples are valid WIT.
import { componentEmbed } from "@bytecodealliance/jco";
import { describe, expect, it } from "vitest";
import { selectWorld } from "./analyze";
import { checkWit, memoryWitFs } from "./loader";
import { JCO_DIVERGENCES, JCO_SAMPLES } from "./jco-samples";

function oursValid(wit: string, world: string): { valid: boolean; why: string } {
  const { model, errors } = checkWit(memoryWitFs({ "sample.wit": wit }), "sample.wit");
  if (errors.length) return { valid: false, why: errors.map((e) => e.message).join("; ") };
  const sel = selectWorld(model, world);
  if (!sel.ok || !sel.world) return { valid: false, why: sel.ok ? "no world" : sel.error };
  return { valid: true, why: "" };
}

async function jcoValid(wit: string, world: string): Promise<{ valid: boolean; why: string }> {
  try {
    await componentEmbed({ witSource: wit, dummy: true, world });
    return { valid: true, why: "" };
  } catch (e) {
    const err = e as { payload?: unknown; message?: string };
    return { valid: false, why: String(err.payload ?? err.message ?? e).split("\n")[0] };
  }
}

describe("agreement with jco componentEmbed", () => {
  const valid = JCO_SAMPLES.filter((s) => s.valid).length;
  const invalid = JCO_SAMPLES.length - valid;
  it("has at least 20 valid and 20 invalid samples", () => {
    expect(valid).toBeGreaterThanOrEqual(20);
    expect(invalid).toBeGreaterThanOrEqual(20);
  });

  it("agrees on every sample", async () => {
    const disagreements: string[] = [];
    let agree = 0;
    for (const s of JCO_SAMPLES) {
      const ours = oursValid(s.wit, s.world);
      const theirs = await jcoValid(s.wit, s.world);
      if (ours.valid === theirs.valid && ours.valid === s.valid) agree++;
      else {
        disagreements.push(`${s.name}: expected ${s.valid ? "valid" : "invalid"}, lib/wit ${ours.valid ? "valid" : `invalid (${ours.why})`}, jco ${theirs.valid ? "valid" : `invalid (${theirs.why})`}`);
      }
    }
    console.log(`jco agreement: ${agree}/${JCO_SAMPLES.length} (${valid} valid, ${invalid} invalid samples)`);
    expect(disagreements).toEqual([]);
  });

  it("documented divergences: lib/wit rejects, jco accepts", async () => {
    for (const s of JCO_DIVERGENCES) {
      expect(oursValid(s.wit, s.world).valid, s.name).toBe(false);
      expect((await jcoValid(s.wit, s.world)).valid, s.name).toBe(true);
    }
  });
});
