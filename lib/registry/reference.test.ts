import { describe, expect, it } from "vitest";
import { looksLikeReference, parseReference, withDigest } from "./reference";

const D = "sha256:" + "a".repeat(64);

function parsed(s: string) {
  const r = parseReference(s);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("parseReference", () => {
  it.each([
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.25", "docker.io/library/nginx:1.25"],
    ["library/nginx", "docker.io/library/nginx:latest"],
    ["bitnami/redis:7", "docker.io/bitnami/redis:7"],
    ["docker.io/nginx", "docker.io/library/nginx:latest"],
    ["index.docker.io/library/nginx:1", "docker.io/library/nginx:1"],
    ["ghcr.io/owner/app:v1.2.3", "ghcr.io/owner/app:v1.2.3"],
    ["localhost/app", "localhost/app:latest"],
    ["localhost:5000/team/app:dev", "localhost:5000/team/app:dev"],
    ["127.0.0.1:5000/app@" + D, "127.0.0.1:5000/app@" + D],
    ["127.0.0.1:5000/app:v1@" + D, "127.0.0.1:5000/app:v1@" + D],
    ["[::1]:5000/app:x", "[::1]:5000/app:x"],
    ["docker://quay.io/a/b.c_d__e-f:t", "quay.io/a/b.c_d__e-f:t"],
    ["Registry/app", "Registry/app:latest"],
  ])("%s → %s", (input, canonical) => {
    expect(parsed(input).canonical).toBe(canonical);
  });

  it("splits registry, repository, tag and digest", () => {
    expect(parsed("localhost:5000/team/app:dev")).toMatchObject({ registry: "localhost:5000", repository: "team/app", tag: "dev" });
    const r = parsed("nginx@" + D);
    expect(r).toMatchObject({ registry: "docker.io", repository: "library/nginx", digest: D });
    expect(r.tag).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["nginx latest", "whitespace"],
    ["https://ghcr.io/a/b", "URL scheme"],
    ["Nginx", "lowercase"],
    ["ghcr.io/Owner/app", "lowercase"],
    ["app:", "not a tag"],
    ["app:-x", "not a tag"],
    ["app:" + "x".repeat(129), "not a tag"],
    ["app@sha256:abc", "64 lowercase hex"],
    ["app@md5:" + "a".repeat(32), "only sha256"],
    ["app@junk", "not a digest"],
    ["ghcr.io//app", "empty path component"],
    ["ghcr.io/", "no repository"],
    ["host:99999/app", "out of range"],
    ["bad_host.io:50/app", "not a host name"],
    ["a/b!c", "not a valid repository component"],
    ["a--/b", "not a valid repository component"],
    ["x.io/" + "a".repeat(260), "longer than 255"],
  ])("refuses %j (%s)", (input, why) => {
    const r = parseReference(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe("reference-invalid");
      expect(r.error.message).toContain(why);
      expect(r.error.reference).toBe(input);
    }
  });

  it("pins a reference to a digest, keeping the tag", () => {
    expect(withDigest(parsed("127.0.0.1:5000/app:v1"), D).canonical).toBe(`127.0.0.1:5000/app:v1@${D}`);
  });

  it("tells references from file paths", () => {
    expect(looksLikeReference("nginx:1")).toBe(true);
    expect(looksLikeReference("127.0.0.1:5000/app:v1")).toBe(true);
    expect(looksLikeReference("./image.tar")).toBe(false);
    expect(looksLikeReference("image.tar")).toBe(false);
    expect(looksLikeReference("/tmp/x")).toBe(false);
  });
});
