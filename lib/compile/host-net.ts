// Options of a run's host network (lib/image/HOST-NET.md): published ports
// (`-p [ADDR:]HOSTPORT:GUESTPORT`, as `docker run -p`) and allowed outbound
// peers (`--allow HOST:PORT`), parsed into what host-net-runner.mjs takes.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CORE_NODE_FLAGS } from "./native-artifact";

export interface Publish {
  hostAddr: string;
  hostPort: number;
  guestPort: number;
}
export interface Allow {
  host: string;
  port: number;
}
export interface HostNetError {
  kind: "bad-publish" | "bad-allow" | "duplicate-publish";
  message: string;
}

const port = (s: string): number | null => (/^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535 ? Number(s) : null);
const ipv4 = (s: string): boolean => /^(\d{1,3})(\.\d{1,3}){3}$/.test(s) && s.split(".").every((x) => Number(x) <= 255);

export function parsePublish(spec: string): Publish | HostNetError {
  const parts = spec.split(":");
  const bad = (why: string): HostNetError => ({ kind: "bad-publish", message: `-p ${spec}: ${why} (expected [ADDR:]HOSTPORT:GUESTPORT, e.g. 8080:80)` });
  if (parts.length !== 2 && parts.length !== 3) return bad("wrong number of fields");
  const [addr, hp, gp] = parts.length === 3 ? (parts as [string, string, string]) : ["127.0.0.1", parts[0]!, parts[1]!];
  if (!ipv4(addr) && addr !== "localhost") return bad(`${addr} is not an IPv4 address`);
  const hostPort = port(hp), guestPort = port(gp.replace(/\/tcp$/, ""));
  if (hostPort === null || guestPort === null) return bad("ports are 1-65535");
  return { hostAddr: addr === "localhost" ? "127.0.0.1" : addr, hostPort, guestPort };
}

export function parseAllow(spec: string): Allow | HostNetError {
  const i = spec.lastIndexOf(":");
  const host = spec.slice(0, i), p = port(spec.slice(i + 1));
  if (i <= 0 || p === null || !(ipv4(host) || host === "localhost")) return { kind: "bad-allow", message: `--allow ${spec}: expected IPV4:PORT or localhost:PORT` };
  return { host, port: p };
}

export function isHostNetError(x: unknown): x is HostNetError {
  return typeof x === "object" && x !== null && "kind" in x && "message" in x;
}

/** Checks a set of published ports: one guest port or host port once each. */
export function checkPublishes(list: Publish[]): HostNetError | null {
  const seenHost = new Set<string>(), seenGuest = new Set<number>();
  for (const p of list) {
    const key = `${p.hostAddr}:${p.hostPort}`;
    if (seenHost.has(key)) return { kind: "duplicate-publish", message: `host port ${key} is published twice` };
    if (seenGuest.has(p.guestPort)) return { kind: "duplicate-publish", message: `guest port ${p.guestPort} is published twice` };
    seenHost.add(key);
    seenGuest.add(p.guestPort);
  }
  return null;
}

const besideThis = fileURLToPath(new URL("./host-net-runner.mjs", import.meta.url));
/** The runner script; from a bundle (build/run/node-process.mjs) it is found in the source tree. */
export const HOST_NET_RUNNER = existsSync(besideThis) ? besideThis : join(dirname(besideThis), "..", "..", "lib", "compile", "host-net-runner.mjs");

/** `node` arguments running a module with the host network interface. */
export function hostNetChildArgs(cfg: { file: string; args: string[]; env: Record<string, string>; preopens: Record<string, string>; publish: Publish[]; allow: Allow[]; exitWithStdin?: boolean }): string[] {
  return ["--no-warnings", ...CORE_NODE_FLAGS, HOST_NET_RUNNER, JSON.stringify(cfg)];
}
