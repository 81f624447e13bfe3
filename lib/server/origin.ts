// Where a request comes from. Two checks, both before any handler runs:
// - the Host header must name this server (loopback names, or a host listed
//   in TRELLIS_ALLOWED_HOSTS): a DNS-rebinding page reaches 127.0.0.1 under its
//   own name, and is refused here;
// - a state-changing request from a browser must come from this origin
//   (Sec-Fetch-Site, else Origin): a page on another site cannot POST here,
//   whatever content type it sends.
// Requests without those browser headers (curl, the CLI) pass the second check.

/** Hostname of a Host header value ("h", "h:port", "[::1]:port"), lower-case, without brackets. */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

/** Loopback names: localhost (and *.localhost, which browsers resolve to loopback), 127.0.0.0/8, ::1. */
export function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/^\[|\]$/g, "").replace(/^::ffff:(?=127\.)/, "");
  return n === "localhost" || n.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(n) || n === "::1" || n === "0:0:0:0:0:0:0:1";
}

/** The configured extra host names (TRELLIS_ALLOWED_HOSTS, comma-separated; `*` allows any). */
export function allowedHosts(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return (env.TRELLIS_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .map((h) => (h === "*" ? h : hostnameOf(h)));
}

export function hostAllowed(hostHeader: string | null, extra: readonly string[] = allowedHosts()): boolean {
  if (!hostHeader) return false;
  if (extra.includes("*")) return true;
  const name = hostnameOf(hostHeader);
  return isLoopbackName(name) || extra.includes(name);
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/**
 * null when the request may change state; otherwise why not. Same-site is not
 * enough: another port on localhost is the same site.
 */
export function crossSiteReason(headers: Headers, host: string | null = headers.get("host")): string | null {
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site is ${site}`;
  const origin = headers.get("origin");
  if (origin === null) return null;
  if (origin === "null") return "the Origin is opaque (null)";
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return `the Origin ${JSON.stringify(origin.slice(0, 100))} is not a URL`;
  }
  if (host === null || o.host.toLowerCase() !== host.trim().toLowerCase()) return `the Origin ${o.origin} is not this server (${host ?? "no Host"})`;
  return null;
}
