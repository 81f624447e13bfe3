// How a user's input becomes the entry call, per known interface.
import { err, ok, type Result } from "../result";
import type { EntryInterface } from "./plan";
import type { RunError, RunInput } from "./types";

export interface EntryCall {
  function: string;
  args: unknown[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function inputBytes(input: RunInput): Result<Uint8Array, RunError> {
  if ("text" in input && typeof input.text === "string") return ok(new TextEncoder().encode(input.text));
  if ("base64" in input && typeof input.base64 === "string") {
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(input.base64)) return err({ kind: "invalid-request", message: "input.base64 is not base64" });
    return ok(new Uint8Array(Buffer.from(input.base64, "base64")));
  }
  if ("json" in input) return ok(new TextEncoder().encode(JSON.stringify(input.json ?? null)));
  return err({ kind: "invalid-request", message: "input must be { text }, { base64 } or { json }" });
}

/** For HTTP entries: the request line and headers (the input is the body). */
export interface HttpRequestShape {
  method?: string;
  path?: string;
  headers?: Array<[string, string]>;
}

const METHOD = /^[A-Z]{1,16}$/;

export function entryCall(iface: EntryInterface, input: RunInput, http: HttpRequestShape = {}): Result<EntryCall, RunError> {
  const bytes = inputBytes(input);
  if (!bytes.ok) return bytes;
  const text = (): Result<string, RunError> => {
    try {
      return ok(utf8.decode(bytes.value));
    } catch {
      return err({ kind: "invalid-request", message: `${iface} takes text, and the input is not UTF-8` });
    }
  };
  switch (iface) {
    case "wasi:http/incoming-handler":
    case "trellis:pipeline/handler": {
      const method = http.method ?? "POST";
      const path = http.path ?? "/";
      if (!METHOD.test(method)) return err({ kind: "invalid-request", message: `request method '${method}' is not an HTTP method` });
      if (!path.startsWith("/") || /[\s\u0000-\u001f]/.test(path)) return err({ kind: "invalid-request", message: `request path '${path}' must start with / and hold no spaces or control characters` });
      const contentType = "json" in input ? "application/json" : "text" in input ? "text/plain; charset=utf-8" : "application/octet-stream";
      const headers = http.headers ?? [["content-type", contentType]];
      if (!headers.every((h) => Array.isArray(h) && h.length === 2 && typeof h[0] === "string" && typeof h[1] === "string" && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h[0])))
        return err({ kind: "invalid-request", message: "request headers must be [name, value] string pairs with token names" });
      return ok({ function: "handle", args: [{ method, path, headers, body: bytes.value }] });
    }
    case "trellis:pipeline/stage":
      return ok({ function: "process", args: [bytes.value] });
    case "trellis:pipeline/text": {
      const t = text();
      return t.ok ? ok({ function: "tokenize", args: [t.value] }) : t;
    }
    case "trellis:pipeline/table": {
      const t = text();
      return t.ok ? ok({ function: "jsonToCsv", args: [t.value] }) : t;
    }
    case "trellis:pipeline/log": {
      const t = text();
      return t.ok ? ok({ function: "log", args: ["info", t.value] }) : t;
    }
  }
}
