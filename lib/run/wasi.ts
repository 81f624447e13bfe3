// WASI for transpiled components: jco's preview2 shim, keyed the way jco's
// instantiate() looks imports up (`wasi:cli/stderr`, with or without version).
//
// Capabilities: a component gets no network, no filesystem and no environment
// from the host. Anything it needs beyond stdio, clocks and random comes from
// a node wired to it in the design (a wire is bound before the host's WASI is
// consulted). The shim's own switches deny TCP, UDP, DNS and outgoing HTTP for
// the whole process; the calls that would open them are also answered by a
// per-node refusal, so the run shows the refused capability on the node.
import * as shim from "@bytecodealliance/preview2-shim";
import type { CallRecorder } from "./call-recorder";
import { memoryHttpTypes, memoryPoll, StdioStream } from "./memory-http";
import type { ImportObject } from "./transpile";

type Shim = typeof shim & {
  cli: { _setEnv(e: Record<string, string>): void; _setArgs(a: string[]): void; _setStdout(s: unknown): void; _setStderr(s: unknown): void };
  sockets: { _denyTcp(): void; _denyUdp(): void; _denyDnsLookup(): void };
  http: { _denyHttp(): void };
  filesystem: { _clearPreopens(): void };
};
const s = shim as Shim;
s.cli._setEnv({});
s.cli._setArgs([]);
s.filesystem._clearPreopens();
s.sockets._denyTcp();
s.sockets._denyUdp();
s.sockets._denyDnsLookup();
s.http._denyHttp();

// stdout/stderr without the shim's worker round trip per flush and drop (see memory-http.ts).
s.cli._setStdout(new StdioStream("stdout"));
s.cli._setStderr(new StdioStream("stderr"));

/** Interfaces served by this host rather than the shim as is. */
const OWN: Record<string, unknown> = { "wasi:http/types": memoryHttpTypes, "wasi:io/poll": memoryPoll };

const camel = (x: string) => x.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The error each opening call answers with (as jco expects: thrown, then lowered as the result's err). */
const REFUSED: Record<string, Record<string, unknown>> = {
  "wasi:sockets/tcp-create-socket": { createTcpSocket: "access-denied" },
  "wasi:sockets/udp-create-socket": { createUdpSocket: "access-denied" },
  "wasi:sockets/ip-name-lookup": { resolveAddresses: "access-denied" },
  "wasi:http/outgoing-handler": { handle: { tag: "HTTP-request-denied" } },
};

/** Called instead of a refused capability; throws the refusal (`{ payload }`). */
export type Refuse = (iface: string, fn: string, payload: unknown) => never;

const refuseQuietly: Refuse = (_iface, _fn, payload) => {
  throw { payload };
};

/** A Refuse that records the refusal as a call on the node (its last refusal, a `call` event with `refused`). */
export function refusalsOn(recorder: CallRecorder, nodeId: string): Refuse {
  return (iface, fn, payload) =>
    recorder.record({ from: nodeId, to: nodeId, linkId: null, iface, fn, args: [] }, () => {
      throw { payload };
    }) as never;
}

/** The implementation of `wasi:<pkg>/<iface>` (refused capabilities replaced), or undefined when there is none. */
export function wasiInterface(name: string, refuse: Refuse = refuseQuietly): unknown {
  const m = /^(wasi:([a-z0-9-]+)\/([a-z0-9-]+))(?:@.*)?$/.exec(name);
  if (!m) return undefined;
  const own = OWN[m[1]!];
  if (own) return own;
  const pkg = (shim as unknown as Record<string, Record<string, unknown> | undefined>)[camel(m[2]!)];
  const impl = pkg?.[camel(m[3]!)] as Record<string, unknown> | undefined;
  const refused = REFUSED[m[1]!];
  if (impl === undefined || !refused) return impl;
  const out: Record<string, unknown> = { ...impl };
  for (const [fn, payload] of Object.entries(refused)) out[fn] = () => refuse(m[1]!, fn, payload);
  return out;
}

/** Import-object entries for every `wasi:*` interface in `names` that the shim provides. */
export function wasiImports(names: string[], refuse?: Refuse): ImportObject {
  const out: ImportObject = {};
  for (const n of names) {
    const impl = wasiInterface(n, refuse);
    if (impl !== undefined) out[n] = impl;
  }
  return out;
}
