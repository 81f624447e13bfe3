// The embedded store: one SQLite file under TRELLIS_DATA_DIR, opened once per
// process (kept on globalThis so dev-server reloads reuse the handle).
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { migrations as defaultMigrations, type Migration } from "./migrations";

export type Db = Database.Database;

export function dataDir(): string {
  // Runtime-chosen directory: keep the bundler from tracing the whole project.
  return resolve(/*turbopackIgnore: true*/ process.env.TRELLIS_DATA_DIR ?? "data");
}

/** Applies pending migrations in one transaction each; returns the ids applied. */
export function migrate(db: Db, migrations: Migration[] = defaultMigrations): number[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const done = new Set((db.prepare("SELECT id FROM schema_migrations").all() as { id: number }[]).map((r) => r.id));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(m.id, m.name, new Date().toISOString());
    })();
    applied.push(m.id);
  }
  return applied;
}

/** The store failed SQLite's integrity check: it is not opened, so nothing writes over it. */
export class StoreCorrupt extends Error {
  readonly kind = "store-corrupt";
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} failed SQLite's integrity check (${problems.slice(0, 3).join("; ")}); restore it from a backup (npm run trellis -- backup FILE makes one)`);
  }
}

/** SQLite's integrity_check: [] when the file is sound, else its findings. */
export function integrityProblems(db: Db): string[] {
  const rows = db.pragma("integrity_check") as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).filter((m) => m !== "ok");
}

/**
 * Opens (creating and migrating) the store. synchronous=FULL: in WAL mode
 * NORMAL may lose the last commits on power loss, and a design save is one
 * small transaction, so the extra fsync per commit is cheap (README: the
 * measurement). The integrity check runs first; a damaged file throws StoreCorrupt.
 */
export function openDb(file: string): Db {
  const db = new Database(file);
  try {
    const problems = integrityProblems(db);
    if (problems.length) throw new StoreCorrupt(file, problems);
  } catch (e) {
    db.close();
    if (e instanceof StoreCorrupt) throw e;
    throw new StoreCorrupt(file, [(e as Error).message]);
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/** The store's file under the data directory. */
export function dbFile(dir = dataDir()): string {
  return join(dir, "trellis.db");
}

const g = globalThis as { __trellisDb?: { dir: string; db: Db } };

export function getDb(): Db {
  const dir = dataDir();
  if (g.__trellisDb?.dir === dir) return g.__trellisDb.db;
  mkdirSync(dir, { recursive: true });
  const db = openDb(dbFile(dir));
  g.__trellisDb = { dir, db };
  return db;
}
