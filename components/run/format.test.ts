import { describe, expect, it } from "vitest";
import { formatOutput, formatValue } from "./format";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("run value formatting", () => {
  it("shows UTF-8 bytes as text and other bytes by size", () => {
    expect(formatValue({ $bytes: b64("a,b\n1,2\n") })).toBe('"a,b\\n1,2\\n"');
    expect(formatValue({ $bytes: Buffer.from([0, 1, 2, 255]).toString("base64") })).toBe("<4 bytes>");
    expect(formatValue({ tag: "ok", val: 3 })).toBe("ok(3)");
    expect(formatValue("x".repeat(100), 10)).toBe(`"xxxxxxxx…`);
  });
  it("reads an HTTP response as status, content type and body", () => {
    const r = { status: 200, headers: [["content-type", "text/csv"], ["x-a", "b"]], body: { $bytes: b64("city,temp\nOslo,4\n") } };
    expect(formatOutput(r)).toBe("HTTP 200 (text/csv)\ncity,temp\nOslo,4\n");
    expect(formatOutput([1, 2])).toBe("[1, 2]");
  });
});
