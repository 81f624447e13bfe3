// Registry credentials and the push target set in the UI, kept server-side in
// one JSON file in the data directory (mode 0600). Passwords are only read by
// the lookup the pull/push code calls; listing returns hosts and user names.

import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Credential, CredentialLookup } from "./credentials";

interface StoreFile {
  registries?: Record<string, { username: string; password: string; updatedAt: string }>;
  /** Default push target (`host/namespace`), set in the UI. */
  pushTarget?: string;
}

export function credentialStorePath(dataDir: string): string {
  return join(dataDir, "registry-credentials.json");
}

async function load(path: string): Promise<StoreFile> {
  try {
    const j = JSON.parse(await readFile(path, "utf8")) as StoreFile;
    return typeof j === "object" && j !== null ? j : {};
  } catch {
    return {};
  }
}

async function save(path: string, s: StoreFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(s, null, 2), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export interface StoredRegistry {
  registry: string;
  username: string;
  updatedAt: string;
}

/** What the UI may see: never a password. */
export async function listStored(path: string): Promise<{ registries: StoredRegistry[]; pushTarget: string | null }> {
  const s = await load(path);
  return {
    registries: Object.entries(s.registries ?? {}).map(([registry, c]) => ({ registry, username: c.username, updatedAt: c.updatedAt })),
    pushTarget: s.pushTarget ?? null,
  };
}

export async function setStored(path: string, registry: string, cred: Credential | null): Promise<void> {
  const s = await load(path);
  const regs = { ...(s.registries ?? {}) };
  if (cred) regs[registry] = { username: cred.username, password: cred.password, updatedAt: new Date().toISOString() };
  else delete regs[registry];
  await save(path, { ...s, registries: regs });
}

export async function setPushTarget(path: string, target: string | null): Promise<void> {
  const s = await load(path);
  const { pushTarget: _old, ...rest } = s;
  await save(path, target ? { ...rest, pushTarget: target } : rest);
}

export function storedCredentials(path: string): CredentialLookup {
  return async (registry) => {
    const c = (await load(path)).registries?.[registry];
    return c ? { username: c.username, password: c.password } : null;
  };
}
