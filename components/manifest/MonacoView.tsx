"use client";
// Read-only Monaco view of a generated file, with YAML, TOML, WAC and WIT highlighting.
import Editor from "@monaco-editor/react";
import { fileLanguage } from "@/lib/manifest/bundle";
import { tomlLanguageConfiguration, tomlMonarchLanguage, wacLanguageConfiguration, wacMonarchLanguage } from "@/lib/manifest/monarch";
import { WIT_LANGUAGE_ID, witLanguageConfiguration, witMonarchLanguage } from "@/lib/wit/monarch";
import { registerMonarch } from "../monaco/setup";

registerMonarch("toml", tomlMonarchLanguage, tomlLanguageConfiguration, [".toml"]);
registerMonarch("wac", wacMonarchLanguage, wacLanguageConfiguration, [".wac"]);
registerMonarch(WIT_LANGUAGE_ID, witMonarchLanguage, witLanguageConfiguration, [".wit"]);

export default function MonacoView({ path, text }: { path: string; text: string }) {
  const language = fileLanguage(path);
  return (
    <Editor
      height="100%"
      theme="vs-dark"
      path={`export/${path}`}
      language={language === "wit" ? WIT_LANGUAGE_ID : language}
      value={text}
      options={{ readOnly: true, domReadOnly: true, minimap: { enabled: false }, fontSize: 12, scrollBeyondLastLine: false, wordWrap: "off", automaticLayout: true }}
    />
  );
}
