import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authFileCredentials, authFilePaths, normalizeAuthKey } from "./credentials";

const b64 = (s: string) => Buffer.from(s).toString("base64");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trellis-creds-"));
  await mkdir(join(dir, "docker"));
  await writeFile(
    join(dir, "docker", "config.json"),
    JSON.stringify({
      auths: {
        "https://index.docker.io/v1/": { auth: b64("hubuser:hub:pass") },
        "127.0.0.1:5000": { auth: b64("local:secret") },
        "ghcr.io/team": { username: "teamuser", password: "teampass" },
        "ghcr.io": { auth: b64("ghuser:ghpass") },
        "broken.io": { auth: "!!!" },
      },
    }),
  );
  await writeFile(join(dir, "auth.json"), JSON.stringify({ auths: { "127.0.0.1:5000": { auth: b64("podman:first") } } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("auth files", () => {
  it("normalises keys as docker writes them", () => {
    expect(normalizeAuthKey("https://index.docker.io/v1/")).toBe("docker.io");
    expect(normalizeAuthKey("http://localhost:5000/v2/")).toBe("localhost:5000");
    expect(normalizeAuthKey("quay.io/org")).toBe("quay.io/org");
  });
  it("reads $DOCKER_CONFIG/config.json; the most specific key wins; a password may contain colons", async () => {
    const look = authFileCredentials({ DOCKER_CONFIG: join(dir, "docker"), HOME: dir });
    expect(await look("docker.io", "library/nginx")).toEqual({ username: "hubuser", password: "hub:pass" });
    expect(await look("127.0.0.1:5000", "app")).toEqual({ username: "local", password: "secret" });
    expect(await look("ghcr.io", "team/app")).toEqual({ username: "teamuser", password: "teampass" });
    expect(await look("ghcr.io", "other/app")).toEqual({ username: "ghuser", password: "ghpass" });
    expect(await look("broken.io", "x")).toBeNull();
    expect(await look("nowhere.io", "x")).toBeNull();
  });
  it("REGISTRY_AUTH_FILE comes first, then the docker file", async () => {
    const env = { REGISTRY_AUTH_FILE: join(dir, "auth.json"), DOCKER_CONFIG: join(dir, "docker"), HOME: dir };
    expect(authFilePaths(env)).toEqual([join(dir, "auth.json"), join(dir, "docker", "config.json")]);
    const look = authFileCredentials(env);
    expect(await look("127.0.0.1:5000", "app")).toEqual({ username: "podman", password: "first" });
    expect(await look("ghcr.io", "x/y")).toEqual({ username: "ghuser", password: "ghpass" });
  });
  it("missing files are no credentials, not an error", async () => {
    expect(await authFileCredentials({ HOME: join(dir, "none") })("docker.io", "library/x")).toBeNull();
  });
});
