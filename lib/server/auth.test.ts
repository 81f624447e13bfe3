import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { authorize } from "./auth";

const url = (q = "") => new URL(`http://x/${q}`);

describe("authorize", () => {
  it("allows everything when no token is configured", () => {
    expect(authorize(new Headers(), url(), undefined)).toBe("ok");
  });
  it("needs the exact token by bearer header, cookie or query", () => {
    expect(authorize(new Headers(), url(), "s3cret")).toBe("denied");
    expect(authorize(new Headers({ authorization: "Bearer s3cret" }), url(), "s3cret")).toBe("ok");
    expect(authorize(new Headers({ authorization: "Bearer s3cre" }), url(), "s3cret")).toBe("denied");
    expect(authorize(new Headers({ cookie: "a=b; trellis_token=s3cret" }), url(), "s3cret")).toBe("ok");
    expect(authorize(new Headers(), url("?token=s3cret"), "s3cret")).toBe("ok");
    expect(authorize(new Headers(), url("?token=nope"), "s3cret")).toBe("denied");
  });
});

describe("start script", () => {
  it("refuses a non-loopback address without a token", () => {
    const r = spawnSync(process.execPath, ["scripts/start.mjs"], { encoding: "utf8", env: { ...process.env, TRELLIS_HOST: "0.0.0.0", TRELLIS_TOKEN: "" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("refusing to listen on 0.0.0.0 without an access token");
  });
});
