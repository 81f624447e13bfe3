import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CliCommand } from "../command";

const USAGE =
  "trellis worker --queue redis://[user:pass@]host:port[/db] [--concurrency N] [--name NAME] [--work-dir DIR] [--lock-duration MS] [--stalled-interval MS]";

const command: CliCommand = {
  name: "worker",
  summary: "run compile jobs from a shared Redis queue (the server runs with TRELLIS_QUEUE set to the same URL)",
  usage: USAGE,
  async run(args) {
    let queue = process.env.TRELLIS_QUEUE;
    let concurrency = 1, lockMs: number | undefined, stalledMs: number | undefined;
    let name: string | undefined, workDir: string | undefined;
    const bad = (why?: string) => {
      process.stderr.write(`${why ? `trellis worker: ${why}\n` : ""}usage: ${USAGE}\n`);
      return 2;
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const val = () => args[++i];
      const num = () => {
        const v = Number(val());
        return Number.isInteger(v) && v > 0 ? v : NaN;
      };
      if (a === "--queue") queue = val();
      else if (a === "--concurrency") concurrency = num();
      else if (a === "--name") name = val();
      else if (a === "--work-dir") workDir = val();
      else if (a === "--lock-duration") lockMs = num();
      else if (a === "--stalled-interval") stalledMs = num();
      else return bad(`unknown argument ${JSON.stringify(a)}`);
    }
    if (!queue) return bad("--queue (or TRELLIS_QUEUE) is required");
    if (!Number.isInteger(concurrency) || (lockMs !== undefined && Number.isNaN(lockMs)) || (stalledMs !== undefined && Number.isNaN(stalledMs))) return bad("numbers must be positive integers");
    // BullMQ and ioredis load only here: the CLI imports every command at start.
    const [{ workerEntry }, { checkRedis, parseQueueUrl }, { RemoteWorker }] = await Promise.all([import("../../jobs"), import("../../jobs/redis/connection"), import("../../jobs/remote-worker")]);
    const target = parseQueueUrl(queue);
    if (!target.ok) return bad(target.error.message);
    // A wrong password or an unreachable Redis stops the worker here, with the reason.
    const reached = await checkRedis(target.value);
    if (!reached.ok) {
      process.stderr.write(`trellis worker: ${reached.error.kind}: ${reached.error.message}\n`);
      return 1;
    }
    const dir = workDir ? resolve(workDir) : await mkdtemp(join(tmpdir(), "trellis-worker-"));
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const worker = new RemoteWorker({
      target: target.value,
      concurrency,
      ...(name ? { name } : {}),
      workDir: dir,
      workerEntry: workerEntry(),
      ...(process.env.TRELLIS_JOB_HANDLERS ? { handlersModule: process.env.TRELLIS_JOB_HANDLERS } : {}),
      ...(lockMs ? { lockDurationMs: lockMs } : {}),
      ...(stalledMs ? { stalledIntervalMs: stalledMs } : {}),
      onLog: log,
    });
    await worker.start();
    log(`worker ${worker.name} ready on ${target.value.display} (Redis ${reached.value.version}), ${concurrency} job(s) at once`);
    // SIGTERM: finish what runs and stop; a second SIGTERM (or SIGINT) hands running jobs back to the queue.
    return new Promise<number>((done) => {
      let stopping = false;
      const stop = (handBack: boolean) => {
        if (handBack) {
          log(`handing ${worker.running} running job(s) back to the queue`);
          void worker.handBack().then(() => done(0));
        } else if (!stopping) {
          stopping = true;
          log(`stopping: finishing ${worker.running} running job(s) (SIGTERM again hands them back)`);
          void worker.close().then(() => done(0));
        }
      };
      process.on("SIGTERM", () => stop(stopping));
      process.on("SIGINT", () => stop(true));
    });
  },
};

export default command;
