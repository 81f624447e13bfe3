// The browser side of GET /api/projects/:id/document (the designer's read of a design).
import type { DesignDocument } from "../graph/types";

/** Also the URL the designer page preloads, so the fetch below finds the answer on its way. */
export const documentUrl = (projectId: string) => `/api/projects/${encodeURIComponent(projectId)}/document`;

export type LoadedDesign = { state: "ok"; doc: DesignDocument; revision: number } | { state: "missing" } | { state: "failed"; message: string };

export async function loadDesign(projectId: string): Promise<LoadedDesign> {
  try {
    const res = await fetch(documentUrl(projectId));
    if (res.status === 404) return { state: "missing" };
    if (!res.ok) return { state: "failed", message: `the server answered ${res.status}` };
    const p = (await res.json()) as { doc: DesignDocument; revision: number };
    return { state: "ok", doc: p.doc, revision: p.revision };
  } catch (e) {
    return { state: "failed", message: (e as Error).message };
  }
}
