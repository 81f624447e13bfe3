// HTTP shapes for uploaded components, kept out of app/ so the route files stay
// thin and this is testable with plain Request objects (no next imports).
import { getDb, dataDir } from "../db";
import type { Reserve } from "../jobs/http";
import { readBytes } from "../server/body";
import { errorResponse } from "../server/errors";
import { join } from "node:path";
import { ingestWasm, type UploadError } from "./ingest";
import { ComponentStore, validComponentId } from "./store";

export const DEFAULT_MAX_COMPONENT = 64 * 1024 * 1024;

/** `$TRELLIS_MAX_COMPONENT_UPLOAD` bytes, default 64 MiB (components are small; the bytes are held in memory). */
export function maxComponentUpload(): number {
  const v = Number(process.env.TRELLIS_MAX_COMPONENT_UPLOAD);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_COMPONENT;
}

const g = globalThis as { __trellisComponents?: { db: unknown; store: ComponentStore } };

/** The process-wide store over `$TRELLIS_DATA_DIR/components`. */
export function componentStore(): ComponentStore {
  const db = getDb();
  if (g.__trellisComponents?.db === db) return g.__trellisComponents.store;
  const store = new ComponentStore(db, join(dataDir(), "components"));
  g.__trellisComponents = { db, store };
  return store;
}

/** Media types a component upload may carry (the raw bytes). */
export const COMPONENT_UPLOAD_TYPES = ["application/wasm", "application/octet-stream"] as const;

function errorJson(status: number, e: UploadError | { kind: string; message: string }, extra: Record<string, unknown> = {}): Response {
  return errorResponse({ ...e, ...extra }, status);
}

function fileNameOf(req: Request): string {
  const url = new URL(req.url);
  let raw = url.searchParams.get("filename") ?? req.headers.get("x-file-name") ?? "component.wasm";
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // keep as sent
  }
  return raw.replace(/^.*[\\/]/, "").replace(/[\0\r\n]/g, "").slice(0, 200) || "component.wasm";
}

/**
 * POST /api/components: the raw `.wasm` bytes as the body (`?filename=` or
 * `x-file-name` names it). 201 `{ component }`; 400/413/415 `{ error: { kind, message } }`.
 */
export async function handleComponentUpload(req: Request, store: ComponentStore, limit = maxComponentUpload(), reserve?: Reserve): Promise<Response> {
  const fileName = fileNameOf(req);
  if ((req.headers.get("content-type") ?? "").startsWith("multipart/")) {
    return errorJson(415, { kind: "unsupported-content-type", message: "send the .wasm bytes as the request body, not a multipart form" });
  }
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return errorJson(413, { kind: "too-large", message: `${fileName} is ${declared} bytes; the limit (TRELLIS_MAX_COMPONENT_UPLOAD) is ${limit}` }, { limit });
  }
  if (!req.body) return errorJson(400, { kind: "empty-upload", message: "the request has no body: send the .wasm file as the body" });
  const read = await readBytes(req, limit, `${fileName} (limit: TRELLIS_MAX_COMPONENT_UPLOAD)`);
  if (!read.ok) return errorResponse(read.error);
  const bytes = read.value;
  if (reserve) {
    // Held in memory (at most the limit) until it is known to fit on disk.
    const r = await reserve(bytes.length);
    if (!r.ok) return errorResponse(r.error);
  }
  // A proxy that buffers bodies may cut them short: say so rather than report a malformed file.
  if (Number.isFinite(declared) && declared !== bytes.length) {
    return errorJson(400, { kind: "upload-interrupted", message: `received ${bytes.length} of ${declared} bytes of ${fileName}` });
  }
  const r = await ingestWasm(bytes, fileName);
  if (!r.ok) return errorJson(400, r.error);
  return Response.json({ component: store.add(fileName, r.value) }, { status: 201 });
}

export function listResponse(store: ComponentStore): Response {
  return Response.json(store.list());
}

export function getResponse(store: ComponentStore, id: string): Response {
  const c = store.get(id);
  return c ? Response.json(c) : errorJson(404, { kind: "not-found", message: `no uploaded component ${id}` });
}

export function deleteResponse(store: ComponentStore, id: string): Response {
  return store.remove(id) ? new Response(null, { status: 204 }) : errorJson(404, { kind: "not-found", message: `no uploaded component ${id}` });
}

/** GET /api/components/[id]/wasm: the stored bytes (the component, or the core module). */
export function wasmResponse(store: ComponentStore, id: string): Response {
  if (!validComponentId(id)) return errorJson(404, { kind: "not-found", message: `no uploaded component ${id}` });
  const c = store.get(id);
  const bytes = c && store.readWasm(id);
  if (!c || !bytes) return errorJson(404, { kind: "not-found", message: `no uploaded component ${id}` });
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": "application/wasm",
      "content-length": String(bytes.length),
      "content-disposition": `attachment; filename="${c.name}.wasm"`,
      "cache-control": "no-cache",
    },
  });
}
