"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ProjectSummary } from "@/lib/projects/repo";
import { parseDesign } from "@/lib/graph/document";
import type { DesignDocument } from "@/lib/graph/types";
import { FilePickButton } from "../designer/FilePickButton";
import { ThemeToggle } from "../designer/ThemeToggle";

/** A file from disk as a design: a Trellis design JSON, else any manifest the importer reads. */
async function designFromFile(file: File): Promise<DesignDocument> {
  const text = await file.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (json && typeof json === "object" && "trellisVersion" in json) {
    const r = parseDesign(json);
    if (!r.ok) throw new Error(`${file.name} was not imported (${r.error.length} problem(s)): ${r.error.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    return r.value;
  }
  const { importManifest } = await import("@/lib/manifest");
  const m = await importManifest(text);
  if (!m.ok) throw new Error(`${file.name} was not imported: ${m.error.line ? `line ${m.error.line}, column ${m.error.column}: ` : ""}${m.error.message}`);
  return m.value.design;
}

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return json;
}

export function ProjectList({ initial, examples }: { initial: ProjectSummary[]; examples: { id: string; name: string }[] }) {
  const router = useRouter();
  const [projects, setProjects] = useState(initial);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);

  const refresh = async () => setProjects(await call<ProjectSummary[]>("/api/projects", "GET"));
  const guard = (f: () => Promise<void>) => async () => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <main className="projects-page" data-testid="project-list">
      <header className="projects-head">
        <div className="projects-title">
          <h1>Trellis</h1>
          <ThemeToggle />
        </div>
        <p>Design pipelines of Wasm components and containers, typed end to end.</p>
      </header>
      <div className="projects-actions">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void guard(async () => {
              const p = await call<{ id: string }>("/api/projects", "POST", { name: name.trim() || "Untitled design" });
              router.push(`/projects/${p.id}`);
            })();
          }}
        >
          <input data-testid="new-project-name" aria-label="New project name" placeholder="New project name" value={name} onChange={(e) => setName(e.target.value)} />
          <button data-testid="new-project" type="submit">
            New project
          </button>
        </form>
        <select
          data-testid="new-from-example"
          aria-label="New project from an example"
          value=""
          onChange={(e) => {
            const exampleId = e.target.value;
            if (!exampleId) return;
            void guard(async () => {
              const p = await call<{ id: string }>("/api/projects", "POST", { exampleId });
              router.push(`/projects/${p.id}`);
            })();
          }}
        >
          <option value="">New from example…</option>
          {examples.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
        <FilePickButton
          label="Import a design or manifest…"
          accept=".json,.yaml,.yml,.toml,application/json"
          testId="import-project"
          inputTestId="import-project-input"
          title="A Trellis design (.trellis.json), or a wasmCloud, Kubernetes, SpinApp, spin.toml or docker-compose file: it becomes a new project"
          onFile={(f) =>
            void guard(async () => {
              const doc = await designFromFile(f);
              const base = f.name.replace(/\.(trellis\.json|json|ya?ml|toml)$/i, "");
              const p = await call<{ id: string }>("/api/projects", "POST", { name: doc.name && doc.name !== "Imported design" ? doc.name : base, doc });
              router.push(`/projects/${p.id}`);
            })()
          }
        />
      </div>
      {error && (
        <div className="notice notice-error" data-testid="project-error">
          {error}
        </div>
      )}
      <table className="projects-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Nodes</th>
            <th>Wires</th>
            <th>Updated</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {projects.map((p) => (
            <tr key={p.id} data-testid="project-row" data-project-id={p.id} data-project-name={p.name}>
              <td>
                {renaming === p.id ? (
                  <input
                    autoFocus
                    data-testid="rename-input"
                    aria-label="Project name"
                    defaultValue={p.name}
                    onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
                    onBlur={(e) => {
                      const v = e.target.value;
                      setRenaming(null);
                      if (v.trim() && v !== p.name) void guard(async () => {
                        await call(`/api/projects/${p.id}`, "PATCH", { name: v });
                        await refresh();
                      })();
                    }}
                  />
                ) : (
                  <Link href={`/projects/${p.id}`} data-testid="open-project">
                    {p.name}
                  </Link>
                )}
              </td>
              <td>{p.nodeCount}</td>
              <td>{p.linkCount}</td>
              <td>{new Date(p.updatedAt).toLocaleString()}</td>
              <td className="row-actions">
                <button data-testid="rename-project" onClick={() => setRenaming(p.id)}>
                  Rename
                </button>
                <button
                  data-testid="duplicate-project"
                  onClick={guard(async () => {
                    await call(`/api/projects/${p.id}/duplicate`, "POST");
                    await refresh();
                  })}
                >
                  Duplicate
                </button>
                <button
                  data-testid="delete-project"
                  onClick={guard(async () => {
                    if (!window.confirm(`Delete "${p.name}"? This cannot be undone.`)) return;
                    await call(`/api/projects/${p.id}`, "DELETE");
                    await refresh();
                  })}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {projects.length === 0 && <p className="empty">No projects yet: create one or start from an example.</p>}
    </main>
  );
}
