// GET /api/internal/jobs/:id/input: the uploaded image of a job, for the
// compile worker running it on another machine. Open only with the per-run
// token the job's payload carries (header `x-trellis-job-token`), while that
// run is the job's current, unfinished one; the server's access token is not
// needed (nor given to workers).

import { createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { route } from "../server/edge";
import { errorJson, validJobId } from "./http";
import type { JobQueue } from "./types";

export const JOB_TOKEN_HEADER = "x-trellis-job-token";

/** A queue whose jobs run elsewhere (RedisJobQueue). Checked by shape: Next bundles a route and the start-up hook separately, so the queue's class may be another copy. */
interface RemoteInputQueue extends JobQueue {
  inputAllowed(id: string, token: string | null): boolean;
}

function allowed(queue: JobQueue, id: string, req: Request): boolean {
  const q = queue as Partial<RemoteInputQueue>;
  return typeof q.inputAllowed === "function" && validJobId(id) && q.inputAllowed(id, req.headers.get(JOB_TOKEN_HEADER));
}

export async function inputResponse(queue: JobQueue, id: string): Promise<Response> {
  const job = queue.get(id);
  const upload = job?.params.upload;
  if (!job || typeof upload !== "string") return errorJson(404, "not-found", `job ${id} has no uploaded image`);
  const file = join(queue.jobDir(id), upload);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return errorJson(410, "upload-gone", `the upload of job ${id} is no longer on the server`);
  }
  const body = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { "content-type": "application/x-tar", "content-length": String(size) } });
}

/** The route handler, given how to find the queue (the app's process-wide one, or a test's). */
export function makeInputRoute(getQueue: () => JobQueue) {
  return route<{ id: string }>({ auth: (req, p) => allowed(getQueue(), p.id, req) }, ({ params: { id } }) => inputResponse(getQueue(), id));
}

/**
 * The input route on a plain Node HTTP server, for processes that submit jobs
 * without the Next app (`trellis compile --queue`, tests): only this route.
 */
export async function serveInputRoute(getQueue: () => JobQueue, host: string, port: number): Promise<{ server: Server; port: number }> {
  const handler = makeInputRoute(getQueue);
  const server = createServer((req, res) => {
    const id = /^\/api\/internal\/jobs\/([^/?]+)\/input$/.exec(req.url ?? "")?.[1];
    if (!id || req.method !== "GET") {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const base = `http://${req.headers.host ?? `${host}:${port}`}`;
    void handler(new Request(new URL(req.url!, base), { headers }), { params: Promise.resolve({ id: decodeURIComponent(id) }) })
      .then(async (r) => {
        res.writeHead(r.status, Object.fromEntries(r.headers));
        if (r.body) for await (const c of r.body as unknown as AsyncIterable<Uint8Array>) res.write(c);
        res.end();
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address();
  return { server, port: typeof a === "object" && a ? a.port : port };
}
