import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { dbFile, integrityProblems } from "../../db";
import type { CliCommand } from "../command";

// SQLite's online backup: consistent while the server keeps writing (pages
// changed during the copy are copied again), unlike copying the file, which
// can catch a half-written WAL.
const command: CliCommand = {
  name: "backup",
  summary: "copy the design store ($TRELLIS_DATA_DIR/trellis.db) to FILE with SQLite's online backup, safe while the server runs",
  usage: "trellis backup <file>",
  async run(args) {
    const target = args[0];
    if (!target || args.length > 1) {
      process.stderr.write(`usage: ${this.usage}\n`);
      return 2;
    }
    const source = dbFile();
    if (!existsSync(source)) {
      process.stderr.write(`backup: no store at ${source} (set TRELLIS_DATA_DIR)\n`);
      return 1;
    }
    const out = resolve(target);
    if (out === resolve(source)) {
      process.stderr.write("backup: the backup file must not be the store itself\n");
      return 1;
    }
    if (existsSync(out)) {
      process.stderr.write(`backup: ${target} exists; give a new file name\n`);
      return 1;
    }
    mkdirSync(dirname(out), { recursive: true });
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma("busy_timeout = 5000");
      const r = await db.backup(out);
      const copy = new Database(out, { readonly: true });
      const problems = integrityProblems(copy);
      const counts = ["projects", "jobs", "components"].map((t) => {
        try {
          return `${(copy.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n} ${t}`;
        } catch {
          return `0 ${t}`;
        }
      });
      copy.close();
      if (problems.length) {
        process.stderr.write(`backup: the copy failed its integrity check: ${problems.join("; ")}\n`);
        return 1;
      }
      process.stdout.write(`backup: ${source} → ${target} (${r.totalPages} pages; ${counts.join(", ")}); integrity ok\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`backup: ${(e as Error).message}\n`);
      return 1;
    } finally {
      db.close();
    }
  },
};

export default command;
