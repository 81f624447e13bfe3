// Access-token check shared by the proxy and by routes the proxy skips
// (streaming uploads, which the proxy would otherwise buffer).
import { timingSafeEqual } from "node:crypto";

export const TOKEN_COOKIE = "trellis_token";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request carries: `Authorization: Bearer`, the cookie, or `?token=`. */
export function requestToken(headers: Headers, url: URL): string | null {
  const auth = headers.get("authorization");
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  const cookie = headers.get("cookie") ?? "";
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join("="));
  }
  return url.searchParams.get("token");
}

/** null when allowed (no token configured, or the right one presented). */
export function authorize(headers: Headers, url: URL, configured = process.env.TRELLIS_TOKEN): "ok" | "denied" {
  if (!configured) return "ok";
  const got = requestToken(headers, url);
  return got !== null && same(got, configured) ? "ok" : "denied";
}
