import Database from "better-sqlite3";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobStore } from "../jobs/store";
import { openDb, StoreCorrupt } from "./index";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-db-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the design store", () => {
  it("commits with synchronous=FULL in WAL mode", () => {
    const db = openDb(join(dir, "t.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    // Job log lines and progress commit without the fsync, and the store goes back to FULL.
    const jobs = new JobStore(db);
    jobs.insert("j", "x", {});
    jobs.appendLog("j", "a line");
    jobs.setProgress("j", "s", 5);
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    db.close();
  });

  it("refuses to open a file that fails the integrity check, and leaves it as it was", () => {
    const file = join(dir, "t.db");
    const db = new Database(file);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX tv ON t(v);");
    const ins = db.prepare("INSERT INTO t (v) VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) ins.run(`value-${i}`);
    })();
    db.close();
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096 * 3); // one page of garbage
    closeSync(fd);
    expect(() => openDb(file)).toThrow(StoreCorrupt);
    try {
      openDb(file);
    } catch (e) {
      expect((e as StoreCorrupt).kind).toBe("store-corrupt");
      expect((e as Error).message).toMatch(/integrity check.*backup/);
    }
    const garbage = join(dir, "g.db");
    writeFileSync(garbage, Buffer.alloc(8192, 7));
    expect(() => openDb(garbage)).toThrow(StoreCorrupt);
  });
});
