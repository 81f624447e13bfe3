// Request bodies, read once at the edge: a size limit (checked against
// Content-Length first, then while streaming, so an oversized body is never
// buffered) and a content-type check (JSON routes take application/json only,
// which a cross-site HTML form cannot send).
import { err, ok, type Result } from "../result";
import { apiError, type ApiError } from "./errors";

/** Default limit for JSON bodies (a design document and its metadata). */
export const DEFAULT_JSON_LIMIT = 8 * 2 ** 20;

/** The media type of a Content-Type header, lower-case, without parameters ("" when absent). */
export function mediaType(headers: Headers): string {
  return (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function declaredLength(headers: Headers): number | null {
  const v = headers.get("content-length");
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

const tooLarge = (limit: number, what: string) => apiError("too-large", `${what} is larger than the limit of ${limit} bytes`, { limit });

/** The declared size is over the limit (checked before reading anything). */
export function declaredTooLarge(headers: Headers, limit: number, what = "the request body"): ApiError | null {
  const n = declaredLength(headers);
  return n !== null && n > limit ? tooLarge(limit, what) : null;
}

/** Reads the whole body, stopping (and cancelling the stream) as soon as it passes `limit`. */
export async function readBytes(req: Request, limit: number, what = "the request body"): Promise<Result<Uint8Array, ApiError>> {
  const declared = declaredTooLarge(req.headers, limit, what);
  if (declared) return err(declared);
  if (!req.body) return ok(new Uint8Array(0));
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return err(tooLarge(limit, what));
      }
      chunks.push(value);
    }
  } catch (e) {
    return err(apiError("upload-interrupted", `the request body did not arrive whole: ${(e as Error).message}`));
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return ok(out);
}

const isJsonType = (t: string) => t === "application/json";

/**
 * A JSON body. Content-Type must be application/json when there is a body;
 * an empty body is `undefined` (routes whose body is optional accept that).
 */
export async function readJson(req: Request, limit = DEFAULT_JSON_LIMIT): Promise<Result<unknown, ApiError>> {
  const type = mediaType(req.headers);
  const declared = declaredLength(req.headers);
  if (type !== "" && !isJsonType(type) && declared !== 0) {
    return err(apiError("unsupported-content-type", `send the body as application/json, not ${type}`));
  }
  const bytes = await readBytes(req, limit);
  if (!bytes.ok) return bytes;
  if (bytes.value.byteLength === 0) return ok(undefined);
  if (!isJsonType(type)) return err(apiError("unsupported-content-type", "send the body as application/json (the Content-Type header is missing)"));
  try {
    return ok(JSON.parse(Buffer.from(bytes.value.buffer, bytes.value.byteOffset, bytes.value.byteLength).toString("utf8")) as unknown);
  } catch (e) {
    return err(apiError("invalid-json", `the request body is not JSON: ${(e as Error).message}`));
  }
}

/** For upload routes: the body's media type must be one of `types` (the raw bytes, never a form). */
export function checkUploadType(headers: Headers, types: readonly string[], what: string): ApiError | null {
  const type = mediaType(headers);
  if (types.includes(type)) return null;
  return apiError("unsupported-content-type", `send ${what} as the raw request body with Content-Type ${types.join(" or ")}${type ? `, not ${type}` : ""}`, {
    accepted: [...types],
  });
}
