import { describe, expect, it } from "vitest";
import { cancellable, jobDirIn, removable, retryable } from "./job-rules";
import type { Job, JobState } from "./types";

const job = (state: JobState) => ({ id: "j1", state }) as Job;

describe("job rules shared by both queues", () => {
  it("cancel takes queued and running jobs, retry failed and cancelled ones, remove anything not running", () => {
    const states: JobState[] = ["queued", "running", "succeeded", "failed", "cancelled"];
    const okIn = (rule: typeof cancellable) => states.filter((s) => rule(job(s), "j1").ok);
    expect(okIn(cancellable)).toEqual(["queued", "running"]);
    expect(okIn(retryable)).toEqual(["failed", "cancelled"]);
    expect(okIn(removable)).toEqual(["succeeded", "failed", "cancelled"]);
    for (const rule of [cancellable, retryable, removable]) expect(rule(undefined, "nope")).toMatchObject({ ok: false, error: { kind: "not-found", jobId: "nope" } });
    expect(retryable(job("running"), "j1")).toMatchObject({ ok: false, error: { kind: "invalid-state" } });
  });

  it("a job directory is only made from a plain id", () => {
    expect(jobDirIn("/data", "abc-1_2")).toBe("/data/jobs/abc-1_2");
    for (const bad of ["../x", "a/b", "", "x".repeat(65)]) expect(() => jobDirIn("/data", bad)).toThrow(/invalid job id/);
  });
});
