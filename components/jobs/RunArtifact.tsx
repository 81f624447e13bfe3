"use client";
import { useEffect, useRef, useState } from "react";
import { jobsApi } from "@/lib/jobs/client";
import { readSse } from "../read-sse";
import { splitArgs } from "./args";
import type { WorkerMessage, WorkerRequest } from "./wasi-worker";

interface Line {
  stream: "stdout" | "stderr" | "status";
  text: string;
}

/** Runs a compiled container's WASI command: on the server, or in this browser. */
export function RunArtifact({ jobId, defaultArgs }: { jobId: string; defaultArgs: string }) {
  const [argLine, setArgLine] = useState(defaultArgs);
  const [stdin, setStdin] = useState("");
  const [lines, setLines] = useState<Line[]>([]);
  const [busy, setBusy] = useState<null | "server" | "browser">(null);
  const [exit, setExit] = useState<string | null>(null);
  const worker = useRef<Worker | null>(null);
  useEffect(() => () => worker.current?.terminate(), []);

  const args = () => {
    const r = splitArgs(argLine);
    if (!r.ok) {
      setLines([{ stream: "stderr", text: `arguments: ${r.error}\n` }]);
      return null;
    }
    return r.args;
  };

  const runOnServer = async () => {
    const a = args();
    if (!a) return;
    setBusy("server");
    setLines([{ stream: "status", text: "running on the server…\n" }]);
    setExit(null);
    try {
      const res = await fetch(`/api/jobs/${jobId}/run`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ args: a, stdin }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message: string } };
        throw new Error(body.error?.message ?? `HTTP ${res.status}`);
      }
      // Output shows as the guest writes it (the server streams it, never holding it all).
      setLines([]);
      await readSse(res, (event, data) => {
        if (event === "output") {
          const d = data as { stream: "stdout" | "stderr"; text: string };
          setLines((ls) => [...ls, { stream: d.stream, text: d.text }]);
        } else if (event === "exit") {
          const d = data as { exitCode: number | null; timedOut: boolean; truncated: boolean; durationMs: number };
          setExit(d.timedOut ? "stopped: time limit" : `exit ${d.exitCode}${d.truncated ? " · output cut at the limit" : ""} · ${d.durationMs} ms (server)`);
        } else if (event === "error") throw new Error((data as { message: string }).message);
      });
    } catch (e) {
      setLines([{ stream: "stderr", text: `${(e as Error).message}\n` }]);
      setExit("failed");
    } finally {
      setBusy(null);
    }
  };

  const runInBrowser = () => {
    const a = args();
    if (!a) return;
    worker.current?.terminate();
    const w = new Worker(new URL("./wasi-worker.ts", import.meta.url), { type: "module" });
    worker.current = w;
    setBusy("browser");
    setLines([]);
    setExit(null);
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === "out") setLines((ls) => [...ls, { stream: m.stream, text: m.text }]);
      else if (m.type === "status") setLines((ls) => [...ls, { stream: "status", text: `${m.text}\n` }]);
      else {
        setExit(m.type === "exit" ? `exit ${m.code} · ${m.ms} ms (browser)` : `error: ${m.message}`);
        setBusy(null);
        w.terminate();
      }
    };
    const req: WorkerRequest = { url: new URL(jobsApi.artifactUrl(jobId), location.href).href, args: ["artifact.wasm", ...a], stdin, env: [] };
    w.postMessage(req);
  };

  return (
    <div className="run-artifact" data-testid="run-artifact">
      <h3>Run it</h3>
      <div className="run-artifact-controls">
        <label className="field">
          <span>Arguments (replace the image's CMD)</span>
          <input data-testid="artifact-args" value={argLine} onChange={(e) => setArgLine(e.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span>Standard input</span>
          <textarea data-testid="artifact-stdin" value={stdin} onChange={(e) => setStdin(e.target.value)} spellCheck={false} />
        </label>
        <div className="row-actions left">
          <button data-testid="artifact-run-server" disabled={!!busy} onClick={() => void runOnServer()}>
            {busy === "server" ? "Running…" : "Run on server"}
          </button>
          <button data-testid="artifact-run-browser" disabled={!!busy} onClick={runInBrowser}>
            {busy === "browser" ? "Running…" : "Run in this browser"}
          </button>
          {busy === "browser" && (
            <button
              onClick={() => {
                worker.current?.terminate();
                setBusy(null);
                setExit("stopped");
              }}
            >
              Stop
            </button>
          )}
        </div>
      </div>
      <pre className="terminal" data-testid="artifact-output">
        {lines.map((l, i) => (
          <span key={i} className={`t-${l.stream}`}>
            {l.text}
          </span>
        ))}
      </pre>
      {exit && (
        <div className="muted" data-testid="artifact-exit">
          {exit}
        </div>
      )}
    </div>
  );
}
