"use client";
import { useEffect, useRef, type ReactNode } from "react";

export function Modal({ title, onClose, children, testId, wide }: { title: ReactNode; onClose: () => void; children: ReactNode; testId: string; wide?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Focus moves into the dialog and goes back where it was on close.
    const before = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>("input, textarea, select, button:not([data-close])")?.focus();
    return () => before?.focus?.();
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={box} className={`modal${wide ? " modal-wide" : ""}`} data-testid={testId} role="dialog" aria-modal="true" aria-label={typeof title === "string" ? title : undefined}>
        <header className="modal-head">
          <h2>{title}</h2>
          <button className="icon" data-close onClick={onClose} data-testid={`${testId}-close`} title="Close (Esc)" aria-label="Close">
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}
