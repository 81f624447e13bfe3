"use client";
// The WIT editor panel for one component node: Monaco with diagnostics while
// typing, the world's ports as they would become, and Apply (one undo step).
import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { portLabel } from "@/lib/graph/ports";
import type { TopologyNode } from "@/lib/graph/types";
import { analyzeWit, formatWitError, parseWitFeatures, type WitAnalysis, type WitError } from "@/lib/wit";
import { useDesigner } from "../designer/store-context";

const MonacoWit = dynamic(() => import("./MonacoWit"), {
  ssr: false,
  loading: () => <div className="wit-loading">Loading editor…</div>,
});

const DEBOUNCE_MS = 250;

/** `builtin:x` / `upload:y` → `user:x`: an edited WIT no longer describes the shipped binary. */
export function userSourceFor(node: TopologyNode): string | undefined {
  const s = node.config.source;
  if (!s || s.startsWith("user:")) return undefined;
  const base = s.startsWith("builtin:") ? s.slice("builtin:".length) : node.name;
  return `user:${base}`;
}

function analyze(text: string, world: string | undefined, features: string[]): WitAnalysis {
  const a = analyzeWit(text, world || undefined, { features });
  // The chosen world was renamed or replaced: a text with one world means that
  // one, and a text with none (interfaces only) means no world, not an error.
  if (world && !world.includes(":") && !a.worlds.some((w) => w.name === world) && a.worlds.length <= 1) return analyzeWit(text, undefined, { features });
  return a;
}

const featuresText = (node: TopologyNode) => (node.config.witFeatures ?? []).join(", ");

export function WitEditor({ node, onClose: close }: { node: TopologyNode; onClose: () => void }) {
  const updateNode = useDesigner((s) => s.updateNode);
  const [text, setText] = useState(node.config.wit ?? "");
  const [world, setWorld] = useState(node.config.world ?? "");
  // Feature gates as typed (`a, b`); an invalid list keeps the last valid one in force.
  const [featureInput, setFeatureInput] = useState(() => featuresText(node));
  const parsedFeatures = useMemo(() => parseWitFeatures(featureInput), [featureInput]);
  const [features, setFeatures] = useState<string[]>(node.config.witFeatures ?? []);
  useEffect(() => {
    if (parsedFeatures.ok) setFeatures((f) => (f.join(",") === parsedFeatures.features.join(",") ? f : parsedFeatures.features));
  }, [parsedFeatures]);
  // Analysis trails typing by a debounce; the first one is immediate.
  const [analysis, setAnalysis] = useState<WitAnalysis>(() => analyze(node.config.wit ?? "", node.config.world, node.config.witFeatures ?? []));
  const [applied, setApplied] = useState<null | { errors: number; ports: number }>(null);
  const reveal = useRef<((span: WitError["span"]) => void) | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setAnalysis(analyze(text, world, features)), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, world, features]);

  const featuresChanged = features.join(",") !== (node.config.witFeatures ?? []).join(",");
  const dirty = text !== (node.config.wit ?? "") || world !== (node.config.world ?? "") || featuresChanged;
  const onClose = () => {
    if (!dirty || window.confirm("Discard the WIT changes that were not applied?")) close();
  };
  const converting = userSourceFor(node);
  const worldNames = analysis.worlds.map((w) => w.name);

  const apply = useCallback(() => {
    const a = analyze(text, world, features);
    setAnalysis(a);
    const source = userSourceFor(node);
    // With errors the store keeps the ports as they were; the text is still saved.
    const chosenWorld = a.world?.name ?? (world || undefined);
    updateNode(node.id, { config: { wit: text, world: chosenWorld, witFeatures: features.length ? features : undefined, ...(source ? { source } : {}) } });
    if (chosenWorld && chosenWorld !== world) setWorld(chosenWorld);
    setApplied({ errors: a.errors.length, ports: a.ports.length });
  }, [text, world, features, node, updateNode]);

  // Keys stay inside the panel: the designer's Delete/Ctrl+Z shortcuts must not act on the canvas behind it.
  const onKeyDown = (e: KeyboardEvent) => {
    e.stopPropagation();
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      apply();
    } else if (e.key === "Escape" && !e.defaultPrevented) {
      // Monaco consumes (and marks) an Escape that closes its own suggest or find widget; any other closes the editor.
      onClose();
    }
  };

  const errors = analysis.errors;
  const portsPreview = useMemo(() => analysis.ports, [analysis]);

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal modal-wide wit-editor" data-testid="wit-editor" role="dialog" aria-label={`WIT of ${node.name}`} onKeyDown={onKeyDown}>
        <header className="modal-head">
          <h2>
            WIT · {node.name} <span className="wit-source">{node.config.source ?? ""}</span>
          </h2>
          <button className="icon" onClick={onClose} data-testid="wit-editor-close" title="Close (Esc)">
            ×
          </button>
        </header>
        <div className="wit-editor-body">
          <div className="wit-editor-main">
            <div className="wit-monaco" data-testid="wit-monaco" data-chars={text.length}>
              <MonacoWit value={text} onChange={setText} errors={errors} onReady={(r) => (reveal.current = r)} />
            </div>
            <div className="wit-diagnostics" data-testid="wit-diagnostics" data-count={errors.length}>
              {errors.length === 0 ? (
                <div className="wit-ok" data-testid="wit-valid">
                  No problems{analysis.world ? ` · world ${analysis.world.name}` : " · no world selected (no ports)"}
                </div>
              ) : (
                <ul>
                  {errors.map((e, i) => (
                    <li key={i} data-testid="wit-error" data-kind={e.kind} onClick={() => reveal.current?.(e.span)} title="Show in the editor">
                      {formatWitError(e)}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
          <aside className="wit-side">
            <label className="field">
              <span>World</span>
              <select data-testid="wit-world" value={world} onChange={(e) => setWorld(e.target.value)}>
                <option value="">{worldNames.length === 1 ? `(the only world: ${worldNames[0]})` : "(choose)"}</option>
                {worldNames.map((w) => (
                  <option key={w} value={w}>
                    {w}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Feature gates</span>
              <input
                data-testid="wit-features"
                value={featureInput}
                placeholder="none (as wit-parser)"
                onChange={(e) => setFeatureInput(e.target.value)}
                title="Comma-separated @unstable(feature = …) names to enable; none by default, as in wit-parser"
                aria-invalid={!parsedFeatures.ok}
              />
            </label>
            {!parsedFeatures.ok && (
              <p className="wit-note bad" data-testid="wit-features-error">
                {parsedFeatures.error}
              </p>
            )}
            <div className="section-title">Ports {errors.length ? "(kept as they are while the WIT has errors)" : dirty ? "after Apply" : ""}</div>
            <ul className="port-list" data-testid="wit-ports-preview">
              {(errors.length ? node.ports : portsPreview).map((p) => (
                <li key={p.id}>
                  <span className={`dir dir-${p.direction}`}>{p.direction}</span> {portLabel(p)}
                </li>
              ))}
            </ul>
            {converting && (
              <p className="wit-note" data-testid="wit-copy-note">
                Applying makes this node a user-defined component ({converting}): its WIT no longer describes the {node.config.source?.startsWith("builtin:") ? "built-in" : "uploaded"} binary.
              </p>
            )}
            {applied && (
              <p className={`wit-note${applied.errors ? " bad" : ""}`} data-testid="wit-applied" data-errors={applied.errors}>
                {applied.errors
                  ? `Saved with ${applied.errors} error(s): the ports were not changed.`
                  : `Applied: ${applied.ports} port(s). Wires that no longer type-check turn red and show in Problems.`}
              </p>
            )}
            <div className="row-actions left">
              <button className="primary" data-testid="wit-apply" onClick={apply} disabled={!dirty} title="Apply (Ctrl+S): one undo step">
                Apply
              </button>
              <button
                data-testid="wit-revert"
                disabled={!dirty}
                onClick={() => {
                  setText(node.config.wit ?? "");
                  setWorld(node.config.world ?? "");
                  setFeatureInput(featuresText(node));
                  setFeatures(node.config.witFeatures ?? []);
                }}
              >
                Revert
              </button>
            </div>
            <p className="wit-help">Hover a name for its docs, Ctrl+Space completes, F12 goes to a definition.</p>
          </aside>
        </div>
      </div>
    </div>
  );
}
