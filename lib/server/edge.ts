// The HTTP edge every app/api route goes through. Before a handler runs:
// 1. the Host header must name this server (DNS rebinding),
// 2. the access token, when TRELLIS_TOKEN is set,
// 3. state-changing requests must not come from another site,
// 4. the body: JSON routes read it here (size limit, application/json);
//    upload routes get their content types and declared size checked and
//    stream the body themselves.
// Errors a handler throws (HttpError, or anything else as 500) and the ones
// above all answer through errors.ts. Route files stay thin callers.
import { authorize } from "./auth";
import { checkUploadType, declaredTooLarge, DEFAULT_JSON_LIMIT, readJson } from "./body";
import { apiError, errorResponse, HttpError } from "./errors";
import { crossSiteReason, hostAllowed, isStateChanging } from "./origin";

export type RouteBody =
  /** no body is read (GET, or a POST that takes none) */
  | "none"
  /** an optional JSON object: `body` is the parsed value, or undefined when empty */
  | { json: { limit?: number } }
  /** a raw upload the handler streams: allowed media types and the largest size */
  | { upload: { types: readonly string[]; limit: () => number; what: string } };

export interface RouteOptions<P = Record<string, never>> {
  body?: RouteBody;
  /**
   * Replaces the access-token check (step 2) for a machine-facing route whose
   * caller holds a narrower credential, e.g. a compile worker's per-run token:
   * true lets the request on, false answers 401. Host and cross-site checks still apply.
   */
  auth?: (req: Request, params: P) => boolean;
}

export interface EdgeRequest<P> {
  req: Request;
  url: URL;
  params: P;
  /** The parsed JSON body (routes with `body: { json }`), else undefined. */
  body: unknown;
}

type RouteContext<P> = { params: Promise<P> };
export type RouteHandler<P> = (req: Request, ctx?: RouteContext<P>) => Promise<Response>;

/** Marks handlers made by `route`, so a test can check that every app/api export goes through the edge. */
export const EDGE = Symbol.for("trellis.edge");

/** The checks of steps 1–3; null when the request may go on. */
export function guard(req: Request, o: { tokenChecked?: boolean } = {}): Response | null {
  // Next builds req.url from the Host header; a bare Request (tests) has only the URL.
  const host = req.headers.get("host") ?? new URL(req.url).host;
  if (!hostAllowed(host)) {
    return errorResponse(apiError("host-not-allowed", `this server does not answer to the host ${JSON.stringify(host)}; add it to TRELLIS_ALLOWED_HOSTS`));
  }
  if (!o.tokenChecked && authorize(req.headers) !== "ok") {
    return errorResponse(apiError("unauthorized", "this Trellis server requires an access token"), undefined, { "www-authenticate": "Bearer" });
  }
  if (isStateChanging(req.method)) {
    const why = crossSiteReason(req.headers, host);
    if (why) return errorResponse(apiError("cross-site-request", `refused a cross-site ${req.method}: ${why}`));
  }
  return null;
}

function failure(e: unknown, req: Request): Response {
  if (e instanceof HttpError) return errorResponse(e.error, e.status);
  console.error(`trellis: ${req.method} ${new URL(req.url).pathname} failed:`, e);
  return errorResponse(apiError("internal", "the server failed to answer this request; see the server log"));
}

export function route<P = Record<string, never>>(o: RouteOptions<P>, handler: (r: EdgeRequest<P>) => Response | Promise<Response>): RouteHandler<P> {
  const body = o.body ?? "none";
  const h: RouteHandler<P> = async (req, ctx) => {
    const refused = guard(req, { tokenChecked: o.auth !== undefined });
    if (refused) return refused;
    try {
      if (o.auth) {
        const p = ctx?.params ? await ctx.params : ({} as P);
        if (!o.auth(req, p)) return errorResponse(apiError("unauthorized", "this route needs a valid job token"));
      }
      let parsed: unknown;
      if (body !== "none" && "json" in body) {
        const r = await readJson(req, body.json.limit ?? DEFAULT_JSON_LIMIT);
        if (!r.ok) return errorResponse(r.error);
        parsed = r.value;
      } else if (body !== "none") {
        const bad = checkUploadType(req.headers, body.upload.types, body.upload.what) ?? declaredTooLarge(req.headers, body.upload.limit(), body.upload.what);
        if (bad) return errorResponse(bad);
      }
      const params = ctx?.params ? await ctx.params : ({} as P);
      return await handler({ req, url: new URL(req.url), params, body: parsed });
    } catch (e) {
      return failure(e, req);
    }
  };
  Object.defineProperty(h, EDGE, { value: true });
  return h;
}
