// Every published manifest in ../shared/real-world imports onto the canvas or
// says what it skipped; summaries are golden files in fixtures/import-golden/real-world.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { haveShared, SHARED_DIR } from "../testing/shared-dir";
import { goldenCase } from "./testing/import-golden";

const REAL = join(SHARED_DIR, "real-world");

// describe.skipIf still runs the body to collect tests, so list nothing without ../shared.
const shared = haveShared();

describe.skipIf(!shared)("every real-world manifest imports or says what it skipped", () => {
  for (const folder of ["wadm", "k8s", "compose", "spinkube"]) {
    for (const file of (shared ? readdirSync(join(REAL, folder)) : []).sort()) {
      it(`${folder}/${file}`, () => {
        goldenCase(join(REAL, folder), file, `real-world/${folder}/${file}.json`);
      });
    }
  }
});
