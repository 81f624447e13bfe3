"use client";
// Transient results and errors, shown next to where the action happened (the
// node it concerns, the palette, the toolbar, or a point). Standing problems
// live in the Problems panel; a toast never depends on which dock tab is open.
import { useCallback, useEffect, useRef, useState, type CSSProperties } from "react";
import type { Notice } from "@/lib/store/designer-store";
import { useDesigner } from "./store-context";

interface Toast {
  id: number;
  notice: Notice;
  style: CSSProperties;
}

const INFO_MS = 6000;
const MAX_TOASTS = 3;
const WIDTH = 380;

const clampX = (x: number) => Math.max(8, Math.min(x, window.innerWidth - WIDTH - 8));
const clampY = (y: number) => Math.max(8, Math.min(y, window.innerHeight - 90));

/** Screen placement for a notice: its point, its node, its panel, else the top of the canvas. */
function placement(n: Notice): CSSProperties {
  const a = n.anchor;
  if (a && typeof a === "object") return { left: clampX(a.x + 12), top: clampY(a.y + 12) };
  const rect = (sel: string) => document.querySelector(sel)?.getBoundingClientRect();
  if (a === "palette") {
    const r = rect('[data-testid="palette"]');
    if (r) return { left: r.right + 8, bottom: Math.max(8, window.innerHeight - r.bottom + 8) };
  }
  if (a === "toolbar") {
    const r = rect('[data-testid="toolbar"]');
    if (r) return { right: 12, top: r.bottom + 8 };
  }
  const canvas = rect('[data-testid="canvas"]');
  const nodeId = n.nodeIds?.[0];
  if (!a && nodeId && canvas) {
    const r = rect(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
    // Only a node that is on screen is a useful anchor.
    if (r && r.bottom > canvas.top && r.top < canvas.bottom && r.right > canvas.left && r.left < canvas.right) {
      // Beside the node (right, else left), so it never covers the node's own buttons.
      const right = r.right + 12 + WIDTH <= canvas.right;
      return { left: right ? r.right + 12 : clampX(r.left - 12 - WIDTH), top: clampY(Math.max(r.top, canvas.top + 8)) };
    }
  }
  if (canvas) return { left: clampX(canvas.left + canvas.width / 2 - WIDTH / 2), top: canvas.top + 12 };
  return { left: clampX(window.innerWidth / 2 - WIDTH / 2), top: 60 };
}

export function Toasts() {
  const notice = useDesigner((s) => s.notice);
  const notify = useDesigner((s) => s.notify);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seq = useRef(0);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((ts) => ts.filter((t) => t.id !== id));
  }, []);

  useEffect(() => {
    if (!notice) {
      // The edit a node-anchored message was about has been superseded by a successful one.
      setToasts((ts) => ts.filter((t) => !t.notice.nodeIds?.length || t.notice.anchor !== undefined));
      return;
    }
    const id = ++seq.current;
    const style = placement(notice);
    setToasts((ts) => [...ts.filter((t) => t.notice.message !== notice.message), { id, notice, style }].slice(-MAX_TOASTS));
    if (notice.level === "info") timers.current.set(id, setTimeout(() => dismiss(id), INFO_MS));
  }, [notice, dismiss]);

  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  // Toasts that share a spot stack downwards instead of covering each other.
  const seen = new Map<string, number>();
  return (
    <div className="toasts" data-testid="toasts">
      {toasts.map((t, i) => {
        const key = JSON.stringify(t.style);
        const k = seen.get(key) ?? 0;
        seen.set(key, k + 1);
        const latest = i === toasts.length - 1;
        const style = { ...t.style, ...(k && t.style.top !== undefined ? { top: (t.style.top as number) + k * 56 } : {}), ...(k && t.style.bottom !== undefined ? { bottom: (t.style.bottom as number) + k * 56 } : {}) };
        return (
          <div
            key={t.id}
            className={`toast notice notice-${t.notice.level}`}
            style={style}
            role={t.notice.level === "error" ? "alert" : "status"}
            // The newest toast is "the notice"; older ones are still readable.
            data-testid={latest ? "notice" : "toast"}
            data-kind={t.notice.kind ?? ""}
            data-level={t.notice.level}
          >
            <span>{t.notice.message}</span>
            <button
              className="icon"
              aria-label="Dismiss message"
              title="Dismiss"
              data-testid="notice-dismiss"
              onClick={() => {
                dismiss(t.id);
                if (latest) notify(undefined);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}
