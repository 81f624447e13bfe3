/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Native and wasm-heavy packages stay as runtime requires on the server.
  serverExternalPackages: ["better-sqlite3", "@bytecodealliance/jco", "@bytecodealliance/preview2-shim", "binaryen", "tsx", "bullmq", "ioredis"],
  // Types are checked by `npm run typecheck` (part of `npm test`), once, not again per build.
  typescript: { ignoreBuildErrors: true },
};
export default nextConfig;
