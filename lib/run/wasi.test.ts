import * as shim from "@bytecodealliance/preview2-shim";
import { describe, expect, it } from "vitest";
import { CallRecorder } from "./call-recorder";
import type { RunEvent } from "./types";
import { DEFAULT_LIMITS } from "./types";
import { refusalsOn, wasiInterface } from "./wasi";

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return "no throw";
};

describe("capabilities of components", () => {
  it("no network: opening TCP, UDP, DNS or outgoing HTTP is refused", () => {
    const tcp = wasiInterface("wasi:sockets/tcp-create-socket@0.2.0") as { createTcpSocket(f: string): unknown };
    expect(thrown(() => tcp.createTcpSocket("ipv4"))).toEqual({ payload: "access-denied" });
    const udp = wasiInterface("wasi:sockets/udp-create-socket@0.2.0") as { createUdpSocket(f: string): unknown };
    expect(thrown(() => udp.createUdpSocket("ipv4"))).toEqual({ payload: "access-denied" });
    const dns = wasiInterface("wasi:sockets/ip-name-lookup@0.2.0") as { resolveAddresses(n: unknown, h: string): unknown };
    expect(thrown(() => dns.resolveAddresses(null, "example.com"))).toEqual({ payload: "access-denied" });
    const http = wasiInterface("wasi:http/outgoing-handler@0.2.0") as { handle(r: unknown): unknown };
    expect(thrown(() => http.handle({}))).toEqual({ payload: { tag: "HTTP-request-denied" } });
  });

  it("the shim's own network is denied too (a socket obtained another way cannot bind or connect)", () => {
    const s = shim as unknown as {
      sockets: {
        tcpCreateSocket: { createTcpSocket(f: string): { startBind(n: unknown, a: unknown): void; startConnect(n: unknown, a: unknown): void } };
        instanceNetwork: { instanceNetwork(): unknown };
      };
      http: { outgoingHandler: { handle(r: unknown): unknown } };
    };
    const net = s.sockets.instanceNetwork.instanceNetwork();
    const sock = s.sockets.tcpCreateSocket.createTcpSocket("ipv4");
    const loopback = { tag: "ipv4", val: { port: 0, address: [127, 0, 0, 1] } };
    expect(thrown(() => sock.startBind(net, loopback))).toBe("access-denied");
    expect(thrown(() => sock.startConnect(net, { tag: "ipv4", val: { port: 80, address: [127, 0, 0, 1] } }))).toBe("access-denied");
    expect(thrown(() => s.http.outgoingHandler.handle({}))).toBe("access-denied");
  });

  it("no filesystem and no environment", () => {
    expect((wasiInterface("wasi:filesystem/preopens@0.2.0") as { getDirectories(): unknown[] }).getDirectories()).toEqual([]);
    const env = wasiInterface("wasi:cli/environment@0.2.0") as { getEnvironment(): unknown[]; getArguments(): unknown[] };
    expect(env.getEnvironment()).toEqual([]);
    expect(env.getArguments()).toEqual([]);
    // stdio, clocks and random stay
    expect(wasiInterface("wasi:clocks/monotonic-clock@0.2.0")).toBeDefined();
    expect(wasiInterface("wasi:random/random@0.2.0")).toBeDefined();
  });

  it("a refused capability shows as a refusal on the node", () => {
    const events: RunEvent[] = [];
    const rec = new CallRecorder({ runStart: Date.now(), limits: DEFAULT_LIMITS, record: true }, (e) => events.push(e));
    const tcp = wasiInterface("wasi:sockets/tcp-create-socket@0.2.0", refusalsOn(rec, "fetcher")) as { createTcpSocket(f: string): unknown };
    expect(thrown(() => tcp.createTcpSocket("ipv4"))).toEqual({ payload: "access-denied" });
    const call = events.find((e) => e.type === "call");
    expect(call).toMatchObject({ type: "call", from: "fetcher", to: "fetcher", interface: "wasi:sockets/tcp-create-socket", function: "createTcpSocket" });
    expect((call as { refused?: unknown }).refused).toBeDefined();
    expect(rec.summary("fetcher").lastRefusal).toBeDefined();
  });
});
