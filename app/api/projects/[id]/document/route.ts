import { route } from "@/lib/server/edge";
import { errorResponse } from "@/lib/server/errors";
import { projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

/**
 * The designer's read of a design: `{ id, name, revision, doc }`, with the document as stored (already
 * validated when saved). Not parsed to be written out again, as GET /api/projects/:id does: at 1,000
 * nodes that is most of the request's server time.
 */
export const GET = route<{ id: string }>({}, ({ params }) => {
  const r = projectRepo().getStored(params.id);
  if (!r.ok) return errorResponse(r.error);
  const { id, name, revision, docJson } = r.value;
  return new Response(`{"id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"revision":${revision},"doc":${docJson}}`, {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
});
