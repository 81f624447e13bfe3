"use client";
import { useState } from "react";

/**
 * A text field that commits on blur or Enter (Escape restores), so typing is
 * one undo step. A field without a label is named by its placeholder.
 */
export function CommitField({ label, value, onCommit, testId, type = "text", placeholder }: { label: string; value: string; onCommit: (v: string) => void; testId: string; type?: string; placeholder?: string }) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // the model changed under us (undo, another edit): show it
    setSeen(value);
    setDraft(value);
  }
  return (
    <label className="field">
      {label && <span>{label}</span>}
      <input
        data-testid={testId}
        type={type}
        value={draft}
        placeholder={placeholder}
        aria-label={label ? undefined : placeholder}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => draft !== value && onCommit(draft)}
        onKeyDown={(e) => {
          if (e.key === "Enter") (e.target as HTMLInputElement).blur();
          if (e.key === "Escape") setDraft(value);
        }}
      />
    </label>
  );
}
