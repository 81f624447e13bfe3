// Runs a WASI command module (the x86-64 core, an artifact) with the host
// network interface of lib/image/HOST-NET.md: published ports (`-p`) and
// allowed outbound peers (`--allow`). The module runs in a worker thread and
// calls the interface synchronously; this thread owns the real sockets and
// answers each call through a SharedArrayBuffer.
// Usage: node [CORE_NODE_FLAGS] host-net-runner.mjs '<json>' where json is
// { file, args, env, preopens, publish: [{ hostAddr, hostPort, guestPort }], allow: [{ host, port }], exitWithStdin? }.
import { Worker, isMainThread, workerData, parentPort } from "node:worker_threads";
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
import net from "node:net";

const MAGIC = 0x54484e31;
const FD = 0x7ffffff0;
const DATA = 1 << 20;
const OP = { HELLO: 1, LISTEN: 2, ACCEPT: 3, RECV: 4, SEND: 5, SHUT: 6, CLOSE: 7, CONNECT: 8, WAIT: 9 };
// Linux errno values: the core passes them on to the guest
const ENOENT = 2, EAGAIN = 11, EACCES = 13, EINVAL = 22, EPIPE = 32, EADDRINUSE = 98, ENETUNREACH = 101, ECONNRESET = 104, ECONNREFUSED = 111;
const HIGH_WATER = 1 << 20; // bytes buffered per connection in either direction before back-pressure

if (isMainThread) {
  const cfg = JSON.parse(process.argv[2] ?? "{}");
  // started by a run as its lifeline: the parent's end (even a kill) closes stdin, and the guest ends with it
  if (cfg.exitWithStdin) process.stdin.on("end", () => process.exit(137)).resume();
  await host(cfg);
}
else runGuest(workerData);

function runGuest({ cfg, sab }) {
  const ctl = new Int32Array(sab, 0, 16);
  const data = new Uint8Array(sab, 64, DATA);
  const wasi = new WASI({ version: "preview1", args: cfg.args, env: cfg.env, preopens: cfg.preopens, returnOnExit: true });
  const imports = wasi.getImportObject();
  const p1 = imports.wasi_snapshot_preview1;
  const sockSend = p1.sock_send;
  let memory;
  p1.sock_send = (fd, iovs, iovsLen, flags, retptr) => {
    if (fd !== FD) return sockSend(fd, iovs, iovsLen, flags, retptr);
    const dv = new DataView(memory.buffer);
    const req = dv.getUint32(iovs, true);
    if (dv.getUint32(iovs + 4, true) !== 32 || dv.getUint32(req, true) !== MAGIC) return 28; // WASI EINVAL
    const op = dv.getInt32(req + 4, true), buf = dv.getUint32(req + 16, true), len = Math.min(dv.getUint32(req + 20, true), DATA);
    ctl[1] = op;
    ctl[2] = dv.getInt32(req + 8, true);
    ctl[3] = dv.getInt32(req + 12, true);
    ctl[4] = len;
    if (op === OP.SEND) data.set(new Uint8Array(memory.buffer, buf, len));
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    Atomics.wait(ctl, 0, 1);
    const result = ctl[5], outlen = Math.min(ctl[6], len);
    const out = new DataView(memory.buffer);
    if (outlen > 0) new Uint8Array(memory.buffer, buf, outlen).set(data.subarray(0, outlen));
    Atomics.store(ctl, 0, 0);
    out.setInt32(req + 24, result, true);
    out.setUint32(req + 28, outlen, true);
    out.setUint32(retptr, 32, true);
    return 0;
  };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(cfg.file)), imports);
  memory = inst.exports.memory;
  const code = wasi.start(inst);
  parentPort.postMessage({ exit: code });
}

async function host(cfg) {
  const sab = new SharedArrayBuffer(64 + DATA);
  const ctl = new Int32Array(sab, 0, 16);
  const data = new Uint8Array(sab, 64, DATA);
  const handles = new Map();
  const closing = new Set(); // connections the guest closed that are still sending what it wrote
  let nextHandle = 1;
  let news = false;
  let waitTimer = null;
  let waiting = false;
  const notify = () => {
    news = true;
    if (waiting) answer(0);
  };
  function answer(result, outlen = 0) {
    waiting = false;
    if (waitTimer) clearTimeout(waitTimer);
    waitTimer = null;
    ctl[5] = result;
    ctl[6] = outlen;
    Atomics.store(ctl, 0, 2);
    Atomics.notify(ctl, 0);
  }
  function track(sock) {
    const c = { kind: "conn", sock, chunks: [], bytes: 0, eof: false, reset: false, closed: false };
    sock.setNoDelay(true);
    sock.on("data", (b) => {
      c.chunks.push(b);
      c.bytes += b.length;
      if (c.bytes > HIGH_WATER) sock.pause();
      notify();
    });
    sock.on("end", () => {
      c.eof = true;
      notify();
    });
    sock.on("error", () => {
      c.reset = true;
      notify();
    });
    sock.on("drain", notify);
    sock.on("close", () => {
      c.closed = true;
      c.eof = true;
      notify();
    });
    const h = nextHandle++;
    handles.set(h, c);
    return h;
  }

  async function handle(op, a0, a1, len) {
    switch (op) {
      case OP.HELLO:
        return [1];
      case OP.LISTEN: {
        const pub = cfg.publish.find((p) => p.guestPort === a0);
        if (!pub) return [-ENOENT];
        const server = net.createServer({ allowHalfOpen: true });
        const l = { kind: "listener", server, pending: [] };
        server.on("connection", (sock) => {
          l.pending.push(track(sock));
          notify();
        });
        const err = await new Promise((done) => {
          server.once("error", (e) => done(e));
          server.listen(pub.hostPort, pub.hostAddr, () => done(null));
        });
        if (err) {
          process.stderr.write(`trellis run: cannot publish guest port ${a0} on ${pub.hostAddr}:${pub.hostPort}: ${err.code === "EADDRINUSE" ? "the host port is already in use" : err.message}\n`);
          return [err.code === "EADDRINUSE" ? -EADDRINUSE : -EACCES];
        }
        const h = nextHandle++;
        handles.set(h, l);
        return [h];
      }
      case OP.ACCEPT: {
        const l = handles.get(a0);
        if (!l || l.kind !== "listener") return [-EINVAL];
        const h = l.pending.shift();
        if (h === undefined) return [-EAGAIN];
        const c = handles.get(h);
        const ip = (c.sock.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
        const parts = net.isIPv4(ip) ? ip.split(".").map(Number) : [127, 0, 0, 1];
        const port = c.sock.remotePort ?? 0;
        data.set([...parts, port >> 8, port & 255]);
        return [h, 6];
      }
      case OP.RECV: {
        const c = handles.get(a0);
        if (!c || c.kind !== "conn") return [-EINVAL];
        if (!c.bytes) return [c.reset ? -ECONNRESET : c.eof ? 0 : -EAGAIN];
        let n = 0;
        while (n < len && c.chunks.length) {
          const b = c.chunks[0];
          const k = Math.min(b.length, len - n);
          data.set(b.subarray(0, k), n);
          n += k;
          if (k === b.length) c.chunks.shift();
          else c.chunks[0] = b.subarray(k);
        }
        c.bytes -= n;
        if (c.bytes < HIGH_WATER / 4 && c.sock.isPaused()) c.sock.resume();
        return [n, n];
      }
      case OP.SEND: {
        const c = handles.get(a0);
        if (!c || c.kind !== "conn") return [-EINVAL];
        if (c.closed || c.sock.destroyed || !c.sock.writable) return [c.reset ? -ECONNRESET : -EPIPE];
        if (c.sock.writableLength > HIGH_WATER) return [-EAGAIN];
        c.sock.write(Buffer.from(data.subarray(0, len)));
        return [len];
      }
      case OP.SHUT: {
        const c = handles.get(a0);
        if (c?.kind === "conn") c.sock.end();
        return [0];
      }
      case OP.CLOSE: {
        const x = handles.get(a0);
        handles.delete(a0);
        if (x?.kind === "listener") x.server.close();
        if (x?.kind === "conn" && !x.closed) {
          closing.add(x);
          x.sock.once("close", () => closing.delete(x));
          x.sock.end(); // after the buffered bytes
        }
        return [0];
      }
      case OP.CONNECT: {
        let ip = [(a0 >>> 24) & 255, (a0 >>> 16) & 255, (a0 >>> 8) & 255, a0 & 255].join(".");
        if (ip === "10.88.0.1") ip = "127.0.0.1"; // the guest's gateway is the host (host.trellis.internal)
        const port = a1 & 0xffff;
        const ok = cfg.allow.some((x) => x.port === port && (x.host === ip || (x.host === "localhost" && ip === "127.0.0.1")));
        if (!ok) return [-EACCES];
        const r = await new Promise((done) => {
          const sock = net.connect({ host: ip, port, allowHalfOpen: true });
          sock.once("connect", () => done(track(sock)));
          sock.once("error", (e) => done(e.code === "ECONNREFUSED" ? -ECONNREFUSED : -ENETUNREACH));
        });
        return [r];
      }
      case OP.WAIT: {
        if (news) {
          news = false;
          return [0];
        }
        waiting = true;
        if (a0 >= 0) waitTimer = setTimeout(() => answer(0), a0);
        return null; // answered by the next event or the timer
      }
      default:
        return [-EINVAL];
    }
  }

  const worker = new Worker(new URL(import.meta.url), { workerData: { cfg, sab } });
  let exitCode = null;
  worker.on("message", (m) => {
    exitCode = m.exit;
  });
  worker.on("error", (e) => {
    process.stderr.write(`trellis run: ${e.message}\n`);
    exitCode = 1;
  });
  worker.on("exit", async () => {
    // the guest is gone: stop listening, let what it wrote reach its peers (bounded), then leave
    const flushing = [...closing].map((x) => new Promise((done) => x.sock.once("close", done)));
    for (const x of handles.values()) {
      if (x.kind === "listener") x.server.close();
      else if (!x.closed) flushing.push(new Promise((done) => (x.sock.once("close", done), x.sock.end())));
    }
    await Promise.race([Promise.all(flushing), new Promise((r) => setTimeout(r, 10_000))]);
    process.exit(exitCode ?? 1);
  });
  for (;;) {
    const v = Atomics.load(ctl, 0);
    if (v === 1 && !waiting && ctl[7] === 0) {
      ctl[7] = 1; // being handled
      const r = await handle(ctl[1], ctl[2], ctl[3], ctl[4]);
      ctl[7] = 0;
      if (r) answer(r[0], r[1] ?? 0);
      continue;
    }
    const w = Atomics.waitAsync(ctl, 0, v);
    if (w.async) await w.value;
  }
}
