// Access tokens (TRELLIS_TOKEN). API calls carry the token as
// `Authorization: Bearer` or as the HttpOnly cookie a page load gets in
// exchange for `?token=` (proxy.ts); the query form is never accepted on API
// calls, so it does not travel with every request into logs.
import { createHash, timingSafeEqual } from "node:crypto";

export const TOKEN_COOKIE = "trellis_token";

/**
 * Constant-time string equality: both sides are hashed first, so neither the
 * contents nor the length of the secret shows in the time taken.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/** The cookie's value, or null; a malformed (not percent-decodable) value is returned as sent, so it simply does not match. */
export function cookieToken(headers: Headers): string | null {
  const cookie = headers.get("cookie") ?? "";
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== TOKEN_COOKIE) continue;
    const raw = v.join("=");
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

/** The token a request carries: `Authorization: Bearer`, else the cookie. */
export function requestToken(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  return cookieToken(headers);
}

/** "ok" when no token is configured or the request carries the right one. */
export function authorize(headers: Headers, configured = process.env.TRELLIS_TOKEN): "ok" | "denied" {
  if (!configured) return "ok";
  const got = requestToken(headers);
  return got !== null && constantTimeEqual(got, configured) ? "ok" : "denied";
}

/** Whether a `?token=` value is the configured token (page loads only: proxy.ts swaps it for the cookie). */
export function queryTokenMatches(value: string, configured = process.env.TRELLIS_TOKEN): boolean {
  return !!configured && constantTimeEqual(value, configured);
}
