import { errorResponse, projectRepo, readJson } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export async function GET(_req: Request, { params }: Ctx) {
  const r = projectRepo().get((await params).id);
  return r.ok ? Response.json(r.value) : errorResponse(r.error);
}

/** Body: `{ doc, baseRevision? }`. An invalid document is refused and the stored copy kept. */
export async function PUT(req: Request, { params }: Ctx) {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const b = (body.value ?? {}) as { doc?: unknown; baseRevision?: unknown };
  const base = typeof b.baseRevision === "number" ? b.baseRevision : undefined;
  const r = projectRepo().save((await params).id, b.doc, base);
  return r.ok ? Response.json({ id: r.value.id, revision: r.value.revision, updatedAt: r.value.updatedAt }) : errorResponse(r.error);
}

/** Body: `{ name }`. */
export async function PATCH(req: Request, { params }: Ctx) {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const r = projectRepo().rename((await params).id, (body.value as { name?: unknown } | null)?.name);
  return r.ok ? Response.json(r.value) : errorResponse(r.error);
}

export async function DELETE(_req: Request, { params }: Ctx) {
  const r = projectRepo().delete((await params).id);
  return r.ok ? Response.json(r.value) : errorResponse(r.error);
}
