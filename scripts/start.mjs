#!/usr/bin/env node
// Starts the production server. Loopback by default; any other address needs
// TRELLIS_TOKEN, because the designer and its APIs would otherwise be open.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const host = process.env.TRELLIS_HOST ?? process.env.HOST ?? "127.0.0.1";
const port = process.env.PORT ?? "3000";
const loopback = host === "localhost" || host === "::1" || /^127\./.test(host);

if (!loopback && !process.env.TRELLIS_TOKEN) {
  console.error(`trellis: refusing to listen on ${host} without an access token.\nSet TRELLIS_TOKEN to a secret (clients send it as "Authorization: Bearer <token>" or open /?token=<token> once), or listen on 127.0.0.1.`);
  process.exit(1);
}
if (!existsSync(".next/BUILD_ID")) {
  console.error("trellis: no production build found; run `npm run build` first (the setup script does this).");
  process.exit(1);
}
console.log(`trellis: data directory ${process.env.TRELLIS_DATA_DIR ?? "./data"}; http://${host.includes(":") ? `[${host}]` : host}:${port}`);
const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", host, "-p", port], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
