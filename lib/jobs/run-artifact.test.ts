import { parse } from "@bytecodealliance/jco";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactRunResponse, RUN_LIMITS } from "./run-artifact";
import type { Job, JobQueue } from "./types";

// WASI commands: one writes "hi\n" and exits, one writes 64 KiB blocks forever.
const HELLO = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\\10\\00\\00\\00\\03\\00\\00\\00")
  (data (i32.const 16) "hi\\n")
  (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;
const FLOOD = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "\\00\\01\\00\\00\\00\\00\\01\\00")
  (func (export "_start") (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))`;

let dir: string;
const jobs = new Map<string, Job>();
const queue = { get: (id: string) => jobs.get(id) ?? null, jobDir: (id: string) => join(dir, id) } as unknown as JobQueue;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trellis-artifact-run-"));
  for (const [id, wat] of [["hello", HELLO], ["flood", FLOOD]] as const) {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, "m.wasm"), await parse(wat));
    jobs.set(id, { id, state: "succeeded", result: { produced: { kind: "wasm-module", file: "m.wasm" } } } as unknown as Job);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const post = (accept = "application/json") => new Request("http://127.0.0.1/api/jobs/x/run", { method: "POST", headers: { accept } });

describe("POST /api/jobs/:id/run", () => {
  it("answers a run as JSON", async () => {
    const r = (await (await artifactRunResponse(post(), queue, "hello", { args: [] })).json()) as { stdout: string; exitCode: number; truncated: boolean };
    expect(r).toMatchObject({ stdout: "hi\n", exitCode: 0, truncated: false });
  });

  it("stops a guest that floods output at the cap instead of buffering it until the time limit", async () => {
    const r = (await (await artifactRunResponse(post(), queue, "flood", {})).json()) as { stdout: string; truncated: boolean; timedOut: boolean };
    expect(r.truncated).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.stdout.length).toBe(RUN_LIMITS.maxOutputBytes);
  });

  it("streams output as SSE events, then the exit", async () => {
    const res = await artifactRunResponse(post("text/event-stream"), queue, "hello", {});
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/^event: (.+)\ndata: (.+)$/gm)].map((m) => [m[1], JSON.parse(m[2]!)]);
    expect(events[0]).toEqual(["output", { stream: "stdout", text: "hi\n" }]);
    expect(events.at(-1)![0]).toBe("exit");
    expect(events.at(-1)![1]).toMatchObject({ exitCode: 0, truncated: false });
    expect(events.at(-1)![1]).not.toHaveProperty("stdout");
  });

  it("caps concurrent artifact runs (429 busy), and frees the slot after", async () => {
    const first = artifactRunResponse(post(), queue, "flood", {}, 1);
    const second = await artifactRunResponse(post(), queue, "hello", {}, 1);
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { kind: string } }).error.kind).toBe("busy");
    await (await first).json();
    expect((await artifactRunResponse(post(), queue, "hello", {}, 1)).status).toBe(200);
  });
});
