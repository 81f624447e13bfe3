// Server start-up: start the compile job queue at once, so jobs interrupted by
// a restart are marked failed-and-retryable and queued jobs run without
// waiting for the first jobs request.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getJobQueue } = await import("./lib/jobs");
    getJobQueue();
  }
}
