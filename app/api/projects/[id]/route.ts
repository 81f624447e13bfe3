import { route } from "@/lib/server/edge";
import { errorResponse } from "@/lib/server/errors";
import { projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

type P = { id: string };

export const GET = route<P>({}, ({ params }) => {
  const r = projectRepo().get(params.id);
  return r.ok ? Response.json(r.value) : errorResponse(r.error);
});

/**
 * Body: `{ doc, baseRevision, baseName?, saveId?, unsure? }` (no baseRevision: 428). An invalid document is refused
 * and the stored copy kept. `unsure`: ids of earlier saves whose answers were lost (see ProjectRepo.save).
 */
export const PUT = route<P>({ body: { json: {} } }, ({ params, body }) => {
  const b = (body ?? {}) as { doc?: unknown; baseRevision?: unknown; baseName?: unknown; saveId?: unknown; unsure?: unknown };
  const base = typeof b.baseRevision === "number" ? b.baseRevision : undefined;
  const id = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 100;
  const r = projectRepo().save(params.id, b.doc, base, {
    ...(typeof b.baseName === "string" ? { baseName: b.baseName } : {}),
    ...(id(b.saveId) ? { saveId: b.saveId } : {}),
    ...(Array.isArray(b.unsure) ? { unsure: b.unsure.filter(id).slice(0, 64) } : {}),
  });
  return r.ok ? Response.json({ id: r.value.id, revision: r.value.revision, updatedAt: r.value.updatedAt }) : errorResponse(r.error);
});

/** Body: `{ name }`. */
export const PATCH = route<P>({ body: { json: {} } }, ({ params, body }) => {
  const r = projectRepo().rename(params.id, (body as { name?: unknown } | null | undefined)?.name);
  return r.ok ? Response.json(r.value) : errorResponse(r.error);
});

export const DELETE = route<P>({}, ({ params }) => {
  const r = projectRepo().delete(params.id);
  return r.ok ? Response.json(r.value) : errorResponse(r.error);
});
