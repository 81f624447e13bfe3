import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DesignDocument } from "../graph/types";
import { attachAutosave, SaveError, type Draft, type SaveFn } from "./autosave";
import { createDesignerStore } from "./designer-store";

const sample = (): DesignDocument => JSON.parse(readFileSync("examples/thumbnail-service.json", "utf8"));
const make = () => createDesignerStore({ projectId: "p", doc: sample(), revision: 1 });

function memDrafts() {
  const m = new Map<string, Draft>();
  return { m, put: (id: string, d: Draft) => void m.set(id, d), delete: (id: string) => void m.delete(id) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("autosave never drops an edit", () => {
  it("leaving the designer flushes a pending edit at once, with keepalive", async () => {
    const s = make();
    const save = vi.fn<SaveFn>(async () => ({ revision: 2 }));
    const a = attachAutosave(s, save, { delayMs: 500 });
    s.getState().rename("edited just before leaving");
    a.dispose(); // well before the debounce fires
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0]![0].name).toBe("edited just before leaving");
    expect(save.mock.calls[0]![2]).toMatchObject({ keepalive: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it("flushNow (pagehide) sends the pending edit with keepalive", async () => {
    const s = make();
    const save = vi.fn<SaveFn>(async () => ({ revision: 2 }));
    const a = attachAutosave(s, save, { delayMs: 500 });
    s.getState().rename("x");
    a.flushNow({ keepalive: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(save.mock.calls.map((c) => c[2]?.keepalive)).toEqual([true]);
    a.dispose();
  });

  it("a retry after a lost answer names the unsure attempts, so the server can tell it from a conflict", async () => {
    const s = make();
    const calls: { base: number; saveId: string; unsure: string[] }[] = [];
    // The first attempt is committed but its answer is lost; the second never reaches the server; the third lands.
    const save = vi.fn<SaveFn>(async (_doc, base, o) => {
      calls.push({ base, saveId: o.saveId, unsure: o.unsure });
      if (calls.length <= 2) throw new SaveError({ kind: "network", message: "connection reset" });
      return { revision: 3 };
    });
    const a = attachAutosave(s, save, { delayMs: 10, backoffMs: () => 100 });
    s.getState().rename("edit whose answer was lost");
    await vi.advanceTimersByTimeAsync(20);
    await vi.advanceTimersByTimeAsync(100);
    s.getState().rename("and one more edit");
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.map((c) => c.base)).toEqual([1, 1, 1]);
    expect(new Set(calls.map((c) => c.saveId)).size).toBe(3);
    expect(calls.map((c) => c.unsure)).toEqual([[], [calls[0]!.saveId], [calls[0]!.saveId, calls[1]!.saveId]]);
    expect(s.getState()).toMatchObject({ saveStatus: "saved", revision: 3 });
    // A sure answer clears the list.
    s.getState().rename("later");
    await vi.advanceTimersByTimeAsync(20);
    expect(calls[3]).toMatchObject({ base: 3, unsure: [] });
    a.dispose();
  });

  it("retries a network error with backoff until the server answers", async () => {
    const s = make();
    let calls = 0;
    const save = vi.fn<SaveFn>(async () => {
      if (++calls <= 2) throw new SaveError({ kind: "network", message: "unreachable" });
      return { revision: 2 };
    });
    const a = attachAutosave(s, save, { delayMs: 10, backoffMs: (n) => 100 * n });
    s.getState().rename("offline edit");
    await vi.advanceTimersByTimeAsync(20);
    expect(s.getState()).toMatchObject({ saveStatus: "error", saveErrorKind: "network" });
    await vi.advanceTimersByTimeAsync(100); // first retry fails too
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(3);
    expect(s.getState()).toMatchObject({ saveStatus: "saved", revision: 2 });
    a.dispose();
  });

  it("a refused save (400) keeps the edits and does not retry until asked", async () => {
    const s = make();
    let refuse = true;
    const save = vi.fn<SaveFn>(async () => {
      if (refuse) throw new SaveError({ kind: "refused", status: 400, message: "bad" });
      return { revision: 2 };
    });
    const a = attachAutosave(s, save, { delayMs: 10 });
    s.getState().rename("kept");
    await vi.advanceTimersByTimeAsync(5000);
    expect(save).toHaveBeenCalledTimes(1);
    expect(s.getState()).toMatchObject({ saveStatus: "error", saveErrorKind: "refused", saveError: "bad" });
    expect(s.getState().doc.name).toBe("kept");
    refuse = false;
    s.getState().requestSave();
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledTimes(2);
    expect(s.getState()).toMatchObject({ saveStatus: "saved", revision: 2 });
    a.dispose();
  });

  it("keeps a local draft until the server has the document", async () => {
    const s = make();
    const drafts = memDrafts();
    let fail = true;
    const save = vi.fn<SaveFn>(async () => {
      if (fail) throw new SaveError({ kind: "network", message: "down" });
      return { revision: 2 };
    });
    const a = attachAutosave(s, save, { delayMs: 10, drafts, backoffMs: () => 100 });
    s.getState().rename("draft");
    expect(drafts.m.get("p")).toMatchObject({ baseRevision: 1, doc: { name: "draft" } });
    await vi.advanceTimersByTimeAsync(20);
    expect(drafts.m.has("p")).toBe(true);
    fail = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(s.getState().saveStatus).toBe("saved");
    expect(drafts.m.has("p")).toBe(false);
    a.dispose();
  });

  it("a conflict waits for the user: keep mine saves over the new revision", async () => {
    const s = make();
    const save = vi.fn<SaveFn>(async (_d, base) => {
      if (base < 5) throw new SaveError({ kind: "conflict", current: 5, message: "changed elsewhere" });
      return { revision: 6 };
    });
    const a = attachAutosave(s, save, { delayMs: 10 });
    s.getState().rename("mine");
    await vi.advanceTimersByTimeAsync(20);
    expect(s.getState()).toMatchObject({ saveStatus: "conflict", conflict: { current: 5 } });
    s.getState().rename("mine 2"); // more edits while the dialog is open are not sent
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledTimes(1);
    s.getState().keepMine(5);
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledTimes(2);
    expect(save.mock.calls[1]![1]).toBe(5);
    expect(save.mock.calls[1]![0].name).toBe("mine 2");
    expect(s.getState()).toMatchObject({ saveStatus: "saved", revision: 6 });
    a.dispose();
  });

  it("a conflict resolved by taking theirs saves nothing more", async () => {
    const s = make();
    const save = vi.fn<SaveFn>(async () => {
      throw new SaveError({ kind: "conflict", current: 3, message: "changed" });
    });
    const drafts = memDrafts();
    const a = attachAutosave(s, save, { delayMs: 10, drafts });
    s.getState().rename("mine");
    await vi.advanceTimersByTimeAsync(20);
    const theirs = { ...sample(), name: "theirs" };
    s.getState().takeTheirs(theirs, 3);
    await vi.advanceTimersByTimeAsync(1000);
    a.dispose();
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledTimes(1);
    expect(s.getState()).toMatchObject({ saveStatus: "saved", revision: 3, doc: { name: "theirs" } });
    expect(drafts.m.has("p")).toBe(false);
  });
});
