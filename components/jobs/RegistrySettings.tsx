"use client";
import { useEffect, useState } from "react";
import { registryApi, type RegistrySettings as Settings } from "@/lib/jobs/client";

/** Registry credentials (stored on the server; the password is never shown or sent back) and the default push target. */
export function RegistrySettings() {
  const [s, setS] = useState<Settings | null>(null);
  const [registry, setRegistry] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [target, setTarget] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    registryApi.settings().then(
      (x) => {
        setS(x);
        setTarget(x.pushTarget ?? "");
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  const run = async (f: () => Promise<Settings>) => {
    setError(null);
    try {
      setS(await f());
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    }
  };
  return (
    <details className="registry-settings" data-testid="registry-settings">
      <summary>Registries{s && s.registries.length ? ` (${s.registries.length} signed in)` : ""}</summary>
      <ul>
        {s?.registries.map((r) => (
          <li key={r.registry} data-testid="registry-entry">
            <code>{r.registry}</code> as {r.username}{" "}
            <button onClick={() => void run(() => registryApi.update({ registry: r.registry, remove: true }))}>Remove</button>
          </li>
        ))}
      </ul>
      <form
        className="registry-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => registryApi.update({ registry: registry.trim(), username, password })).then((ok) => ok && setPassword(""));
        }}
      >
        <input data-testid="registry-host" aria-label="Registry host" placeholder="registry host[:port]" value={registry} onChange={(e) => setRegistry(e.target.value)} />
        <input data-testid="registry-user" aria-label="User name" placeholder="user" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        <input data-testid="registry-password" aria-label="Password" type="password" placeholder="password or token" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        <button type="submit" data-testid="registry-save" disabled={!registry.trim() || !username || !password}>
          Save
        </button>
      </form>
      <form
        className="registry-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => registryApi.update({ pushTarget: target.trim() }));
        }}
      >
        <input data-testid="registry-push-target" aria-label="Push target" placeholder="push target: host[:port]/namespace" value={target} onChange={(e) => setTarget(e.target.value)} />
        <button type="submit" data-testid="registry-push-target-save">
          Set push target
        </button>
      </form>
      {error && (
        <div className="job-error" role="alert" data-testid="registry-error">
          {error}
        </div>
      )}
    </details>
  );
}
