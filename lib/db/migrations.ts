// Schema migrations, applied in order once each. Append new entries; never edit
// an entry that has shipped.
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    id: 1,
    name: "projects",
    sql: `
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX projects_updated ON projects(updated_at);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    id: 2,
    name: "jobs",
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        stage TEXT,
        percent REAL NOT NULL DEFAULT 0,
        params TEXT NOT NULL,
        error TEXT,
        retryable INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX jobs_state ON jobs(state, created_at);
      CREATE INDEX jobs_created ON jobs(created_at);
      CREATE TABLE job_logs (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
    `,
  },
  {
    id: 3,
    name: "uploaded components",
    sql: `
      CREATE TABLE components (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        file_name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('component', 'converted', 'core-module')),
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        info TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX components_created ON components(created_at);
    `,
  },
  {
    id: 4,
    name: "job leases",
    // A running job's owner renews lease_until (ms since epoch) while it lives;
    // recovery trusts an expired lease, not whether some process has the owner's PID.
    sql: `ALTER TABLE jobs ADD COLUMN lease_until INTEGER;`,
  },
  {
    id: 5,
    name: "project save ids",
    // The id of the save that made the current revision: a designer whose answer was lost (the server
    // crashed or the connection dropped after the commit) retries with that id and is not told it conflicts with itself.
    sql: `ALTER TABLE projects ADD COLUMN last_save TEXT;`,
  },
];
