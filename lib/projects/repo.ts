// Project persistence over the embedded store. Every document is validated
// before it is written; a refused save leaves the stored copy untouched.
import { randomUUID } from "node:crypto";
import type { Db } from "../db";
import { parseDesign, type DesignIssue } from "../graph/document";
import type { DesignDocument } from "../graph/types";
import { err, ok, type Result } from "../result";

export interface ProjectSummary {
  id: string;
  name: string;
  revision: number;
  nodeCount: number;
  linkCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Project extends ProjectSummary {
  doc: DesignDocument;
}

/** A project with its document as stored (JSON text, already validated when it was saved). */
export interface StoredProject {
  id: string;
  name: string;
  revision: number;
  docJson: string;
}

export type ProjectError =
  | { kind: "not-found"; projectId: string; message: string }
  | { kind: "invalid-document"; issues: DesignIssue[]; message: string }
  | { kind: "invalid-name"; message: string }
  | { kind: "revision-conflict"; projectId: string; current: number; message: string }
  | { kind: "revision-required"; projectId: string; current: number; message: string };

export interface SaveOptions {
  baseName?: string;
  saveId?: string;
  unsure?: string[];
}

interface Row {
  id: string;
  name: string;
  doc: string;
  revision: number;
  last_save?: string | null;
  created_at: string;
  updated_at: string;
}

function toProject(r: Row): Project {
  const doc = JSON.parse(r.doc) as DesignDocument;
  return {
    id: r.id,
    name: r.name,
    revision: r.revision,
    nodeCount: doc.topology.nodes.length,
    linkCount: doc.topology.links.length,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    doc,
  };
}

function summary(p: Project): ProjectSummary {
  const { doc: _doc, ...rest } = p;
  return rest;
}

function checkName(name: unknown): Result<string, ProjectError> {
  if (typeof name !== "string" || name.trim() === "" || name.length > 200) {
    return err({ kind: "invalid-name", message: "a project name is 1–200 characters" });
  }
  return ok(name.trim());
}

export function emptyDesign(name: string): DesignDocument {
  return { trellisVersion: 1, name, topology: { nodes: [], links: [] } };
}

export class ProjectRepo {
  constructor(private readonly db: Db) {}

  /** Ids of uploaded components that saved designs use (nodes whose source is `upload:<id>`). */
  uploadsInUse(): Set<string> {
    const used = new Set<string>();
    for (const r of this.db.prepare("SELECT doc FROM projects").all() as { doc: string }[]) {
      const doc = JSON.parse(r.doc) as DesignDocument;
      for (const n of doc.topology.nodes) {
        const s = n.config.source;
        if (typeof s === "string" && s.startsWith("upload:")) used.add(s.slice("upload:".length));
      }
    }
    return used;
  }

  list(): ProjectSummary[] {
    const rows = this.db.prepare("SELECT * FROM projects ORDER BY updated_at DESC, rowid DESC").all() as Row[];
    return rows.map((r) => summary(toProject(r)));
  }

  get(id: string): Result<Project, ProjectError> {
    const row = this.row(id);
    return row ? ok(toProject(row)) : err({ kind: "not-found", projectId: id, message: `no project '${id}'` });
  }

  /**
   * The document as stored, unparsed: the designer's read (GET /api/projects/:id/document) splices it
   * into its answer as it is (parsing it into objects only to write them out again costs most of that
   * request's server time at 1,000 nodes).
   */
  getStored(id: string): Result<StoredProject, ProjectError> {
    const row = this.row(id);
    return row ? ok({ id: row.id, name: row.name, revision: row.revision, docJson: row.doc }) : err({ kind: "not-found", projectId: id, message: `no project '${id}'` });
  }

  private row(id: string): Row | undefined {
    return this.db.prepare("SELECT * FROM projects WHERE id = ?").get(id) as Row | undefined;
  }

  create(name: unknown, doc?: unknown): Result<Project, ProjectError> {
    const n = checkName(name);
    if (!n.ok) return n;
    const parsed = parseDesign(doc ?? emptyDesign(n.value));
    if (!parsed.ok) return err({ kind: "invalid-document", issues: parsed.error, message: issuesMessage(parsed.error) });
    const now = new Date().toISOString();
    const id = randomUUID();
    const d: DesignDocument = { ...parsed.value, name: n.value };
    this.db
      .prepare("INSERT INTO projects (id, name, doc, revision, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)")
      .run(id, n.value, JSON.stringify(d), now, now);
    return this.get(id);
  }

  /**
   * Saves a new document over `baseRevision`, refusing to overwrite a newer save
   * (a save without a base revision is refused too). When the document's name is
   * still `baseName` (the name the editor loaded), a rename made elsewhere is kept.
   *
   * `saveId` names this save. `unsure` lists the caller's earlier saves over the same base whose answers never
   * came (the server died or the connection dropped after the commit, or not): when the current revision is
   * newer than the base but was made by one of them, every revision since the base is the caller's own
   * (each was accepted under this same rule), so this save goes on top instead of answering a 409.
   */
  save(id: string, doc: unknown, baseRevision: number | undefined, opts: SaveOptions = {}): Result<Project, ProjectError> {
    const current = this.get(id);
    if (!current.ok) return current;
    const lastSave = (this.db.prepare("SELECT last_save FROM projects WHERE id = ?").get(id) as { last_save: string | null } | undefined)?.last_save;
    if (baseRevision !== undefined && baseRevision < current.value.revision && lastSave && opts.unsure?.includes(lastSave)) {
      baseRevision = current.value.revision;
    }
    if (baseRevision === undefined) {
      return err({
        kind: "revision-required",
        projectId: id,
        current: current.value.revision,
        message: `a save must say which revision it edits (baseRevision; the current one is ${current.value.revision})`,
      });
    }
    if (baseRevision !== current.value.revision) {
      return err({
        kind: "revision-conflict",
        projectId: id,
        current: current.value.revision,
        message: `the project changed elsewhere (revision ${current.value.revision}, you edited ${baseRevision})`,
      });
    }
    const parsed = parseDesign(doc);
    if (!parsed.ok) return err({ kind: "invalid-document", issues: parsed.error, message: issuesMessage(parsed.error) });
    const d = opts.baseName !== undefined && parsed.value.name === opts.baseName ? { ...parsed.value, name: current.value.name } : parsed.value;
    const n = checkName(d.name);
    if (!n.ok) return n;
    const r = this.db
      .prepare("UPDATE projects SET name = ?, doc = ?, revision = revision + 1, last_save = ?, updated_at = ? WHERE id = ? AND revision = ?")
      .run(n.value, JSON.stringify({ ...d, name: n.value }), opts.saveId ?? null, new Date().toISOString(), id, baseRevision);
    if (r.changes === 0) return this.save(id, doc, baseRevision, opts); // lost a race: answers 409 now
    return this.get(id);
  }

  /** Renames without touching the design revision, so an open designer's next save does not conflict. */
  rename(id: string, name: unknown): Result<Project, ProjectError> {
    const n = checkName(name);
    if (!n.ok) return n;
    const current = this.get(id);
    if (!current.ok) return current;
    this.db
      .prepare("UPDATE projects SET name = ?, doc = ?, updated_at = ? WHERE id = ?")
      .run(n.value, JSON.stringify({ ...current.value.doc, name: n.value }), new Date().toISOString(), id);
    return this.get(id);
  }

  duplicate(id: string): Result<Project, ProjectError> {
    const current = this.get(id);
    if (!current.ok) return current;
    const names = new Set(this.list().map((p) => p.name));
    let name = `${current.value.name} (copy)`;
    for (let i = 2; names.has(name); i++) name = `${current.value.name} (copy ${i})`;
    return this.create(name, current.value.doc);
  }

  delete(id: string): Result<{ id: string }, ProjectError> {
    const r = this.db.prepare("DELETE FROM projects WHERE id = ?").run(id);
    return r.changes ? ok({ id }) : err({ kind: "not-found", projectId: id, message: `no project '${id}'` });
  }

  /** Seeds the example designs once, on the first start of a fresh store. */
  seedOnce(examples: DesignDocument[]): number {
    const seeded = this.db.prepare("SELECT value FROM meta WHERE key = 'seeded'").get();
    if (seeded) return 0;
    this.db.transaction(() => {
      // Reverse: the first example (the sample) is created last and lists first.
      for (const ex of [...examples].reverse()) {
        const r = this.create(ex.name, ex);
        if (!r.ok) throw new Error(`example '${ex.name}' is invalid: ${r.error.message}`);
      }
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('seeded', ?)").run(new Date().toISOString());
    })();
    return examples.length;
  }
}

export function issuesMessage(issues: DesignIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("; ");
}
