"use client";
import dynamic from "next/dynamic";
import { fileLanguage } from "@/lib/manifest/bundle";

function Plain({ text }: { text: string }) {
  return <pre className="code-view-plain">{text}</pre>;
}

// Monaco only in the browser; the plain text shows while it loads.
const MonacoView = dynamic(() => import("./MonacoView"), { ssr: false, loading: () => null });

/** Read-only view of a generated file. */
export function CodeView({ path, text }: { path: string; text: string }) {
  return (
    <div className="code-view" data-testid="code-view" data-language={fileLanguage(path)} data-path={path}>
      <MonacoView path={path} text={text} />
      <noscript>
        <Plain text={text} />
      </noscript>
    </div>
  );
}
