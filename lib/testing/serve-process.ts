import { spawn, type ChildProcess } from "node:child_process";

/**
 * `trellis serve <component> --listen 127.0.0.1:0 [args…]` as a child process, resolved with the URL it prints once it
 * listens; rejected with its stderr if it exits first. The caller kills `proc`.
 */
export async function startServe(component: string, args: string[] = []): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ["bin/trellis.mjs", "serve", component, "--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((res, rej) => {
    let out = "";
    let err = "";
    proc.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    proc.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.once("exit", (code) => rej(new Error(`trellis serve exited ${code}: ${err}`)));
  }).catch((e: unknown) => {
    proc.kill("SIGTERM");
    throw e;
  });
  return { url, proc };
}
