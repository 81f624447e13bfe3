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

export function openDb(file: string): Db {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

const g = globalThis as { __trellisDb?: { dir: string; db: Db } };

export function getDb(): Db {
  const dir = dataDir();
  if (g.__trellisDb?.dir === dir) return g.__trellisDb.db;
  mkdirSync(dir, { recursive: true });
  const db = openDb(join(dir, "trellis.db"));
  g.__trellisDb = { dir, db };
  return db;
}
