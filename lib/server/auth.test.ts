import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { authorize, constantTimeEqual, queryTokenMatches } from "./auth";

describe("authorize", () => {
  it("allows everything when no token is configured", () => {
    expect(authorize(new Headers(), undefined)).toBe("ok");
  });
  it("needs the exact token by bearer header or cookie", () => {
    expect(authorize(new Headers(), "s3cret")).toBe("denied");
    expect(authorize(new Headers({ authorization: "Bearer s3cret" }), "s3cret")).toBe("ok");
    expect(authorize(new Headers({ authorization: "Bearer s3cre" }), "s3cret")).toBe("denied");
    expect(authorize(new Headers({ authorization: "Bearer s3cretX" }), "s3cret")).toBe("denied");
    expect(authorize(new Headers({ cookie: "a=b; trellis_token=s3cret" }), "s3cret")).toBe("ok");
    expect(authorize(new Headers({ cookie: "trellis_token=s3%63ret" }), "s3cret")).toBe("ok");
  });
  it("refuses a malformed cookie instead of throwing (it was a 500 on every request)", () => {
    expect(() => authorize(new Headers({ cookie: "trellis_token=%E0%A4%A" }), "s3cret")).not.toThrow();
    expect(authorize(new Headers({ cookie: "trellis_token=%E0%A4%A" }), "s3cret")).toBe("denied");
  });
  it("compares in constant time over any length", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "x")).toBe(false);
    expect(queryTokenMatches("s3cret", "s3cret")).toBe(true);
    expect(queryTokenMatches("s3cret", undefined)).toBe(false);
  });
});

describe("start script", () => {
  it("refuses a non-loopback address without a token", () => {
    const r = spawnSync(process.execPath, ["scripts/start.mjs"], { encoding: "utf8", env: { ...process.env, TRELLIS_HOST: "0.0.0.0", TRELLIS_TOKEN: "" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("refusing to listen on 0.0.0.0 without an access token");
  });
});
