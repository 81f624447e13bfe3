// Per-run tokens for the internal input route: HMAC-SHA256 of the run key
// under a secret kept in the data directory (created 0600 on first use), so a
// token survives a server restart, names one run of one job, and is worth
// nothing once the job has moved on (the route also requires the run to be
// the job's current, unfinished one).

import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constantTimeEqual } from "../server/auth";

export function queueSecret(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "queue-secret");
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
}

export function runToken(secret: Buffer, runKey: string): string {
  return createHmac("sha256", secret).update(`input:${runKey}`).digest("base64url");
}

export function tokenMatches(secret: Buffer, runKey: string, token: string): boolean {
  return constantTimeEqual(runToken(secret, runKey), token);
}
