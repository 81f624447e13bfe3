// Local drafts in IndexedDB: edits the server may not have yet survive a closed
// tab, a crash or a dead server, and are offered back when the project reopens.
import type { Draft, DraftStore } from "./autosave";

const DB = "trellis-drafts";
const STORE = "drafts";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = run(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** Returns null where IndexedDB is unavailable (private modes, old browsers). */
export function idbDrafts(): (DraftStore & { get(projectId: string): Promise<Draft | undefined> }) | null {
  if (typeof indexedDB === "undefined") return null;
  // Writes are chained so a delete never overtakes an earlier put.
  let chain: Promise<unknown> = Promise.resolve();
  const queue = <T>(f: () => Promise<T>): Promise<T> => {
    const p = chain.then(f, f);
    chain = p.catch(() => undefined);
    return p;
  };
  return {
    put: (id, d) => queue(() => tx("readwrite", (s) => s.put(d, id))).then(() => undefined, () => undefined),
    delete: (id) => queue(() => tx("readwrite", (s) => s.delete(id))).then(() => undefined, () => undefined),
    get: (id) => queue(() => tx<Draft | undefined>("readonly", (s) => s.get(id) as IDBRequest<Draft | undefined>)).catch(() => undefined),
  };
}
