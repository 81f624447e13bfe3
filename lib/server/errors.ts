// The one mapping from a typed error (`{ kind, message }`) to an HTTP answer.
// Every route answers errors as `{ error: { kind, message, ... } }`; the status
// comes from the kind unless the caller knows better (e.g. 422 for a design
// that cannot run).

/** Any typed error: a stable `kind`, a message for people, and any extra fields (`limit`, `platforms`…). */
export interface ApiError {
  kind: string;
  message: string;
}

const STATUS_BY_KIND: Record<string, number> = {
  // request shape
  "invalid-json": 400,
  "invalid-request": 400,
  "invalid-input": 400,
  "invalid-document": 400,
  "invalid-name": 400,
  "invalid-platform": 400,
  "empty-upload": 400,
  "upload-interrupted": 400,
  "too-large": 413,
  "unsupported-content-type": 415,
  // the edge
  unauthorized: 401,
  "cross-site-request": 403,
  "host-not-allowed": 403,
  // state
  "not-found": 404,
  "unknown-builtin": 404,
  "no-report": 404,
  "no-artifact": 404,
  "artifact-gone": 410,
  "revision-conflict": 409,
  "revision-required": 428,
  "invalid-state": 409,
  "not-runnable": 409,
  busy: 429,
  "storage-full": 507,
  "not-built": 503,
  internal: 500,
};

/** The status for an error kind: the table above, else 400 (a refusal of the request). */
export function statusOf(kind: string): number {
  return STATUS_BY_KIND[kind] ?? 400;
}

/** `{ error }` with the kind's status (or `status` when given). */
export function errorResponse(error: ApiError, status = statusOf(error.kind), headers?: HeadersInit): Response {
  return Response.json({ error }, { status, ...(headers ? { headers } : {}) });
}

export function apiError(kind: string, message: string, extra: Record<string, unknown> = {}): ApiError & Record<string, unknown> {
  return { kind, message, ...extra };
}

/** Thrown inside a handler to answer with `error` (the edge turns it into the response). */
export class HttpError extends Error {
  constructor(
    readonly error: ApiError,
    readonly status = statusOf(error.kind),
  ) {
    super(error.message);
  }
}
