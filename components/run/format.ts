// Short, readable previews of run values (the wire encoding of lib/run/codec).
type Encoded = null | boolean | number | string | Encoded[] | { [k: string]: Encoded };

export function formatValue(v: Encoded | undefined, max = 60): string {
  const s = render(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function render(v: Encoded | undefined): string {
  if (v === undefined) return "";
  if (v === null) return "none";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `[${v.map(render).join(", ")}]`;
  if ("$bytes" in v) {
    const text = typeof v.$text === "string" ? v.$text : utf8(String(v.$bytes));
    const size = typeof v.$size === "number" ? v.$size : atob(String(v.$bytes)).length;
    return typeof text === "string" ? JSON.stringify(text) : `<${size} bytes>`;
  }
  if ("$bigint" in v) return String(v.$bigint);
  if ("tag" in v && Object.keys(v).length <= 2) return `${String(v.tag)}${"val" in v ? `(${render(v.val)})` : ""}`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}: ${render(x)}`)
    .join(", ")}}`;
}

export const fmtMs = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 100 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`);
export const fmtMiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** Bytes as text when they are valid UTF-8 without control characters (besides whitespace). */
function utf8(base64: string): string | undefined {
  try {
    const bin = atob(base64);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/** A run's final output; an HTTP response reads as status, content type and body. */
export function formatOutput(v: Encoded | undefined): string {
  if (v && typeof v === "object" && !Array.isArray(v) && typeof v.status === "number" && "body" in v) {
    const headers = Array.isArray(v.headers) ? (v.headers as Encoded[]) : [];
    const ct = headers.find((h) => Array.isArray(h) && String(h[0]).toLowerCase() === "content-type") as Encoded[] | undefined;
    const body = v.body;
    const bytes = body && typeof body === "object" && !Array.isArray(body) && "$bytes" in body ? body : undefined;
    const text = bytes ? (typeof bytes.$text === "string" ? bytes.$text : utf8(String(bytes.$bytes))) : undefined;
    return `HTTP ${v.status}${ct ? ` (${String(ct[1])})` : ""}\n${text ?? render(body)}`;
  }
  return formatValue(v, 4000);
}
