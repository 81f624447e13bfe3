import { defineConfig } from "vitest/config";

// `npm run test:conformance`: tests against the published files in ../shared/
// (schemas, real-world manifests, wit-parser's suite). `npm test` leaves them out.
export default defineConfig({
  test: {
    include: ["lib/**/*.conformance.test.ts", "emulator/**/*.conformance.test.ts"],
    exclude: ["e2e/**", "node_modules/**", ".next/**", "build/**"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
  resolve: { alias: { "@": new URL(".", import.meta.url).pathname } },
});
