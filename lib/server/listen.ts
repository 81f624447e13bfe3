// The listen-address rule, enforced by the server itself (instrumentation.ts)
// and by scripts/start.mjs: anything but loopback needs TRELLIS_TOKEN, since
// otherwise the designer and its APIs are open to the network. `next start`
// without -H listens on every interface, which is not loopback.
import { Server } from "node:net";
import { isLoopbackName } from "./origin";

/** The addresses this process's servers listen on (the real sockets, whatever the command line said). */
export function listeningAddresses(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  const out: string[] = [];
  for (const h of handles) {
    if (!(h instanceof Server)) continue;
    const a = h.address();
    if (a && typeof a === "object") out.push(a.address);
  }
  return out;
}

/** `next start`'s -H/--hostname; null when not given (then it listens on all interfaces). */
export function hostFromArgv(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === "-H" || a === "--hostname") && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (a.startsWith("--hostname=")) return a.slice("--hostname=".length);
  }
  return null;
}

/** null when the server may listen on `hosts`; else the refusal to print before exiting. */
export function listenRefusal(hosts: readonly (string | null)[], token: string | undefined): string | null {
  if (token) return null;
  const open = hosts.find((h) => h === null || !isLoopbackName(h));
  if (open === undefined) return null;
  const where = open === null || open === "0.0.0.0" || open === "::" ? `all interfaces (${open ?? "no -H given"})` : open;
  return (
    `trellis: refusing to listen on ${where} without an access token.\n` +
    `Set TRELLIS_TOKEN to a secret (clients send it as "Authorization: Bearer <token>" or open /?token=<token> once), or listen on 127.0.0.1.`
  );
}

/**
 * The addresses to judge: the listening sockets when there are any, else the
 * command line of `next start` (nothing to judge in other commands).
 */
export function addressesToCheck(argv: readonly string[] = process.argv): (string | null)[] {
  const live = listeningAddresses();
  if (live.length > 0) return live;
  const isNextStart = argv.some((a) => /next(\.js)?$/.test(a) || a.endsWith("/next/dist/bin/next")) && argv.includes("start");
  return isNextStart ? [hostFromArgv(argv)] : [];
}
