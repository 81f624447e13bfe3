// A lossless JSON encoding of the values jco passes across component
// boundaries (bytes, bigints, records, variants, lists), used for run events,
// results and for calls over the wire in network mode.

export type EncodedValue =
  | null
  | boolean
  | number
  | string
  | EncodedValue[]
  | { [key: string]: EncodedValue };

/** Bytes: `{ $bytes: base64 }`, plus `$text` when it is UTF-8 (previews only). */
export function encodeValue(v: unknown): EncodedValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === "object") {
    const out: Record<string, EncodedValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) out[k.startsWith("$") ? `$${k}` : k] = encodeValue(x);
    }
    return out;
  }
  return String(v);
}

const TYPED: Record<string, (xs: number[]) => unknown> = {
  Int8Array: (xs) => Int8Array.from(xs),
  Uint16Array: (xs) => Uint16Array.from(xs),
  Int16Array: (xs) => Int16Array.from(xs),
  Uint32Array: (xs) => Uint32Array.from(xs),
  Int32Array: (xs) => Int32Array.from(xs),
  Float32Array: (xs) => Float32Array.from(xs),
  Float64Array: (xs) => Float64Array.from(xs),
};

export function decodeValue(v: EncodedValue): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  if (typeof v.$bytes === "string") return new Uint8Array(Buffer.from(v.$bytes, "base64"));
  if (typeof v.$bigint === "string") return BigInt(v.$bigint);
  if (typeof v.$typed === "string" && Array.isArray(v.values)) return (TYPED[v.$typed] ?? ((xs: number[]) => xs))(v.values as number[]);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k.startsWith("$$") ? k.slice(1) : k] = decodeValue(x);
  return out;
}

/** Bytes a value would occupy (strings as UTF-8, bytes as is); for the output limit. */
export function valueSize(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "string") return Buffer.byteLength(v);
  if (v instanceof Uint8Array) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueSize(x), 0);
  if (typeof v === "object") return Object.values(v as object).reduce((n: number, x) => n + valueSize(x), 0);
  return 8;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A bounded preview for events: bytes beyond `maxBytes` are cut
 * (`$size` keeps the real length), UTF-8 bytes also get `$text`.
 */
export function previewValue(v: unknown, maxBytes = 4096): EncodedValue {
  if (v instanceof Uint8Array) {
    const cut = v.byteLength > maxBytes ? v.subarray(0, maxBytes) : v;
    const out: Record<string, EncodedValue> = { $bytes: Buffer.from(cut.buffer, cut.byteOffset, cut.byteLength).toString("base64"), $size: v.byteLength };
    if (cut !== v) out.$truncated = true;
    try {
      out.$text = utf8.decode(cut);
    } catch {
      // not text (or cut inside a character): bytes only
    }
    return out;
  }
  if (typeof v === "string" && v.length > maxBytes) return `${v.slice(0, maxBytes)}… (${v.length} chars)`;
  if (Array.isArray(v)) return v.slice(0, 256).map((x) => previewValue(x, maxBytes));
  if (v && typeof v === "object" && !ArrayBuffer.isView(v)) {
    const out: Record<string, EncodedValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = previewValue(x, maxBytes);
    return out;
  }
  return encodeValue(v);
}
