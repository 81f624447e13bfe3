import { describe, expect, it } from "vitest";
import { parseChallenges } from "./challenge";

describe("parseChallenges", () => {
  it("reads a Docker Hub bearer challenge", () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull" } },
    ]);
  });
  it("reads distribution's basic challenge", () => {
    expect(parseChallenges('Basic realm="basic-realm"')).toEqual([{ scheme: "basic", params: { realm: "basic-realm" } }]);
  });
  it("reads several challenges, spaces, token values, escapes and commas inside quotes", () => {
    expect(parseChallenges('Basic realm="a, b", BEARER realm = "https://x/t" , service=reg.io,scope="repository:a/b:pull,push" ,error="insufficient_scope"')).toEqual([
      { scheme: "basic", params: { realm: "a, b" } },
      { scheme: "bearer", params: { realm: "https://x/t", service: "reg.io", scope: "repository:a/b:pull,push", error: "insufficient_scope" } },
    ]);
    expect(parseChallenges('Bearer realm="say \\"hi\\""')[0]!.params.realm).toBe('say "hi"');
  });
  it("a scheme without params, and garbage, do not crash", () => {
    expect(parseChallenges("Negotiate")).toEqual([{ scheme: "negotiate", params: {} }]);
    expect(parseChallenges("")).toEqual([]);
    expect(parseChallenges('=== ,, Bearer realm="unterminated')).toEqual([{ scheme: "bearer", params: {} }]);
  });
});
