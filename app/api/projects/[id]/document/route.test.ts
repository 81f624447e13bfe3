// The designer's read: the stored document spliced in as it is, the same design GET /api/projects/:id answers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDesign } from "../../../../../bench/design-gen";

let dir: string;
const saved = process.env.TRELLIS_DATA_DIR;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trellis-document-route-"));
  process.env.TRELLIS_DATA_DIR = dir;
});
afterAll(() => {
  if (saved === undefined) delete process.env.TRELLIS_DATA_DIR;
  else process.env.TRELLIS_DATA_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

const req = (path: string) => new Request(`http://127.0.0.1:3000${path}`, { headers: { host: "127.0.0.1:3000" } });

describe("GET /api/projects/:id/document", () => {
  it("answers id, name, revision and the document, as GET /api/projects/:id has them; 404 for no such design", async () => {
    const { projectRepo } = await import("@/lib/server/projects");
    const doc = { ...generateDesign(40, 60, 5), name: "doc route" };
    const created = projectRepo().create("doc route", doc);
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;
    const saved2 = projectRepo().save(id, { ...created.value.doc, description: "second \"revision\" </script>" }, 1);
    expect(saved2.ok).toBe(true);
    const { GET } = await import("./route");
    const res = await GET(req(`/api/projects/${id}/document`), { params: Promise.resolve({ id }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { id: string; name: string; revision: number; doc: unknown };
    const whole = await (await import("../route")).GET(req(`/api/projects/${id}`), { params: Promise.resolve({ id }) });
    const p = (await whole.json()) as { id: string; name: string; revision: number; doc: unknown };
    expect(body).toEqual({ id: p.id, name: p.name, revision: 2, doc: p.doc });
    expect((body.doc as { description: string }).description).toBe('second "revision" </script>');
    const missing = await GET(req("/api/projects/nope/document"), { params: Promise.resolve({ id: "nope" }) });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { kind: string } }).error.kind).toBe("not-found");
  });
});
