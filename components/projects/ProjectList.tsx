"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ProjectSummary } from "@/lib/projects/repo";

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
        <h1>Trellis</h1>
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
          <input data-testid="new-project-name" placeholder="New project name" value={name} onChange={(e) => setName(e.target.value)} />
          <button data-testid="new-project" type="submit">
            New project
          </button>
        </form>
        <select
          data-testid="new-from-example"
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
            <th />
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
