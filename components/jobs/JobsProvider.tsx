"use client";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiFailure, registryApi, uploadImage, watchAllJobs } from "@/lib/jobs/client";
import type { PullDetail } from "@/lib/jobs/handlers";
import type { Job } from "@/lib/jobs/types";
import { freeSpot } from "@/lib/graph/factory";
import { WELL_KNOWN_HTTP_PORTS, witPort } from "@/lib/graph/ports";
import type { Port } from "@/lib/graph/types";
import { useCanvasPainted } from "../designer/canvas-painted";
import { useDesignerStore } from "../designer/store-context";

export interface Upload {
  key: string;
  fileName: string;
  loaded: number;
  total: number;
  percent: number | null;
  state: "uploading" | "failed" | "cancelled";
  error?: string;
  abort: () => void;
}

interface JobsValue {
  jobs: Job[];
  uploads: Upload[];
  startUpload(file: File, at?: { x: number; y: number }, platform?: string): void;
  /** Adds a container node for `reference` and starts the job that pulls and compiles it; resolves to an error message or null. */
  startPull(reference: string, platform?: string): Promise<string | null>;
  /** Compile option for the next uploads and pulls: a start-up snapshot of native images (off by default). */
  snapshot: boolean;
  setSnapshot(on: boolean): void;
  /** Per-layer bytes of jobs that are pulling (live, from the progress events). */
  pullDetails: Map<string, PullDetail>;
  dismissUpload(key: string): void;
  reportJobId: string | null;
  openReport(jobId: string | null): void;
}

const JobsContext = createContext<JobsValue | null>(null);

export function useJobs(): JobsValue {
  const v = useContext(JobsContext);
  if (!v) throw new Error("useJobs outside JobsProvider");
  return v;
}

interface CompileResult {
  produced?: { kind: "wasm-module" | "wasm-component" | "native-artifact"; wit?: string; native?: { details?: Record<string, unknown> } };
  image?: { names?: string[]; config?: { exposedPorts?: string[] } };
}

/** WIT ports of a compile's artifact: a component's world; a native command runs as `wasi:cli/run`. */
async function artifactPorts(result: CompileResult): Promise<{ ports: Port[]; wit?: string; world?: string }> {
  const p = result.produced;
  if (p?.kind === "wasm-component" && p.wit) {
    // The WIT analyzer is not in the designer's first load (lib/store/wit-support.ts).
    const { analyzeWit } = await import("@/lib/wit");
    const a = analyzeWit(p.wit);
    return { ports: a.ports, wit: p.wit, world: a.world?.name };
  }
  if (p?.kind === "native-artifact") return { ports: [witPort("export", "wasi:cli/run@0.2.0")] };
  return { ports: [] };
}

const baseName = (f: string) => f.replace(/\.(tar\.gz|tgz|tar|oci)$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-") || "image";

export function JobsProvider({ children }: { children: ReactNode }) {
  const store = useDesignerStore();
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [pullDetails, setPullDetails] = useState<Map<string, PullDetail>>(new Map());
  const [snapshot, setSnapshot] = useState(false);
  const [reportJobId, openReport] = useState<string | null>(null);
  const handled = useRef(new Set<string>());

  // A finished compile converts the node that uploaded it, once.
  const onFinished = useCallback(
    async (job: Job) => {
      if (job.state !== "succeeded" || handled.current.has(job.id)) return;
      handled.current.add(job.id);
      const s = store.getState();
      const node = s.doc.topology.nodes.find((n) => n.config.compile?.jobId === job.id);
      if (!node || node.kind !== "container" || node.config.compile?.keepContainer) return;
      const res = await fetch(`/api/jobs/${job.id}`);
      const body = (await res.json()) as { job: Job; report: (CompileResult & { image?: { names?: string[] } }) | null };
      const result = { ...(job.result as CompileResult), image: body.report?.image };
      const { ports, wit, world } = await artifactPorts(result);
      const exposed = (result.image?.config?.exposedPorts ?? [])
        .map((e) => /^(\d+)\/(tcp|udp)$/.exec(e))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => ({ port: Number(m[1]), protocol: m[2] as "tcp" | "udp" }))
        // a port the user marked HTTP stays so; a native image's well-known HTTP port is taken as HTTP (its guest serves it)
        .map((e) => (e.protocol === "tcp" && (node.config.exposedPorts.some((x) => x.port === e.port && x.http) || (result.produced?.kind === "native-artifact" && WELL_KNOWN_HTTP_PORTS.includes(e.port))) ? { ...e, http: true } : e));
      if (exposed.length) s.updateNode(node.id, { config: { exposedPorts: exposed } });
      const originalImage = result.image?.names?.[0];
      const http = result.produced?.native?.details?.httpComponent as { file?: unknown; port?: unknown } | undefined;
      const httpComponent = typeof http?.file === "string" && typeof http.port === "number" ? { file: http.file, port: http.port } : undefined;
      store.getState().convertToCompiled(node.id, { jobId: job.id, witPorts: ports, wit, world, originalImage, ...(httpComponent ? { httpComponent } : {}) });
      store.getState().notify({ level: "info", message: `${node.name} compiled to Wasm and is now a compiled container (undo, or "Keep as container" in the inspector, to keep it as a container)`, nodeIds: [node.id] });
    },
    [store],
  );

  const { painted } = useCanvasPainted();
  useEffect(
    () =>
      !painted
        ? undefined
        : watchAllJobs({
        snapshot: (list) => {
          setJobs(new Map(list.map((j) => [j.id, j])));
          for (const j of list) void onFinished(j);
        },
        state: (job) => {
          setJobs((m) => new Map(m).set(job.id, job));
          void onFinished(job);
          // A compile that fails while the user watches: say so at its node.
          const node = job.state === "failed" ? store.getState().doc.topology.nodes.find((n) => n.config.compile?.jobId === job.id) : undefined;
          if (node) store.getState().notify({ level: "error", kind: job.error?.kind ?? "compile-failed", message: `${node.name}: ${job.error?.message ?? "the compile failed"}`, nodeIds: [node.id], anchor: undefined });
        },
        progress: (jobId, stage, percent, detail) => {
          setJobs((m) => {
            const j = m.get(jobId);
            return j ? new Map(m).set(jobId, { ...j, stage, percent }) : m;
          });
          if (detail && (detail as PullDetail).kind === "pull") setPullDetails((m) => new Map(m).set(jobId, detail as PullDetail));
        },
      }),
    [onFinished, store, painted],
  );

  const startUpload = useCallback(
    (file: File, at?: { x: number; y: number }, platform?: string) => {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
      const ctrl = new AbortController();
      const patch = (p: Partial<Upload>) => setUploads((us) => us.map((u) => (u.key === key ? { ...u, ...p } : u)));
      setUploads((us) => [...us, { key, fileName: file.name, loaded: 0, total: file.size, percent: 0, state: "uploading", abort: () => ctrl.abort() }]);
      uploadImage(file, { platform, snapshot, signal: ctrl.signal, onProgress: (p) => patch({ loaded: p.loaded, total: p.total, percent: p.percent }) })
        .then(({ jobId, job }) => {
          setUploads((us) => us.filter((u) => u.key !== key));
          setJobs((m) => (m.has(jobId) ? m : new Map(m).set(jobId, job)));
          const s = store.getState();
          const id = s.addFromTemplate(
            { kind: "container", name: baseName(file.name), config: { image: file.name, exposedPorts: [], compile: { jobId } } },
            at ?? freeSpot(s.doc.topology.nodes),
          );
          if (id) s.notify({ level: "info", message: `${file.name} uploaded; compiling (job ${jobId})`, nodeIds: [id] });
        })
        .catch((e: unknown) => {
          const cancelled = e instanceof ApiFailure && e.error.kind === "aborted";
          const message = e instanceof Error ? e.message : String(e);
          patch({ state: cancelled ? "cancelled" : "failed", error: message });
          if (!cancelled) store.getState().notify({ level: "error", kind: e instanceof ApiFailure ? e.error.kind : "upload-failed", message: `${file.name}: ${message}`, anchor: "palette" });
        });
    },
    [store, snapshot],
  );

  const startPull = useCallback(
    async (reference: string, platform?: string): Promise<string | null> => {
      try {
        const { jobId, job } = await registryApi.pull(reference, platform, "", { snapshot });
        // The SSE stream may already have told us more (running, progress) than this answer.
        setJobs((m) => (m.has(jobId) ? m : new Map(m).set(jobId, job)));
        const canonical = String(job.params.reference ?? reference);
        const s = store.getState();
        const name = canonical.replace(/@.*$/, "").split("/").pop()!.replace(/:.*$/, "") || "image";
        const id = s.addFromTemplate({ kind: "container", name, config: { image: canonical, exposedPorts: [], compile: { jobId } } }, freeSpot(s.doc.topology.nodes));
        if (id) s.notify({ level: "info", message: `pulling ${canonical}; it compiles once pulled (job ${jobId})`, nodeIds: [id] });
        return null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
    [store, snapshot],
  );

  const dismissUpload = useCallback((key: string) => setUploads((us) => us.filter((u) => u.key !== key)), []);

  const value = useMemo<JobsValue>(
    () => ({ jobs: [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)), uploads, startUpload, startPull, snapshot, setSnapshot, pullDetails, dismissUpload, reportJobId, openReport }),
    [jobs, uploads, startUpload, startPull, snapshot, pullDetails, dismissUpload, reportJobId],
  );
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

/** Percent per node id for nodes whose compile is still running (the canvas draws a ring). */
export function useNodeProgress(nodes: { id: string; config: { compile?: { jobId: string } } }[]): Map<string, number> | undefined {
  const { jobs } = useJobs();
  return useMemo(() => {
    const active = new Map(jobs.filter((j) => j.state === "queued" || j.state === "running").map((j) => [j.id, j.percent]));
    if (active.size === 0) return undefined;
    const m = new Map<string, number>();
    for (const n of nodes) {
      const p = n.config.compile && active.get(n.config.compile.jobId);
      if (p !== undefined) m.set(n.id, p);
    }
    return m;
  }, [jobs, nodes]);
}

export interface NodeFailure {
  jobId: string;
  kind: string;
  message: string;
}

/** Nodes whose image compile failed: the canvas marks them and Problems counts them. */
export function useNodeFailures(nodes: { id: string; config: { compile?: { jobId: string } } }[]): Map<string, NodeFailure> | undefined {
  const { jobs } = useJobs();
  return useMemo(() => {
    const failed = new Map(jobs.filter((j) => j.state === "failed").map((j) => [j.id, j]));
    if (failed.size === 0) return undefined;
    const m = new Map<string, NodeFailure>();
    for (const n of nodes) {
      const j = n.config.compile && failed.get(n.config.compile.jobId);
      if (j) m.set(n.id, { jobId: j.id, kind: j.error?.kind ?? "failed", message: j.error?.message ?? "the compile failed" });
    }
    return m.size ? m : undefined;
  }, [jobs, nodes]);
}
