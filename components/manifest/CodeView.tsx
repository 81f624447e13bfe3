"use client";
import { fileLanguage } from "@/lib/manifest/bundle";

/** Read-only view of a generated file. */
export function CodeView({ path, text }: { path: string; text: string }) {
  return (
    <pre className="code-view" data-testid="code-view" data-language={fileLanguage(path)} data-path={path}>
      {text}
    </pre>
  );
}
