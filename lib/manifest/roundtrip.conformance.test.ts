// Published compose files in ../shared/real-world/compose: import, then a Kubernetes export that validates.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { haveShared, SHARED_DIR } from "../testing/shared-dir";
import { composeToK8s } from "./testing/compose-to-k8s";

// describe.skipIf still runs the body to collect tests, so list nothing without ../shared.
const shared = haveShared();

describe.skipIf(!shared)("real-world compose → import → Kubernetes export passes validation", () => {
  const dir = join(SHARED_DIR, "real-world/compose");
  for (const f of (shared ? readdirSync(dir) : []).sort()) it(f, () => composeToK8s(join(dir, f)));
});
