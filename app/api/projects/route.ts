import { examples } from "@/examples";
import { errorResponse, projectRepo, readJson } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json(projectRepo().list());
}

/** Body: `{ name, doc? }` or `{ name?, exampleId }`. */
export async function POST(req: Request) {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const b = (body.value ?? {}) as { name?: unknown; doc?: unknown; exampleId?: unknown };
  let doc = b.doc;
  let name = b.name;
  if (b.exampleId !== undefined) {
    const ex = examples.find((e) => e.id === b.exampleId);
    if (!ex) return Response.json({ error: { kind: "not-found", message: `no example '${String(b.exampleId)}'` } }, { status: 404 });
    doc = ex.doc;
    name ??= ex.doc.name;
  }
  const r = projectRepo().create(name, doc);
  return r.ok ? Response.json(r.value, { status: 201 }) : errorResponse(r.error);
}
