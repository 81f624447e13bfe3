// WASI for transpiled components: jco's preview2 shim, keyed the way jco's
// instantiate() looks imports up (`wasi:cli/stderr`, with or without version).
import * as shim from "@bytecodealliance/preview2-shim";
import { memoryHttpTypes, memoryPoll, StdioStream } from "./memory-http";
import type { ImportObject } from "./transpile";

// Components see no environment variables, no arguments and (the shim's
// default) no preopened directories.
(shim.cli as unknown as { _setEnv(e: Record<string, string>): void; _setArgs(a: string[]): void })._setEnv({});
(shim.cli as unknown as { _setEnv(e: Record<string, string>): void; _setArgs(a: string[]): void })._setArgs([]);

// stdout/stderr without the shim's worker round trip per flush and drop (see memory-http.ts).
const cli = shim.cli as unknown as { _setStdout(s: unknown): void; _setStderr(s: unknown): void };
cli._setStdout(new StdioStream("stdout"));
cli._setStderr(new StdioStream("stderr"));

/** Interfaces served by this host rather than the shim as is. */
const OWN: Record<string, unknown> = { "wasi:http/types": memoryHttpTypes, "wasi:io/poll": memoryPoll };

const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The shim's implementation of `wasi:<pkg>/<iface>`, or undefined when it has none. */
export function wasiInterface(name: string): unknown {
  const m = /^wasi:([a-z0-9-]+)\/([a-z0-9-]+)(?:@.*)?$/.exec(name);
  if (!m) return undefined;
  const own = OWN[`wasi:${m[1]}/${m[2]}`];
  if (own) return own;
  const pkg = (shim as unknown as Record<string, Record<string, unknown> | undefined>)[camel(m[1]!)];
  return pkg?.[camel(m[2]!)];
}

/** Import-object entries for every `wasi:*` interface in `names` that the shim provides. */
export function wasiImports(names: string[]): ImportObject {
  const out: ImportObject = {};
  for (const n of names) {
    const impl = wasiInterface(n);
    if (impl !== undefined) out[n] = impl;
  }
  return out;
}
