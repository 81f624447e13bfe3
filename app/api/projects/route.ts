import { examples } from "@/examples";
import { route } from "@/lib/server/edge";
import { apiError, errorResponse } from "@/lib/server/errors";
import { projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

export const GET = route({}, () => Response.json(projectRepo().list()));

/** Body: `{ name, doc? }` or `{ name?, exampleId }`. */
export const POST = route({ body: { json: {} } }, ({ body }) => {
  const b = (body ?? {}) as { name?: unknown; doc?: unknown; exampleId?: unknown };
  let doc = b.doc;
  let name = b.name;
  if (b.exampleId !== undefined) {
    const ex = examples.find((e) => e.id === b.exampleId);
    if (!ex) return errorResponse(apiError("not-found", `no example '${String(b.exampleId)}'`));
    doc = ex.doc;
    name ??= ex.doc.name;
  }
  const r = projectRepo().create(name, doc);
  return r.ok ? Response.json(r.value, { status: 201 }) : errorResponse(r.error);
});
