// Server start-up: refuse to serve on a non-loopback address without
// TRELLIS_TOKEN (whatever started the server: scripts/start.mjs, a bare
// `next start -H 0.0.0.0`, a container), then start the compile job queue at
// once, so jobs interrupted by a restart are recovered and queued jobs run
// without waiting for the first jobs request.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { addressesToCheck, listenRefusal } = await import("./lib/server/listen");
    const refusal = listenRefusal(addressesToCheck(), process.env.TRELLIS_TOKEN);
    if (refusal) {
      console.error(refusal);
      process.exit(1);
    }
    if (process.env.TRELLIS_QUEUE) {
      // Compile workers on other machines: the queue must be reachable with these credentials, or the server does not start.
      const { checkRedis, parseQueueUrl } = await import("./lib/jobs/redis/connection");
      const target = parseQueueUrl(process.env.TRELLIS_QUEUE);
      const reached = target.ok ? await checkRedis(target.value) : target;
      if (!reached.ok) {
        console.error(`trellis: TRELLIS_QUEUE: ${reached.error.kind}: ${reached.error.message}`);
        process.exit(1);
      }
    }
    const { startJobQueue } = await import("./lib/jobs");
    const { dataDir, getDb, StoreCorrupt } = await import("./lib/db");
    // The integrity check runs when the store opens: a damaged file stops the start, untouched.
    try {
      getDb();
    } catch (e) {
      if (!(e instanceof StoreCorrupt)) throw e;
      console.error(`trellis: ${e.message}`);
      process.exit(1);
    }
    const queue = await startJobQueue();
    const { startSweeper } = await import("./lib/storage/storage");
    const { componentStore } = await import("./lib/components/http");
    const { projectRepo } = await import("./lib/server/projects");
    // Finished jobs past TRELLIS_JOB_RETENTION_DAYS go now and hourly after, and so do
    // uploaded components that old which no saved design uses.
    startSweeper(dataDir(), queue, 3600_000, {
      list: () => componentStore().list(),
      remove: (id) => componentStore().remove(id),
      inUse: () => projectRepo().uploadsInUse(),
    });
  }
}
