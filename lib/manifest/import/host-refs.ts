// Host names mentioned in a configuration value: `db`, `db:5432`,
// `http://api:8080/x`, `amqp://user:pass@mq:5672/`, `cache.ns.svc.cluster.local:6379`.
// URL schemes and user-info are not hosts. One pass over the text, so matching
// every env value against every service stays linear in the input.
export interface HostRef {
  /** First DNS label of the host (the service name in compose and Kubernetes). */
  host: string;
  port?: number;
}

const TOKEN = /([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)((?:\.[A-Za-z0-9-]+)*)(?::(\d{1,5}))?/g;

export function hostRefs(value: string): HostRef[] {
  const out: HostRef[] = [];
  for (const m of value.matchAll(TOKEN)) {
    const start = m.index;
    const after = value.slice(start + m[0].length);
    const before = start > 0 ? value[start - 1]! : "";
    if (/[A-Za-z0-9_.-]/.test(before)) continue;
    if (after.startsWith("://")) continue; // a URL scheme
    if (after.startsWith("@") || /^:[^\d/]/.test(after)) continue; // user-info `user:pass@`
    if (/^[A-Za-z0-9_-]/.test(after)) continue;
    const port = m[3] !== undefined ? Number(m[3]) : undefined;
    out.push({ host: m[1]!, ...(port !== undefined && port >= 1 && port <= 65535 ? { port } : {}) });
  }
  return out;
}
