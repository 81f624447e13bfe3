import { NextResponse, type NextRequest } from "next/server";
import { authorize, queryTokenMatches, TOKEN_COOKIE } from "./lib/server/auth";
import { hostAllowed } from "./lib/server/origin";

// Pages and static files. API routes are left to the HTTP edge in
// lib/server/edge.ts (the proxy would buffer their bodies and cut them at
// 10 MB); this does the same Host and token checks for everything else, and
// swaps a `?token=` link for a cookie.
export function proxy(req: NextRequest) {
  if (!hostAllowed(req.headers.get("host"))) {
    return text(403, `403 Forbidden: this server does not answer to the host ${JSON.stringify(req.headers.get("host") ?? "")} (TRELLIS_ALLOWED_HOSTS).\n`);
  }
  const fromQuery = req.nextUrl.searchParams.get("token");
  if (fromQuery !== null && (req.method === "GET" || req.method === "HEAD")) {
    if (process.env.TRELLIS_TOKEN && !queryTokenMatches(fromQuery)) return unauthorized();
    // Redirect to the same URL without the token, so it stays out of history,
    // logs and Referer; the cookie carries it from now on.
    const url = req.nextUrl.clone();
    url.searchParams.delete("token");
    const res = NextResponse.redirect(url, 303);
    if (process.env.TRELLIS_TOKEN) {
      const https = req.nextUrl.protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
      res.cookies.set(TOKEN_COOKIE, fromQuery, { httpOnly: true, sameSite: "strict", path: "/", secure: https });
    }
    res.headers.set("referrer-policy", "no-referrer");
    return res;
  }
  return authorize(req.headers) === "ok" ? NextResponse.next() : unauthorized();
}

function text(status: number, body: string, headers: Record<string, string> = {}) {
  return new NextResponse(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

function unauthorized() {
  return text(401, "401 Unauthorized: this Trellis server requires an access token (TRELLIS_TOKEN).\n", { "www-authenticate": "Bearer" });
}

export const config = {
  // Not /_next/static/: the build's own scripts and styles, the same for every install and holding
  // no data, served without this check (a designer load fetches 13 of them; the check cost each a
  // trip through the proxy on the server's one thread, before the page could start).
  matcher: ["/((?!api/|_next/static/).*)"],
};
