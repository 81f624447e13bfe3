// Registry credentials, found the way docker, podman and skopeo find them:
// REGISTRY_AUTH_FILE, then $DOCKER_CONFIG/config.json (or ~/.docker/config.json).
// `auths` entries (`auth` = base64 user:password, or username/password), and
// `credHelpers` / `credsStore` (docker-credential-<name> get). Nothing here logs
// or returns a secret anywhere but to the caller that asked.

import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { DOCKER_HUB } from "./reference";

export interface Credential {
  username: string;
  password: string;
}

/** Finds the credential for a registry (and repository: auth files may scope to `host/namespace`). */
export type CredentialLookup = (registry: string, repository: string) => Promise<Credential | null>;

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/v2/` → `host:5000`. */
export function normalizeAuthKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
  k = k.replace(/\/v[12]$/, "");
  const slash = k.indexOf("/");
  const host = slash < 0 ? k : k.slice(0, slash);
  const rest = slash < 0 ? "" : k.slice(slash);
  const h = host === "index.docker.io" || host === "registry-1.docker.io" ? DOCKER_HUB : host;
  return h + rest;
}

/** The auth files to read, first match wins, as skopeo/podman then docker order them. */
export function authFilePaths(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  if (env.REGISTRY_AUTH_FILE) out.push(env.REGISTRY_AUTH_FILE);
  const home = env.HOME ?? homedir();
  out.push(join(env.DOCKER_CONFIG ?? join(home, ".docker"), "config.json"));
  return out;
}

function decodeAuth(e: { auth?: string; username?: string; password?: string }): Credential | null {
  if (typeof e.username === "string" && typeof e.password === "string" && e.username) return { username: e.username, password: e.password };
  if (typeof e.auth === "string" && e.auth) {
    const s = Buffer.from(e.auth, "base64").toString("utf8");
    const i = s.indexOf(":");
    if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
  }
  return null;
}

function runHelper(helper: string, server: string): Promise<Credential | null> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ["get"], { timeout: 10_000, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return resolve(null); // not installed, or no entry for this server
      try {
        const j = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(j.Username && typeof j.Secret === "string" && j.Username !== "<token>" ? { username: j.Username, password: j.Secret } : null);
      } catch {
        resolve(null);
      }
    });
    child.stdin?.end(server === DOCKER_HUB ? "https://index.docker.io/v1/" : server);
  });
}

/** Looks a registry up in one parsed auth file. */
export async function lookupInAuthFile(file: AuthFile, registry: string, repository: string): Promise<Credential | null> {
  const helper = file.credHelpers?.[registry] ?? Object.entries(file.credHelpers ?? {}).find(([k]) => normalizeAuthKey(k) === registry)?.[1];
  if (helper) return runHelper(helper, registry);
  // The most specific key wins: `host/ns/repo`, `host/ns`, `host`.
  const wanted = `${registry}/${repository}`;
  let best: { len: number; cred: Credential } | null = null;
  for (const [key, entry] of Object.entries(file.auths ?? {})) {
    const k = normalizeAuthKey(key);
    if (k !== registry && !(wanted === k || wanted.startsWith(k + "/"))) continue;
    const cred = entry && typeof entry === "object" ? decodeAuth(entry) : null;
    if (cred && (!best || k.length > best.len)) best = { len: k.length, cred };
  }
  if (best) return best.cred;
  if (file.credsStore) return runHelper(file.credsStore, registry);
  return null;
}

/** Reads the auth files named by the environment at each lookup (they may change while the server runs). */
export function authFileCredentials(env: Record<string, string | undefined> = process.env): CredentialLookup {
  return async (registry, repository) => {
    for (const path of authFilePaths(env)) {
      let file: AuthFile;
      try {
        file = JSON.parse(await readFile(path, "utf8")) as AuthFile;
      } catch {
        continue; // missing or unreadable: docker ignores it too
      }
      if (typeof file !== "object" || file === null) continue;
      const c = await lookupInAuthFile(file, registry, repository);
      if (c) return c;
    }
    return null;
  };
}

/** Tries each lookup in turn (e.g. credentials set in the UI, then the auth files). */
export function firstOf(...lookups: CredentialLookup[]): CredentialLookup {
  return async (registry, repository) => {
    for (const l of lookups) {
      const c = await l(registry, repository);
      if (c) return c;
    }
    return null;
  };
}
