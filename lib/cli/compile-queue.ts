// `trellis compile --queue redis://… <image.tar | ref> -o out.wasm`: submits
// the compile to the shared queue and waits (for CI pipelines), printing the
// job's log lines as they come. This process acts as a small server for the
// one job: its own SQLite store in a temp dir, and the internal input route
// for an image file (on --listen, advertised to workers as --advertise).
import { CLI_COMPONENT_ROLE } from "../compile/http-component-names";
import { existsSync, statSync } from "node:fs";
import { copyFile, link, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { openDb } from "../db";
import { checkRedis, parseQueueUrl } from "../jobs/redis/connection";
import { RedisJobQueue } from "../jobs/redis-queue";
import { serveInputRoute } from "../jobs/remote-input-http";
import { TERMINAL_STATES, type Job } from "../jobs/types";
import { looksLikeReference, parseReference } from "../registry";

export interface QueueCompileOptions {
  queue: string;
  image: string;
  out: string;
  component?: string;
  platform?: string;
  name?: string;
  /** host:port the input route listens on (default 127.0.0.1:0, a free port). */
  listen?: string;
  /** URL workers use to reach it (default http://<listen>). */
  advertise?: string;
}

export async function compileOnQueue(o: QueueCompileOptions): Promise<number> {
  const fail = (m: string) => {
    process.stderr.write(`trellis compile: ${m}\n`);
    return 1;
  };
  const target = parseQueueUrl(o.queue);
  if (!target.ok) return fail(target.error.message);
  const reached = await checkRedis(target.value);
  if (!reached.ok) return fail(`${reached.error.kind}: ${reached.error.message}`);
  const isFile = existsSync(o.image);
  let reference: string | undefined;
  if (!isFile) {
    const ref = looksLikeReference(o.image) ? parseReference(o.image) : null;
    if (!ref?.ok) return fail(`${o.image}: no such file, and not an image reference`);
    reference = ref.value.canonical;
  }
  const tmp = await mkdtemp(join(tmpdir(), "trellis-submit-"));
  const db = openDb(join(tmp, "trellis.db"));
  let queue: RedisJobQueue | undefined;
  let http: Awaited<ReturnType<typeof serveInputRoute>> | undefined;
  try {
    const [host, portText] = (o.listen ?? "127.0.0.1:0").split(/:(?=\d+$)/);
    http = await serveInputRoute(() => queue!, host || "127.0.0.1", Number(portText ?? 0));
    const serverUrl = o.advertise ?? `http://${host || "127.0.0.1"}:${http.port}`;
    queue = new RedisJobQueue({ db, dataDir: join(tmp, "data"), target: target.value, serverUrl, ...(process.env.TRELLIS_ARTIFACTS ? { artifacts: process.env.TRELLIS_ARTIFACTS } : {}) });
    await queue.ready;
    const id = queue.newJobId();
    const extra = { ...(o.platform ? { platform: o.platform } : {}), ...(o.name ? { name: o.name } : {}) };
    let params: Record<string, unknown>;
    if (isFile) {
      await mkdir(queue.jobDir(id), { recursive: true });
      // A link when it can (same file system), so a big image is not copied.
      const upload = join(queue.jobDir(id), "upload.tar");
      await link(o.image, upload).catch(() => copyFile(o.image, upload));
      params = { upload: "upload.tar", bytes: statSync(o.image).size, fileName: basename(o.image), ...extra };
    } else params = { reference: reference!, fileName: reference!, ...extra };
    const q = queue;
    const done = new Promise<Job>((resolve) => {
      const check = () => {
        const j = q.get(id);
        if (j && TERMINAL_STATES.includes(j.state)) resolve(j);
      };
      q.subscribe(id, (e) => {
        if (e.type === "log") process.stderr.write(`  ${e.line}\n`);
        check();
      });
    });
    q.enqueue({ id, kind: "compile-image", params });
    process.stderr.write(`submitted job ${id} to ${target.value.display}\n`);
    const onSignal = () => {
      process.stderr.write("cancelling the job\n");
      q.cancel(id);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const job = await done;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (job.state !== "succeeded") return fail(`job ${job.state}${job.error ? `: ${job.error.kind}: ${job.error.message}` : ""}`);
    type Produced = { kind: string; file: string; bytes: number; native?: { extraFiles?: { file: string; role: string }[] } };
    const produced = (job.result as { produced: Produced }).produced;
    const dir = q.jobDir(id);
    await copyFile(join(dir, produced.file), o.out);
    for (const x of produced.native?.extraFiles ?? []) {
      if (x.role.startsWith("rootfs")) await copyFile(join(dir, x.file), join(dirname(o.out), basename(x.file)));
      else if (x.role === CLI_COMPONENT_ROLE && o.component) await copyFile(join(dir, x.file), o.component);
    }
    process.stdout.write(`${o.out}: ${produced.bytes} bytes (${produced.kind}), compiled on the queue\n`);
    return 0;
  } finally {
    await queue?.close();
    http?.server.close();
    db.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
