import { getJobQueue } from "@/lib/jobs";
import { errorJson, notFound, readReport, validJobId } from "@/lib/jobs/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `GET /api/jobs/:id/report[?download=1]`: the compile report JSON. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!validJobId(id)) return notFound(id);
  const queue = getJobQueue();
  if (!queue.get(id)) return notFound(id);
  const report = await readReport(queue, id);
  if (!report) return errorJson(404, "no-report", `job ${id} has no report yet`);
  const download = new URL(req.url).searchParams.get("download");
  return new Response(JSON.stringify(report, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(download ? { "content-disposition": `attachment; filename="trellis-report-${id}.json"` } : {}),
    },
  });
}
