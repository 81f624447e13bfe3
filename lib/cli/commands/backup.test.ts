import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../db";
import { ProjectRepo } from "../../projects/repo";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-backup-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(process.execPath, ["bin/trellis.mjs", ...args], { encoding: "utf8", env: { ...process.env, TRELLIS_DATA_DIR: dir }, timeout: 60_000 });

describe("trellis backup", () => {
  it("copies the store while it is open and written (WAL not yet checkpointed), and the copy is whole", () => {
    const db = openDb(join(dir, "trellis.db"));
    db.pragma("wal_autocheckpoint = 0"); // the server's latest commits live only in the WAL
    const repo = new ProjectRepo(db);
    for (let i = 0; i < 5; i++) expect(repo.create(`p${i}`, undefined).ok).toBe(true);
    const out = join(dir, "copies", "b.db");
    const r = cli(["backup", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/5 projects.*integrity ok/);
    const copy = new Database(out, { readonly: true });
    expect((copy.prepare("SELECT name FROM projects ORDER BY name").all() as { name: string }[]).map((p) => p.name)).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    copy.close();
    db.close();
  });

  it("refuses to overwrite a file, and says so without a store", () => {
    const none = cli(["backup", join(dir, "x.db")]);
    expect([none.status, none.stderr]).toEqual([1, expect.stringContaining("no store at")]);
    openDb(join(dir, "trellis.db")).close();
    expect(cli(["backup", join(dir, "trellis.db")]).status).toBe(1);
  });
});
