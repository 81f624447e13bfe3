// Test support for conformance tests (`npm run test:conformance`): they read
// the published schemas, manifests and suites in ../shared/, which a fresh
// clone does not have. `npm test` never runs them.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** ../shared/ beside the checkout, with a trailing slash. */
export const SHARED_DIR = fileURLToPath(new URL("../../../shared/", import.meta.url));

/** True when ../shared/ is there. Without it a conformance suite skips, except
 *  under CI=true, where a missing ../shared/ is an error (CI always has it). */
export function haveShared(): boolean {
  if (existsSync(SHARED_DIR)) return true;
  if (process.env.CI === "true") throw new Error(`conformance tests need ${SHARED_DIR} (missing under CI=true)`);
  return false;
}
