// docker-compose → topology. Services become container nodes; depends_on,
// links and environment values naming another service become wires (one per
// pair). Anchors and merge keys are resolved by the YAML parser.
import type { TopologyNode } from "../../graph/types";
import type { SkippedItem } from "../types";
import { TopologyBuilder } from "./builder";
import { readDeploySettings } from "./compose-deploy";
import { hostRefs } from "./host-refs";
import { asArray, asRecord, asString } from "./yaml";

/** Default listening ports of common images, used when a dependency declares none. */
const WELL_KNOWN_PORTS: [RegExp, number][] = [
  [/(^|\/)(mysql|mariadb)(:|$)/, 3306],
  [/(^|\/)postgres(ql)?(:|$)/, 5432],
  [/(^|\/)redis(:|$)/, 6379],
  [/(^|\/)mongo(db)?(:|$)/, 27017],
  [/(^|\/)memcached(:|$)/, 11211],
  [/(^|\/)rabbitmq(:|$)/, 5672],
  [/(^|\/)(cp-)?kafka(:|$)/, 9092],
  [/(^|\/)(cp-)?zookeeper(:|$)/, 2181],
  [/(^|\/)elasticsearch(:|$)/, 9200],
  [/(^|\/)(nginx|httpd)(:|$)/, 80],
];

const HANDLED_SERVICE_KEYS = new Set([
  "image", "build", "ports", "expose", "environment", "env_file", "depends_on", "links", "profiles", "deploy", "scale", "volumes", "container_name",
  "healthcheck", "restart", "secrets",
]);

/** Resolves `${VAR:-default}` / `${VAR-default}` to their defaults; other references stay literal. */
export function interpolateDefaults(s: string): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}]*)\}/g, (_m, _v, _op, def: string) => def).replace(/\$\$/g, "$");
}
const unresolved = (s: string): boolean => /\$\{?[A-Za-z_]/.test(s);

interface PortSpec {
  port: number;
  protocol: "tcp" | "udp";
}

/** Container-side ports of one `ports:` entry (short or long syntax). */
function containerPorts(entry: unknown): PortSpec[] | string {
  const long = asRecord(entry);
  if (long) {
    const t = typeof long.target === "number" ? long.target : Number(interpolateDefaults(asString(long.target) ?? ""));
    if (!Number.isInteger(t) || t < 1 || t > 65535) return `target '${String(long.target)}' is not a port number`;
    return [{ port: t, protocol: asString(long.protocol) === "udp" ? "udp" : "tcp" }];
  }
  const raw = interpolateDefaults(asString(entry) ?? "");
  if (unresolved(raw)) return `'${raw}' depends on an environment variable`;
  const [spec, proto] = raw.split("/");
  const protocol = proto === "udp" ? "udp" : "tcp";
  // host_ip:published:target | published:target | target — the container port is last.
  const last = (spec ?? "").replace(/^\[.*\]:/, "").split(":").pop() ?? "";
  const m = /^(\d+)(?:-(\d+))?$/.exec(last);
  if (!m) return `'${raw}' is not a valid port`;
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : from;
  if (from < 1 || to > 65535 || to < from) return `'${raw}' is out of range`;
  if (to - from > 64) return `'${raw}' is a range of ${to - from + 1} ports (at most 65 imported)`;
  const out: PortSpec[] = [];
  for (let p = from; p <= to; p++) out.push({ port: p, protocol });
  return out;
}

function envEntries(env: unknown): { name: string; value?: string }[] {
  if (Array.isArray(env)) {
    return env
      .map((e) => asString(e))
      .filter((e): e is string => !!e)
      .map((e) => {
        const i = e.indexOf("=");
        return i < 0 ? { name: e } : { name: e.slice(0, i), value: e.slice(i + 1) };
      });
  }
  const rec = asRecord(env);
  if (!rec) return [];
  return Object.entries(rec).map(([name, v]) => (v === null || v === undefined ? { name } : { name, value: String(v) }));
}

export function importCompose(root: Record<string, unknown>, skipped: SkippedItem[]): { name: string; builder: TopologyBuilder } {
  const b = new TopologyBuilder();
  const services = asRecord(root.services) ?? {};
  for (const [key, value] of Object.entries(root)) {
    if (key === "services" || key === "name") continue;
    if (key.startsWith("x-")) skipped.push({ kind: "x-field", name: key, reason: "compose extension field; anchors defined in it were resolved where they are used" });
    else if (key === "version") skipped.push({ kind: "field", name: "version", reason: "obsolete compose file version; ignored by compose too" });
    else if (key === "volumes") {
      // Named volumes live on the services that mount them; driver settings do not carry over.
      for (const [n, v] of Object.entries(asRecord(value) ?? {})) {
        const opts = Object.keys(asRecord(v) ?? {});
        if (opts.length > 0) skipped.push({ kind: "volume", name: n, reason: `volume settings (${opts.join(", ")}) are not modelled; the volume is kept on the services that mount it` });
      }
    } else if (key === "secrets") {
      // Secrets are kept as references on the services; where compose reads the value from is left behind, never the value.
      for (const n of Object.keys(asRecord(value) ?? {})) skipped.push({ kind: "secret", name: n, reason: "the secret's source (file or environment) is not imported; services keep a reference to it by name" });
    } else if (["networks", "configs"].includes(key)) {
      for (const n of Object.keys(asRecord(value) ?? {})) skipped.push({ kind: key.replace(/s$/, ""), name: n, reason: `top-level ${key} are not modelled in Trellis` });
    } else skipped.push({ kind: "field", name: key, reason: "unknown top-level compose field" });
  }

  const nodes = new Map<string, TopologyNode>();
  const envs = new Map<string, { name: string; value: string }[]>();
  for (const [svc, raw] of Object.entries(services)) {
    const s = asRecord(raw) ?? {};
    const image = asString(s.image) ? interpolateDefaults(asString(s.image)!) : undefined;
    const build = asString(s.build) ?? asString(asRecord(s.build)?.context);
    const deployReplicas = asRecord(s.deploy)?.replicas;
    const replicas = typeof deployReplicas === "number" ? deployReplicas : typeof s.scale === "number" ? s.scale : 1;
    const node = b.addNode("container", svc, {
      ...(image ? { image } : {}),
      ...(!image && build ? { source: build } : {}),
      replicas: Number.isInteger(replicas) && replicas >= 0 ? replicas : 1,
    });
    nodes.set(svc, node);
    if (!image && build !== undefined) skipped.push({ kind: "build", name: svc, reason: `build-only service (context '${build}'): imported without an image; build and push it, then set the image` });
    else if (!image) skipped.push({ kind: "image", name: svc, reason: "service has neither image nor build" });
    if (image && unresolved(image)) skipped.push({ kind: "interpolation", name: `${svc}.image`, reason: `'${image}' depends on environment variables; kept verbatim` });
    for (const p of asArray(s.ports)) {
      const ports = containerPorts(p);
      if (typeof ports === "string") skipped.push({ kind: "port", name: `${svc}: ${JSON.stringify(p)}`, reason: ports });
      else for (const x of ports) b.listenPort(node, x.port, x.protocol);
    }
    for (const p of asArray(s.expose)) {
      const ports = containerPorts(String(p));
      if (typeof ports === "string") skipped.push({ kind: "expose", name: `${svc}: ${String(p)}`, reason: ports });
      else for (const x of ports) b.listenPort(node, x.port, x.protocol);
    }
    const fromShell: string[] = [];
    const literal: { name: string; value: string }[] = [];
    for (const e of envEntries(s.environment)) {
      if (e.value === undefined) fromShell.push(e.name);
      else {
        const value = interpolateDefaults(e.value);
        literal.push({ name: e.name, value });
        if (!node.config.env.some((x) => x.name === e.name)) node.config.env.push({ name: e.name, value });
      }
    }
    envs.set(svc, literal);
    if (fromShell.length > 0) skipped.push({ kind: "env", name: `${svc}: ${fromShell.join(", ")}`, reason: "values come from the shell environment when compose runs" });
    for (const f of typeof s.env_file === "string" ? [s.env_file] : asArray(s.env_file)) {
      const path = asString(f) ?? asString(asRecord(f)?.path) ?? "?";
      skipped.push({ kind: "env_file", name: `${svc}: ${path}`, reason: "env files are read from disk when compose runs; not imported" });
    }
    const profiles = asArray(s.profiles).map(String);
    if (profiles.length > 0) skipped.push({ kind: "profile", name: `${svc}: ${profiles.join(", ")}`, reason: "profiles are not modelled; the service was imported as always enabled" });
    readDeploySettings(svc, s, node.config, skipped);
    const other = Object.keys(s).filter((k) => !HANDLED_SERVICE_KEYS.has(k));
    if (other.length > 0) skipped.push({ kind: "service fields", name: svc, reason: `not modelled: ${other.join(", ")}` });
  }

  // A port on `target` the wire can land on: an explicit one, the first listening port, or the image's usual port.
  const portFor = (target: TopologyNode, wanted?: number): string | undefined => {
    if (wanted) return b.listenPort(target, wanted);
    const listening = target.ports.find((p) => p.kind === "network" && p.direction === "export");
    if (listening) return listening.id;
    const known = WELL_KNOWN_PORTS.find(([re]) => re.test(target.config.image ?? ""));
    return known ? b.listenPort(target, known[1]) : undefined;
  };
  const wire = (dep: string, user: string, why: string, wanted?: number): void => {
    const from = nodes.get(dep);
    const to = nodes.get(user);
    if (!from || !to || from === to) return;
    if (b.hasWireBetween(from.id, to.id)) return;
    const port = portFor(from, wanted);
    if (!port) {
      skipped.push({ kind: "wire", name: `${dep} → ${user}`, reason: `${why}, but ${dep} declares no port and its image has no well-known one; add a port and wire it by hand` });
      return;
    }
    b.link(from.id, port, to.id, "net");
  };

  for (const [svc, raw] of Object.entries(services)) {
    const s = asRecord(raw) ?? {};
    // Env values first: they name the port, which depends_on cannot.
    for (const e of envs.get(svc) ?? []) {
      for (const ref of hostRefs(e.value)) {
        if (ref.host !== svc && nodes.has(ref.host)) wire(ref.host, svc, `${svc}'s ${e.name} names ${ref.host}`, ref.port);
      }
    }
    const deps = Array.isArray(s.depends_on) ? s.depends_on.map(String) : Object.keys(asRecord(s.depends_on) ?? {});
    for (const d of deps) {
      if (!nodes.has(d)) skipped.push({ kind: "depends_on", name: `${svc} → ${d}`, reason: `no service named '${d}'` });
      else wire(d, svc, `${svc} depends on ${d}`);
    }
    for (const l of asArray(s.links).map(String)) {
      const d = l.split(":")[0]!;
      if (!nodes.has(d)) skipped.push({ kind: "links", name: `${svc} → ${d}`, reason: `no service named '${d}'` });
      else wire(d, svc, `${svc} links ${d}`);
    }
  }
  return { name: asString(root.name) ?? "compose", builder: b };
}
