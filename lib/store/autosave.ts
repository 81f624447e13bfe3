// Autosave for one designer store: debounced saves, one request in flight, the
// newest document wins. Edits are never dropped: leaving flushes at once, network
// errors retry with backoff, a refused save keeps the edits until the user retries,
// a conflict waits for the user's choice, and a local draft is kept until the
// server has the document.
import type { DesignDocument } from "../graph/types";
import type { DesignerStore } from "./designer-store";

/** Why a save failed; decides what autosave does next. */
export type SaveFailure =
  | { kind: "network"; message: string }
  | { kind: "refused"; status: number; message: string }
  | { kind: "conflict"; current: number; message: string };

export class SaveError extends Error {
  constructor(readonly failure: SaveFailure) {
    super(failure.message);
  }
}

/**
 * `baseName`: the name the server last had from us, so a rename made elsewhere survives our save.
 * `saveId` names this attempt; `unsure` lists earlier attempts over the same base whose answers never came
 * (the server may have committed them), so the server does not report our own save as a conflict.
 */
export type SaveFn = (
  doc: DesignDocument,
  baseRevision: number,
  opts: { keepalive: boolean; baseName: string; saveId: string; unsure: string[] },
) => Promise<{ revision: number }>;

/** A local copy of edits the server may not have yet (IndexedDB in the browser). */
export interface DraftStore {
  put(projectId: string, draft: Draft): Promise<void> | void;
  delete(projectId: string): Promise<void> | void;
}

export interface Draft {
  doc: DesignDocument;
  baseRevision: number;
  savedAt: string;
}

export interface AutosaveOptions {
  delayMs?: number;
  drafts?: DraftStore;
  /** Backoff after the n-th consecutive network error (n from 1). */
  backoffMs?: (n: number) => number;
}

export interface Autosave {
  /** Sends pending edits now (keepalive: survives the page going away). */
  flushNow(opts?: { keepalive?: boolean }): void;
  /** Stops listening; pending edits are flushed first, never dropped. */
  dispose(): void;
}

export const defaultBackoff = (n: number) => Math.min(30_000, 1000 * 2 ** Math.min(n - 1, 5));

function failureOf(e: unknown): SaveFailure {
  if (e instanceof SaveError) return e.failure;
  // fetch rejects with a TypeError when the server is unreachable.
  return { kind: "network", message: (e as Error)?.message ?? String(e) };
}

export function attachAutosave(store: DesignerStore, save: SaveFn, opts: AutosaveOptions | number = {}): Autosave {
  const o: AutosaveOptions = typeof opts === "number" ? { delayMs: opts } : opts;
  const delayMs = o.delayMs ?? 500;
  const backoff = o.backoffMs ?? defaultBackoff;
  const projectId = store.getState().projectId;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let again = false;
  let failures = 0;
  let disposed = false;
  /** The document the server is known to have. */
  let savedDoc = store.getState().doc;
  /** Attempts since the last sure answer that may or may not have been committed. */
  let unsure: string[] = [];
  let attempt = 0;
  const nextSaveId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${++attempt}`;

  const dirty = () => store.getState().doc !== savedDoc;
  const clearTimer = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const schedule = (ms: number) => {
    clearTimer();
    if (!disposed) timer = setTimeout(() => void flush(false), ms);
  };

  const flush = async (keepalive: boolean) => {
    clearTimer();
    if (store.getState().conflict) return; // waits for the user's choice
    if (!dirty()) {
      if (store.getState().saveStatus !== "saved" && !inFlight) store.getState().markSaved(store.getState().revision);
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const s = store.getState();
    const doc = s.doc;
    s.markSaving();
    const saveId = nextSaveId();
    try {
      const r = await save(doc, s.revision, { keepalive, baseName: savedDoc.name, saveId, unsure: [...unsure] });
      unsure = [];
      failures = 0;
      savedDoc = doc;
      store.getState().markSaved(r.revision);
      if (!dirty()) await o.drafts?.delete(projectId);
    } catch (e) {
      const f = failureOf(e);
      if (f.kind === "network") unsure = [...unsure, saveId].slice(-32);
      else unsure = [];
      if (f.kind === "network") {
        failures++;
        const wait = backoff(failures);
        store.getState().markSaveError(`${f.message} — retrying in ${Math.round(wait / 1000)} s`, "network");
        schedule(wait);
      } else if (f.kind === "conflict") {
        store.getState().markConflict(f.current, f.message);
      } else {
        store.getState().markSaveError(f.message, "refused");
      }
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        void flush(false);
      }
    }
  };

  const unsub = store.subscribe((s, prev) => {
    if (s.saveRequest !== prev.saveRequest) {
      failures = 0;
      void flush(false);
      return;
    }
    if (prev.conflict && !s.conflict) {
      // The user took the server's document: that is what the server has.
      savedDoc = s.doc;
      void o.drafts?.delete(projectId);
      return;
    }
    if (s.doc === prev.doc) return;
    if (s.conflict) {
      void o.drafts?.put(projectId, { doc: s.doc, baseRevision: s.revision, savedAt: new Date().toISOString() });
      return;
    }
    void o.drafts?.put(projectId, { doc: s.doc, baseRevision: s.revision, savedAt: new Date().toISOString() });
    if (s.saveStatus !== "error" || s.saveErrorKind !== "network") store.getState().markSaving();
    // While the server is unreachable the backoff timer decides when to try again.
    if (failures === 0) schedule(delayMs);
  });

  return {
    flushNow({ keepalive = false } = {}) {
      void flush(keepalive);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      unsub();
      // Leaving the designer (in-app navigation) must not drop the pending edit.
      if (dirty()) void flush(true);
      else clearTimer();
    },
  };
}
