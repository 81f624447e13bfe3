// The browser side of PUT /api/projects/:id, mapping answers to typed save failures.
import type { DesignDocument } from "../graph/types";
import { SaveError } from "./autosave";

export async function saveDesign(
  projectId: string,
  doc: DesignDocument,
  baseRevision: number,
  opts: { keepalive: boolean; baseName?: string; saveId?: string; unsure?: string[] },
): Promise<{ revision: number }> {
  const body = JSON.stringify({ doc, baseRevision, baseName: opts.baseName, saveId: opts.saveId, unsure: opts.unsure });
  let res: Response;
  try {
    // keepalive bodies are capped at 64 KiB by browsers; bigger ones go as a plain request.
    res = await fetch(`/api/projects/${projectId}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body,
      keepalive: opts.keepalive && body.length < 60_000,
    });
  } catch (e) {
    throw new SaveError({ kind: "network", message: `the server is unreachable (${(e as Error).message})` });
  }
  const answer = (await res.json().catch(() => ({}))) as { revision?: number; error?: { kind?: string; message?: string; current?: number } };
  if (res.ok && typeof answer.revision === "number") return { revision: answer.revision };
  const message = answer.error?.message ?? `HTTP ${res.status}`;
  if (res.status === 409 && typeof answer.error?.current === "number") throw new SaveError({ kind: "conflict", current: answer.error.current, message });
  // A proxy or a restarting server: try again later.
  if (res.status >= 500 || res.status === 0 || res.ok) throw new SaveError({ kind: "network", message });
  throw new SaveError({ kind: "refused", status: res.status, message });
}
