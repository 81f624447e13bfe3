// The deployment settings of a compose service: volumes, healthcheck, restart
// policy, deploy.resources and secrets, read into the design's model (sizes
// and amounts as Kubernetes quantities). What cannot be read is reported.
import type { HealthCheck, NodeConfig, ResourceAmounts, RestartPolicy, SecretRef, VolumeMount } from "../../graph/types";
import type { SkippedItem } from "../types";
import { asArray, asRecord, asString } from "./yaml";

/** Compose durations (`1m30s`, `3s`, `500ms`, `1h`) in whole seconds, rounded up; null when malformed. */
export function durationSeconds(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/.test(t)) return null;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|ns|m|s)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return Math.ceil(total - 1e-9);
}

/** A Kubernetes quantity as the design format spells it (no exponents: `String(1e21)` is "1e+21"). */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const quantity = (q: string): string | null => (QUANTITY.test(q) ? q : null);

/** Compose `cpus` (`0.5`, `2`) as a Kubernetes CPU quantity (`500m`, `2`). */
export function cpuQuantity(v: unknown): string | null {
  const n = typeof v === "number" ? v : Number(asString(v));
  if (!Number.isFinite(n) || n <= 0) return null;
  const q = Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
  return q === "0m" ? null : quantity(q);
}

/** Compose memory (`512m`, `1g`, `1024k`, bytes) as a Kubernetes quantity; docker's units are binary. */
export function memoryQuantity(v: unknown): string | null {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i.exec(typeof v === "number" ? String(v) : (asString(v) ?? "").trim());
  if (!m) return null;
  const bytes = Number(m[1]) * 1024 ** "bkmgt".indexOf((m[2] || "b").toLowerCase());
  if (!Number.isFinite(bytes) || bytes <= 0) return null;
  for (const [suffix, size] of [["Gi", 1024 ** 3], ["Mi", 1024 ** 2], ["Ki", 1024]] as const) if (bytes % size === 0) return quantity(`${bytes / size}${suffix}`);
  return quantity(String(Math.ceil(bytes)));
}

const isBindSource = (s: string): boolean => /^([./~]|[A-Za-z]:\\)/.test(s);

/** One `volumes:` entry of a service, short (`src:dst[:ro]`) or long syntax. */
export function volumeMount(entry: unknown): VolumeMount | string {
  const long = asRecord(entry);
  if (long) {
    const type = asString(long.type) ?? "volume";
    const target = asString(long.target);
    const source = asString(long.source);
    if (!target?.startsWith("/")) return `target '${String(long.target)}' is not an absolute path`;
    if (type === "tmpfs") return "tmpfs mounts are scratch space; not modelled";
    if (type !== "volume" && type !== "bind") return `volume type '${type}' is not modelled`;
    if (!source) return "anonymous volume (no source); not modelled";
    return { type, source, target, ...(long.read_only === true ? { readOnly: true } : {}) };
  }
  const raw = asString(entry);
  if (!raw) return "not a volume entry";
  const parts = raw.split(":");
  // Windows drive letters (`C:\x:/y`) keep their colon.
  if (/^[A-Za-z]$/.test(parts[0] ?? "") && parts.length > 2) parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
  if (parts.length === 1) return "anonymous volume (no source); not modelled";
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (!target.startsWith("/")) return `target '${target}' is not an absolute path`;
  return { type: isBindSource(source) ? "bind" : "volume", source, target, ...(mode?.split(",").includes("ro") ? { readOnly: true } : {}) };
}

export function healthCheck(h: Record<string, unknown>): HealthCheck | string {
  if (h.disable === true) return "healthcheck disabled";
  const test = h.test;
  let exec: string[] | undefined;
  if (typeof test === "string") exec = ["sh", "-c", test];
  else if (Array.isArray(test)) {
    const [kind, ...rest] = test.map(String);
    if (kind === "NONE") return "healthcheck disabled (NONE)";
    if (kind === "CMD" && rest.length > 0) exec = rest;
    else if (kind === "CMD-SHELL" && rest.length > 0) exec = ["sh", "-c", rest.join(" ")];
  }
  if (!exec) return `test ${JSON.stringify(test)} is not CMD, CMD-SHELL or a command string`;
  const out: HealthCheck = { exec };
  for (const [key, field] of [["interval", "intervalSeconds"], ["timeout", "timeoutSeconds"], ["start_period", "startPeriodSeconds"]] as const) {
    const v = asString(h[key]);
    if (v === undefined) continue;
    const s = durationSeconds(v);
    if (s === null) return `${key} '${v}' is not a duration`;
    out[field] = s;
  }
  if (typeof h.retries === "number" && Number.isInteger(h.retries) && h.retries >= 1) out.retries = h.retries;
  return out;
}

export function restartPolicy(v: unknown): RestartPolicy | null {
  const s = asString(v)?.split(":")[0];
  return s === "always" ? "always" : s === "on-failure" ? "on-failure" : s === "unless-stopped" ? "unless-stopped" : s === "no" || s === "none" ? "never" : s === "any" ? "always" : null;
}

/** Reads a service's deployment settings into `config`; reports what it cannot read. */
export function readDeploySettings(svc: string, s: Record<string, unknown>, config: NodeConfig, skipped: SkippedItem[]): void {
  const volumes: VolumeMount[] = [];
  for (const v of asArray(s.volumes)) {
    const m = volumeMount(v);
    if (typeof m === "string") skipped.push({ kind: "volume", name: `${svc}: ${asString(v) ?? asString(asRecord(v)?.target) ?? "?"}`, reason: m });
    else volumes.push(m);
  }
  if (volumes.length > 0) config.volumes = volumes;

  const hc = asRecord(s.healthcheck);
  if (hc) {
    const h = healthCheck(hc);
    if (typeof h === "string") skipped.push({ kind: "healthcheck", name: svc, reason: h });
    else config.healthcheck = h;
  }

  const deploy = asRecord(s.deploy) ?? {};
  const restart = s.restart ?? asRecord(deploy.restart_policy)?.condition;
  if (restart !== undefined) {
    const r = restartPolicy(restart);
    if (r) config.restartPolicy = r;
    else skipped.push({ kind: "restart", name: svc, reason: `'${String(restart)}' is not a restart policy` });
  }

  const res = asRecord(deploy.resources);
  if (res) {
    const amounts = (x: Record<string, unknown> | undefined, what: string): ResourceAmounts | undefined => {
      if (!x) return undefined;
      const out: ResourceAmounts = {};
      if (x.cpus !== undefined) {
        const c = cpuQuantity(x.cpus);
        if (c) out.cpu = c;
        else skipped.push({ kind: "resources", name: `${svc}: ${what}.cpus`, reason: `'${String(x.cpus)}' is not a CPU amount` });
      }
      if (x.memory !== undefined) {
        const m = memoryQuantity(x.memory);
        if (m) out.memory = m;
        else skipped.push({ kind: "resources", name: `${svc}: ${what}.memory`, reason: `'${String(x.memory)}' is not a memory amount` });
      }
      return Object.keys(out).length > 0 ? out : undefined;
    };
    const requests = amounts(asRecord(res.reservations), "reservations");
    const limits = amounts(asRecord(res.limits), "limits");
    if (requests || limits) config.resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  }

  // Compose mounts a secret as a file, /run/secrets/<name> unless `target` says otherwise: a reference, never the value.
  const secrets: SecretRef[] = [];
  for (const x of asArray(s.secrets)) {
    const long = asRecord(x);
    const source = asString(long?.source) ?? asString(x);
    if (!source) {
      skipped.push({ kind: "secret", name: `${svc}: ?`, reason: "secret entry without a source" });
      continue;
    }
    const target = asString(long?.target);
    secrets.push({ secret: source, key: source, path: target?.startsWith("/") ? target : `/run/secrets/${target ?? source}` });
  }
  if (secrets.length > 0) config.secrets = secrets;
}
