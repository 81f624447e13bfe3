"use client";

/** A button that opens the file picker and hands over one chosen file. */
export function FilePickButton({ label, accept, testId, inputTestId, title, onFile }: { label: string; accept: string; testId: string; inputTestId: string; title?: string; onFile: (f: File) => void }) {
  return (
    <label className="button" data-testid={testId} title={title}>
      {label}
      <input
        type="file"
        hidden
        accept={accept}
        data-testid={inputTestId}
        onChange={(e) => {
          const f = e.target.files?.[0];
          // Reset so choosing the same file again fires a change.
          e.target.value = "";
          if (f) onFile(f);
        }}
      />
    </label>
  );
}
