import { dataDir } from "@/lib/db";
import { getJobQueue } from "@/lib/jobs";
import { notFound, validJobId } from "@/lib/jobs/http";
import { handlePush } from "@/lib/jobs/registry-http";
import { route } from "@/lib/server/edge";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `POST /api/jobs/:id/push` `{ reference? }` → `{ push: { reference, pinned, digest, tag, … } }`. */
export const POST = route<{ id: string }>({}, ({ req, params: { id } }) => {
  if (!validJobId(id)) return notFound(id);
  return handlePush(req, getJobQueue(), id, dataDir());
});
