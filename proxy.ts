import { NextResponse, type NextRequest } from "next/server";
import { authorize, TOKEN_COOKIE } from "./lib/server/auth";

// Every page and API call needs the token when TRELLIS_TOKEN is set.
// Upload routes (`/api/images`, `/api/components`) are excluded here only
// because the proxy would buffer (and cut) their bodies; they check the token
// themselves.
export function proxy(req: NextRequest) {
  if (authorize(req.headers, req.nextUrl) === "ok") {
    const fromQuery = req.nextUrl.searchParams.get("token");
    if (fromQuery && process.env.TRELLIS_TOKEN) {
      // Exchange a `?token=` link for a cookie so later requests carry it.
      const url = req.nextUrl.clone();
      url.searchParams.delete("token");
      const res = NextResponse.redirect(url);
      res.cookies.set(TOKEN_COOKIE, fromQuery, { httpOnly: true, sameSite: "strict", path: "/" });
      return res;
    }
    return NextResponse.next();
  }
  return new NextResponse("401 Unauthorized: this Trellis server requires an access token (TRELLIS_TOKEN).\n", {
    status: 401,
    headers: { "content-type": "text/plain; charset=utf-8", "www-authenticate": "Bearer" },
  });
}

export const config = {
  matcher: ["/((?!api/images$|api/images/|api/components$).*)"],
};
