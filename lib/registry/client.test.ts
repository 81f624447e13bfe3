import { describe, expect, it } from "vitest";
import { insecureAllowed, insecureFromEnv, isLoopback, RegistryClient } from "./client";

describe("plain HTTP policy", () => {
  it("loopback registries may use plain HTTP, as docker allows", () => {
    for (const h of ["127.0.0.1:5000", "127.9.9.9", "localhost:5000", "[::1]:5000", "registry.localhost"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["10.0.0.1:5000", "ghcr.io", "localhost.example.com", "128.0.0.1"]) expect(isLoopback(h), h).toBe(false);
  });
  it("others only when listed in TRELLIS_INSECURE_REGISTRIES (host or host:port)", () => {
    const listed = insecureFromEnv({ TRELLIS_INSECURE_REGISTRIES: "reg.lan:5000, other.lan" });
    expect(listed).toEqual(["reg.lan:5000", "other.lan"]);
    expect(insecureAllowed("reg.lan:5000", listed)).toBe(true);
    expect(insecureAllowed("reg.lan:6000", listed)).toBe(false);
    expect(insecureAllowed("other.lan:443", listed)).toBe(true);
    expect(insecureAllowed("ghcr.io", listed)).toBe(false);
    expect(insecureFromEnv({})).toEqual([]);
  });
  it("a request over plain HTTP to an unlisted host is refused before any connection", async () => {
    const c = new RegistryClient("registry.example", "a/b");
    // The private request path is what a redirect to http:// goes through.
    const raw = (c as unknown as { raw: (u: URL, m: string, h: object) => Promise<unknown> }).raw.bind(c);
    await expect((async () => raw(new URL("http://registry.example/v2/"), "GET", {}))()).rejects.toMatchObject({ error: { kind: "insecure-refused" } });
  });
});
