"use client";
// Monaco from the app's own bundle (no CDN): workers by URL, one loader config.
// Import this module only from code loaded with next/dynamic({ ssr: false }).
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";

export type Monaco = typeof monaco;

if (typeof self !== "undefined" && !self.MonacoEnvironment) {
  self.MonacoEnvironment = {
    getWorker(_id: string, label: string) {
      if (label === "json") return new Worker(new URL("monaco-editor/language/json/json.worker", import.meta.url), { type: "module" });
      return new Worker(new URL("monaco-editor/editor/editor.worker", import.meta.url), { type: "module" });
    },
  };
  loader.config({ monaco });
}

const registered = new Set<string>();

/** Registers a Monarch language once per page (Monaco is global). */
export function registerMonarch(id: string, tokens: unknown, config?: unknown, extensions: string[] = []) {
  if (registered.has(id)) return;
  registered.add(id);
  if (!monaco.languages.getLanguages().some((l) => l.id === id)) monaco.languages.register({ id, extensions });
  monaco.languages.setMonarchTokensProvider(id, tokens as monaco.languages.IMonarchLanguage);
  if (config) monaco.languages.setLanguageConfiguration(id, config as monaco.languages.LanguageConfiguration);
}

export { monaco };
