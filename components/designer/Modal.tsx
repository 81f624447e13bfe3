"use client";
import { useEffect, type ReactNode } from "react";

export function Modal({ title, onClose, children, testId, wide }: { title: ReactNode; onClose: () => void; children: ReactNode; testId: string; wide?: boolean }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? " modal-wide" : ""}`} data-testid={testId} role="dialog" aria-label={typeof title === "string" ? title : undefined}>
        <header className="modal-head">
          <h2>{title}</h2>
          <button className="icon" onClick={onClose} data-testid={`${testId}-close`} title="Close (Esc)">
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}
