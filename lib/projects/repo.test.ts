import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { examples } from "../../examples";
import { openDb, type Db } from "../db";
import { ProjectRepo } from "./repo";

let dir: string;
let db: Db;
let repo: ProjectRepo;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-repo-"));
  db = openDb(join(dir, "t.db"));
  repo = new ProjectRepo(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ProjectRepo", () => {
  it("seeds the examples once, the sample first", () => {
    expect(repo.seedOnce(examples.map((e) => e.doc))).toBe(examples.length);
    expect(repo.seedOnce(examples.map((e) => e.doc))).toBe(0);
    const list = repo.list();
    expect(list).toHaveLength(examples.length);
    expect(list[0]!.name).toMatch(/^Sample/);
  });

  it("creates, renames, duplicates and deletes", () => {
    const p = repo.create("one");
    if (!p.ok) throw new Error(p.error.message);
    expect(repo.rename(p.value.id, "two")).toMatchObject({ ok: true, value: { name: "two", revision: 1 } });
    const d = repo.duplicate(p.value.id);
    expect(d).toMatchObject({ ok: true, value: { name: "two (copy)" } });
    expect(repo.duplicate(p.value.id)).toMatchObject({ ok: true, value: { name: "two (copy 2)" } });
    expect(repo.delete(p.value.id)).toMatchObject({ ok: true });
    expect(repo.get(p.value.id)).toMatchObject({ ok: false, error: { kind: "not-found" } });
    expect(repo.create("  ")).toMatchObject({ ok: false, error: { kind: "invalid-name" } });
  });

  it("hands out the stored document text as it was saved, for the designer page", () => {
    const p = repo.create("stored", examples[0]!.doc);
    if (!p.ok) throw new Error(p.error.message);
    const saved = repo.save(p.value.id, { ...p.value.doc, description: "edited" }, 1);
    if (!saved.ok) throw new Error(saved.error.message);
    const s = repo.getStored(p.value.id);
    if (!s.ok) throw new Error(s.error.message);
    expect(s.value).toMatchObject({ id: p.value.id, name: "stored", revision: 2 });
    expect(JSON.parse(s.value.docJson)).toEqual(saved.value.doc);
    expect(repo.getStored("nope")).toMatchObject({ ok: false, error: { kind: "not-found", projectId: "nope" } });
  });

  it("refuses an invalid document and keeps the stored copy untouched", () => {
    const p = repo.create("keep", examples[0]!.doc);
    if (!p.ok) throw new Error(p.error.message);
    const bad = structuredClone(p.value.doc) as unknown as { topology: { links: { to: { node: string } }[] } };
    bad.topology.links[0]!.to.node = "ghost";
    const r = repo.save(p.value.id, bad, 1);
    expect(r).toMatchObject({ ok: false, error: { kind: "invalid-document", message: expect.stringContaining("/topology/links/0/to/node") } });
    const after = repo.get(p.value.id);
    expect(after.ok && after.value.doc).toEqual(p.value.doc);
    expect(after.ok && after.value.revision).toBe(1);
  });

  it("refuses a save based on a stale revision", () => {
    const p = repo.create("x");
    if (!p.ok) throw new Error(p.error.message);
    expect(repo.save(p.value.id, p.value.doc, 1).ok).toBe(true);
    expect(repo.save(p.value.id, p.value.doc, 1)).toMatchObject({ ok: false, error: { kind: "revision-conflict", current: 2 } });
  });

  it("a retry after a lost answer is not a conflict with itself, but a save by someone else still is", () => {
    const p = repo.create("x");
    if (!p.ok) throw new Error(p.error.message);
    const id = p.value.id;
    const doc = (n: string) => ({ ...p.value.doc, name: "x", description: n });
    // Save a commits (revision 2) but its answer is lost; the retry b still says base 1 and that a is unsure.
    expect(repo.save(id, doc("a"), 1, { saveId: "a" })).toMatchObject({ ok: true, value: { revision: 2 } });
    expect(repo.save(id, doc("b"), 1, { saveId: "b", unsure: ["a"] })).toMatchObject({ ok: true, value: { revision: 3, doc: { description: "b" } } });
    // Two lost answers in a row (a chain of our own commits) are fine too.
    expect(repo.save(id, doc("c"), 1, { saveId: "c", unsure: ["a", "b"] })).toMatchObject({ ok: true, value: { revision: 4 } });
    // Without the id, or naming a save that is not the current one, it is a conflict as before.
    expect(repo.save(id, doc("d"), 3, { saveId: "d" })).toMatchObject({ ok: false, error: { kind: "revision-conflict", current: 4 } });
    expect(repo.save(id, doc("d"), 3, { saveId: "d", unsure: ["a", "b"] })).toMatchObject({ ok: false, error: { kind: "revision-conflict", current: 4 } });
    // Someone else saves over our revision: our unsure ids no longer name the current save.
    expect(repo.save(id, doc("other"), 4, { saveId: "x" })).toMatchObject({ ok: true, value: { revision: 5 } });
    expect(repo.save(id, doc("e"), 4, { saveId: "e", unsure: ["c"] })).toMatchObject({ ok: false, error: { kind: "revision-conflict", current: 5 } });
    expect(repo.get(id)).toMatchObject({ ok: true, value: { revision: 5, doc: { description: "other" } } });
  });

  it("refuses a save without a base revision instead of overwriting", () => {
    const p = repo.create("x");
    if (!p.ok) throw new Error(p.error.message);
    const edited = { ...p.value.doc, topology: { nodes: [], links: [] }, name: "x" };
    expect(repo.save(p.value.id, edited, undefined)).toMatchObject({ ok: false, error: { kind: "revision-required", current: 1 } });
    expect(repo.get(p.value.id)).toMatchObject({ ok: true, value: { revision: 1 } });
  });

  it("a rename from the list does not bump the revision, and a designer's save keeps the new name", () => {
    const p = repo.create("before", examples[0]!.doc);
    if (!p.ok) throw new Error(p.error.message);
    expect(repo.rename(p.value.id, "renamed")).toMatchObject({ ok: true, value: { name: "renamed", revision: 1, doc: { name: "renamed" } } });
    // The designer opened before the rename still holds revision 1 and the old name.
    const edited = { ...p.value.doc, name: "before", topology: { ...p.value.doc.topology, nodes: p.value.doc.topology.nodes.map((n) => ({ ...n, position: { x: 1, y: 1 } })) } };
    const r = repo.save(p.value.id, edited, 1, { baseName: "before" });
    expect(r).toMatchObject({ ok: true, value: { name: "renamed", revision: 2, doc: { name: "renamed" } } });
    // A rename made in the designer itself still goes through.
    expect(repo.save(p.value.id, { ...edited, name: "mine" }, 2, { baseName: "renamed" })).toMatchObject({ ok: true, value: { name: "mine", revision: 3 } });
  });

  it("survives reopening the database (a server restart)", () => {
    const p = repo.create("durable", examples[1]!.doc);
    if (!p.ok) throw new Error(p.error.message);
    db.close();
    db = openDb(join(dir, "t.db"));
    const again = new ProjectRepo(db).get(p.value.id);
    expect(again.ok && again.value.doc.topology.nodes.length).toBe(examples[1]!.doc.topology.nodes.length);
  });
});
