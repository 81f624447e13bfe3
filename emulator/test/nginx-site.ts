// Debian's nginx staged into a rootfs directory from the host's installed
// files (the binary, its libraries, mime.types), with a small static site and
// a container-like config: master process + one worker, logs to stderr.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const nginx = "/usr/sbin/nginx";

// one megabyte that is not all one byte, so a lost or repeated chunk shows in the hash
export const big = Buffer.alloc(1 << 20);
for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);

export function conf(opts: { root: string; tmp: string; port: number; master: boolean }): string {
  return [
    "daemon off;",
    `master_process ${opts.master ? "on" : "off"};`,
    "worker_processes 1;",
    "error_log stderr warn;",
    `pid ${opts.tmp}/nginx.pid;`,
    "events { worker_connections 128; }",
    "http {",
    "  include mime.types;",
    "  access_log off;",
    "  sendfile on;",
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${opts.tmp}/${t};`),
    `  server { listen ${opts.port}; root ${opts.root}; }`,
    "}",
  ].join("\n");
}

export function copyWithLibs(stage: string, bin: string): void {
  mkdirSync(join(stage, dirname(bin)), { recursive: true });
  copyFileSync(realpathSync(bin), join(stage, bin));
  for (const m of execFileSync("ldd", [bin], { encoding: "utf8" }).matchAll(/(\/[^ ]+\.so[^ ]*) \(0x/g)) {
    const lib = m[1]!;
    mkdirSync(join(stage, dirname(lib)), { recursive: true });
    if (!existsSync(join(stage, lib))) copyFileSync(realpathSync(lib), join(stage, lib));
  }
}

export function writeSite(root: string): void {
  mkdirSync(join(root, "empty"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<h1>hello from nginx</h1>\n");
  writeFileSync(join(root, "data.json"), '{"answer": 42}\n');
  writeFileSync(join(root, "big.bin"), big);
}

/** A rootfs directory with nginx serving `writeSite`'s files from /srv/www on `port`. */
export function stageNginx(stage: string, port: number): void {
  for (const d of ["bin", "tmp", "etc/nginx", "dev", "proc", "srv/www", "var/log/nginx"]) mkdirSync(join(stage, d), { recursive: true });
  for (const f of ["passwd", "group", "nginx/mime.types"]) copyFileSync(`/etc/${f}`, join(stage, "etc", f));
  copyWithLibs(stage, nginx);
  writeSite(join(stage, "srv/www"));
  writeFileSync(join(stage, "etc/nginx/nginx.conf"), conf({ root: "/srv/www", tmp: "/tmp", port, master: true }));
}
