// `next start`'s -H/--hostname (scripts/start.mjs passes TRELLIS_HOST, 127.0.0.1 by default).
const argv = process.argv;
const h = argv.indexOf("-H") >= 0 ? argv[argv.indexOf("-H") + 1] : argv.indexOf("--hostname") >= 0 ? argv[argv.indexOf("--hostname") + 1] : argv.find((a) => a.startsWith("--hostname="))?.slice("--hostname=".length);
const loopback = typeof h === "string" && (h === "localhost" || h === "::1" || h === "[::1]" || /^127\./.test(h));

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // gzip pays only where there is a network. On loopback (the default listen address) it is CPU spent
  // on both ends for every page and chunk: ~0.1–0.4 s per designer load of a 1,000-node design on a
  // busy 2-core machine (page + 14 chunks, 1.9 MB), for bytes that never leave the host.
  compress: !loopback,
  // Native and wasm-heavy packages stay as runtime requires on the server.
  serverExternalPackages: ["better-sqlite3", "@bytecodealliance/jco", "@bytecodealliance/preview2-shim", "binaryen", "tsx", "bullmq", "ioredis"],
  // Types are checked by `npm run typecheck` (part of `npm test`), once, not again per build.
  typescript: { ignoreBuildErrors: true },
};
export default nextConfig;
