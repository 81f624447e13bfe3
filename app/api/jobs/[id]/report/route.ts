import { getJobQueue } from "@/lib/jobs";
import { notFound, readReport, validJobId } from "@/lib/jobs/http";
import { route } from "@/lib/server/edge";
import { apiError, errorResponse } from "@/lib/server/errors";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/:id/report[?download=1]`: the compile report JSON. */
export const GET = route<{ id: string }>({}, async ({ params: { id }, url }) => {
  if (!validJobId(id)) return notFound(id);
  const queue = getJobQueue();
  if (!queue.get(id)) return notFound(id);
  const report = await readReport(queue, id);
  if (!report) return errorResponse(apiError("no-report", `job ${id} has no report yet`));
  const download = url.searchParams.get("download");
  return new Response(JSON.stringify(report, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(download ? { "content-disposition": `attachment; filename="trellis-report-${id}.json"` } : {}),
    },
  });
});
