// Runs a WASI preview1 command in a Web Worker with an in-memory WASI shim, so
// the page stays responsive and output streams back as the guest writes it.
import { ConsoleStdout, File, OpenFile, WASI } from "@bjorn3/browser_wasi_shim";

export type WorkerRequest = { url: string; args: string[]; stdin: string; env: string[] };
export type WorkerMessage =
  | { type: "status"; text: string }
  | { type: "out"; stream: "stdout" | "stderr"; text: string }
  | { type: "exit"; code: number; ms: number }
  | { type: "error"; message: string };

const post = (m: WorkerMessage) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const { url, args, stdin, env } = e.data;
  try {
    post({ type: "status", text: "downloading artifact…" });
    const res = await fetch(url);
    if (!res.ok) throw new Error(`artifact download failed: HTTP ${res.status}`);
    post({ type: "status", text: "compiling…" });
    const module = await WebAssembly.compileStreaming(res);
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    const sink = (stream: "stdout" | "stderr") => new ConsoleStdout((bytes) => post({ type: "out", stream, text: decoders[stream].decode(bytes, { stream: true }) }));
    const fds = [new OpenFile(new File(new TextEncoder().encode(stdin), { readonly: true })), sink("stdout"), sink("stderr")];
    const wasi = new WASI(args, env, fds);
    // The shim throws from every sock_* call; a WASI runtime without sockets
    // answers with an errno instead, which is what the core expects (it probes
    // for the host network interface with sock_send and falls back to the
    // in-guest network: lib/image/HOST-NET.md).
    const ERRNO_NOTSUP = 58;
    const noSockets = { sock_accept: () => ERRNO_NOTSUP, sock_recv: () => ERRNO_NOTSUP, sock_send: () => ERRNO_NOTSUP, sock_shutdown: () => ERRNO_NOTSUP };
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: { ...wasi.wasiImport, ...noSockets } });
    post({ type: "status", text: "running…" });
    const started = performance.now();
    const code = wasi.start(instance as unknown as { exports: { memory: WebAssembly.Memory; _start: () => unknown } });
    post({ type: "exit", code, ms: Math.round(performance.now() - started) });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
