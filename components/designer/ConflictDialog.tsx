"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { DesignDocument } from "@/lib/graph/types";
import { Modal } from "./Modal";
import { useDesigner, useDesignerStore } from "./store-context";

interface ServerCopy {
  doc: DesignDocument;
  revision: number;
  updatedAt: string;
}

function Side({ title, doc, detail, testId }: { title: string; doc: DesignDocument; detail: string; testId: string }) {
  return (
    <div className="conflict-side" data-testid={testId}>
      <h3>{title}</h3>
      <p>
        <b data-testid={`${testId}-name`}>{doc.name}</b> — <span data-testid={`${testId}-nodes`}>{doc.topology.nodes.length}</span> nodes,{" "}
        {doc.topology.links.length} wires
      </p>
      <p className="muted">{detail}</p>
      <ul className="conflict-nodes">
        {doc.topology.nodes.slice(0, 12).map((n) => (
          <li key={n.id}>{n.name}</li>
        ))}
        {doc.topology.nodes.length > 12 && <li>…</li>}
      </ul>
    </div>
  );
}

/** Shown on 409: the server has a newer revision. Both sides, and three ways out. */
export function ConflictDialog() {
  const store = useDesignerStore();
  const conflict = useDesigner((s) => s.conflict);
  const mine = useDesigner((s) => s.doc);
  const projectId = useDesigner((s) => s.projectId);
  const router = useRouter();
  const [theirs, setTheirs] = useState<ServerCopy | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!conflict) return;
    let cancelled = false;
    setTheirs(null);
    fetch(`/api/projects/${projectId}`)
      .then((r) => (r.ok ? (r.json() as Promise<ServerCopy>) : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((p) => !cancelled && setTheirs(p))
      .catch((e: unknown) => !cancelled && setError(`could not load the server's copy: ${(e as Error).message}`));
    return () => {
      cancelled = true;
    };
  }, [conflict, projectId]);

  if (!conflict) return null;
  const saveCopy = async () => {
    const res = await fetch("/api/projects", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: `${mine.name} (my edits)`, doc: mine }),
    });
    const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { message?: string } };
    if (!res.ok || !body.id) return setError(body.error?.message ?? `HTTP ${res.status}`);
    // This project goes back to the server's version; the edits live on in the copy.
    if (theirs) store.getState().takeTheirs(theirs.doc, theirs.revision);
    router.push(`/projects/${body.id}`);
  };
  return (
    <Modal title="This project changed elsewhere" testId="conflict" onClose={() => undefined} wide>
      <p>{conflict.message}. Choose which version to keep.</p>
      <div className="conflict-sides">
        <Side title="Your edits" doc={mine} detail="in this window, not saved" testId="conflict-mine" />
        {theirs ? (
          <Side title={`On the server (revision ${theirs.revision})`} doc={theirs.doc} detail={`saved ${new Date(theirs.updatedAt).toLocaleString()}`} testId="conflict-theirs" />
        ) : (
          <div className="conflict-side">loading the server's copy…</div>
        )}
      </div>
      {error && <p className="error" data-testid="conflict-error">{error}</p>}
      <div className="modal-actions">
        <button className="primary" data-testid="conflict-keep-mine" disabled={!theirs} onClick={() => theirs && store.getState().keepMine(theirs.revision)}>
          Keep mine (overwrite)
        </button>
        <button data-testid="conflict-reload" disabled={!theirs} onClick={() => theirs && store.getState().takeTheirs(theirs.doc, theirs.revision)}>
          Reload theirs (drop mine)
        </button>
        <button data-testid="conflict-save-copy" onClick={() => void saveCopy()}>
          Save mine as a copy
        </button>
      </div>
    </Modal>
  );
}
