import { describe, expect, it } from "vitest";
import { JobListeners } from "./job-listeners";
import type { JobEvent } from "./types";

const removed = (jobId: string): JobEvent => ({ type: "removed", jobId });

describe("JobListeners", () => {
  it("delivers a job's events to its listeners and to '*', until they unsubscribe", () => {
    const l = new JobListeners();
    const a: string[] = [];
    const all: string[] = [];
    const offA = l.subscribe("a", (e) => a.push(e.jobId));
    l.subscribe("*", (e) => all.push(e.jobId));
    l.emit(removed("a"));
    l.emit(removed("b"));
    offA();
    l.emit(removed("a"));
    expect(a).toEqual(["a"]);
    expect(all).toEqual(["a", "b", "a"]);
  });

  it("a listener that throws does not stop the others", () => {
    const l = new JobListeners();
    const got: string[] = [];
    l.subscribe("a", () => {
      throw new Error("closed stream");
    });
    l.subscribe("a", (e) => got.push(e.type));
    expect(() => l.emit(removed("a"))).not.toThrow();
    expect(got).toEqual(["removed"]);
  });
});
