// Who listens to which job (SSE streams, the CLI's wait): one registry shared by
// the embedded queue and the Redis queue, keyed by job id or "*" for all jobs.
import type { JobEvent } from "./types";

export class JobListeners {
  private readonly byJob = new Map<string, Set<(e: JobEvent) => void>>();

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    let set = this.byJob.get(id);
    if (!set) this.byJob.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.byJob.delete(id);
    };
  }

  emit(e: JobEvent): void {
    for (const key of [e.jobId, "*"]) {
      for (const l of this.byJob.get(key) ?? []) {
        try {
          l(e);
        } catch {
          // A failing listener (a closed SSE stream) must not break the queue.
        }
      }
    }
  }
}
