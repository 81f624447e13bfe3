// wasi:keyvalue/store served from memory: what a key-value endpoint node is
// during a run. Buckets are created on first open; handles are per store.
export type KvMethod = "get" | "set" | "delete" | "exists" | "listKeys";

/** A wasi:keyvalue `error` variant, thrown as a component-level refusal. */
export class KvError extends Error {
  constructor(readonly payload: { tag: "no-such-store" | "access-denied" } | { tag: "other"; val: string }) {
    super(payload.tag === "other" ? payload.val : payload.tag);
  }
}

const PAGE = 1000;

export class MemoryKeyValue {
  readonly #buckets = new Map<string, Map<string, Uint8Array>>();
  readonly #handles = new Map<number, string>();
  #next = 1;
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  open(identifier: string): number {
    if (!this.#buckets.has(identifier)) this.#buckets.set(identifier, new Map());
    const h = this.#next++;
    this.#handles.set(h, identifier);
    return h;
  }

  call(handle: number, method: KvMethod, args: unknown[]): unknown {
    const name = this.#handles.get(handle);
    if (name === undefined) throw new KvError({ tag: "other", val: `bucket handle ${handle} is not open` });
    const b = this.#buckets.get(name)!;
    const key = String(args[0]);
    switch (method) {
      case "get":
        return b.get(key)?.slice();
      case "set": {
        const v = args[1];
        if (!(v instanceof Uint8Array)) throw new KvError({ tag: "other", val: "value must be bytes" });
        const grow = v.byteLength + key.length - (b.has(key) ? b.get(key)!.byteLength + key.length : 0);
        if (this.#bytes + grow > this.maxBytes) throw new KvError({ tag: "other", val: `store is full (${this.maxBytes} bytes)` });
        this.#bytes += grow;
        b.set(key, v.slice());
        return undefined;
      }
      case "delete": {
        const old = b.get(key);
        if (old) this.#bytes -= old.byteLength + key.length;
        b.delete(key);
        return undefined;
      }
      case "exists":
        return b.has(key);
      case "listKeys": {
        const start = args[0] === undefined ? 0 : Number(args[0]);
        const keys = [...b.keys()].sort().slice(start, start + PAGE);
        return start + PAGE < b.size ? { keys, cursor: BigInt(start + PAGE) } : { keys };
      }
    }
  }

  drop(handle: number): void {
    this.#handles.delete(handle);
  }
}

export type KvInvoke = (op: { function: "open"; args: [string] } | { function: KvMethod | "drop"; handle: number; args: unknown[] }) => unknown;

// jco calls this when the guest drops its bucket handle.
const dispose: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for("dispose");

/**
 * The import object jco expects for wasi:keyvalue/store (`open` and the
 * `Bucket` resource class), delegating every operation to `invoke`, which is
 * a local store or a remote one.
 */
export function keyvalueImport(invoke: KvInvoke): { open(id: string): unknown; Bucket: unknown } {
  class Bucket {
    readonly handle: number;
    constructor(handle: number) {
      this.handle = handle;
    }
    get(key: string) {
      return invoke({ function: "get", handle: this.handle, args: [key] });
    }
    set(key: string, value: Uint8Array) {
      return invoke({ function: "set", handle: this.handle, args: [key, value] });
    }
    delete(key: string) {
      return invoke({ function: "delete", handle: this.handle, args: [key] });
    }
    exists(key: string) {
      return invoke({ function: "exists", handle: this.handle, args: [key] });
    }
    listKeys(cursor?: bigint) {
      return invoke({ function: "listKeys", handle: this.handle, args: [cursor] });
    }
    [dispose]() {
      invoke({ function: "drop", handle: this.handle, args: [] });
    }
  }
  return { open: (id: string) => new Bucket(invoke({ function: "open", args: [id] }) as number), Bucket };
}
