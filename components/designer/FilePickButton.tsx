"use client";
import { useRef } from "react";

/** A button that opens the file picker (filtered by `accept`) and hands over one chosen file. */
export function FilePickButton({ label, accept, testId, inputTestId, title, onFile }: { label: string; accept: string; testId: string; inputTestId: string; title?: string; onFile: (f: File) => void }) {
  const input = useRef<HTMLInputElement>(null);
  // A real <button>: reachable with Tab and named by its label (a <label> around a hidden input is neither).
  return (
    <>
      <button type="button" className="button" data-testid={testId} title={title} onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        tabIndex={-1}
        aria-hidden="true"
        accept={accept}
        data-testid={inputTestId}
        onChange={(e) => {
          const f = e.target.files?.[0];
          // Reset so choosing the same file again fires a change.
          e.target.value = "";
          if (f) onFile(f);
        }}
      />
    </>
  );
}
