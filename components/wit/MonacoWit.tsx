"use client";
// The Monaco editor for WIT, from the app's own bundle (no CDN). Loaded only
// through next/dynamic with ssr: false (see WitEditor.tsx).
import Editor from "@monaco-editor/react";
import { useEffect, useRef } from "react";
import { completionsAt, definitionAt, hoverAt, WIT_LANGUAGE_ID, witLanguageConfiguration, witMonarchLanguage, type WitCompletionKind, type WitError } from "@/lib/wit";
// The shared setup: workers from the bundle and one loader config for the page.
import { monaco, registerMonarch, type Monaco } from "../monaco/setup";

/** The file name lib/wit gives a single text (spans carry it). */
const FILE = "input.wit";

const KIND: Record<WitCompletionKind, monaco.languages.CompletionItemKind> = {
  keyword: monaco.languages.CompletionItemKind.Keyword,
  type: monaco.languages.CompletionItemKind.Struct,
  interface: monaco.languages.CompletionItemKind.Interface,
  world: monaco.languages.CompletionItemKind.Module,
  snippet: monaco.languages.CompletionItemKind.Snippet,
};

let registered = false;

/** Registers the WIT language (shared with read-only views) and the editing providers once per page (Monaco is global). */
function registerWit(m: Monaco) {
  registerMonarch(WIT_LANGUAGE_ID, witMonarchLanguage, witLanguageConfiguration, [".wit"]);
  if (registered) return;
  registered = true;
  m.languages.registerCompletionItemProvider(WIT_LANGUAGE_ID, {
    triggerCharacters: [":", "/", ".", "<", " ", "{"],
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = new m.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      const items = completionsAt(model.getValue(), model.getOffsetAt(position), { file: FILE });
      return {
        suggestions: items.map((c) => ({
          label: c.label,
          kind: KIND[c.kind],
          detail: c.detail,
          documentation: c.documentation ? { value: c.documentation } : undefined,
          insertText: c.insertText ?? c.label,
          insertTextRules: c.kind === "snippet" ? m.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
          range,
        })),
      };
    },
  });
  m.languages.registerHoverProvider(WIT_LANGUAGE_ID, {
    provideHover(model, position) {
      const h = hoverAt(model.getValue(), model.getOffsetAt(position), { file: FILE });
      if (!h) return null;
      return { contents: [{ value: h.contents }], range: spanRange(m, h.span) };
    },
  });
  m.languages.registerDefinitionProvider(WIT_LANGUAGE_ID, {
    provideDefinition(model, position) {
      const s = definitionAt(model.getValue(), model.getOffsetAt(position), { file: FILE });
      if (!s || s.file !== FILE) return null;
      return { uri: model.uri, range: spanRange(m, s) };
    },
  });
}

function spanRange(m: Monaco, s: WitError["span"]): monaco.Range {
  const endColumn = s.end.line === s.start.line && s.end.column <= s.start.column ? s.start.column + 1 : s.end.column;
  return new m.Range(s.start.line, s.start.column, s.end.line, endColumn);
}

export interface MonacoWitProps {
  value: string;
  onChange: (text: string) => void;
  /** Errors of the current text: shown as markers. */
  errors: WitError[];
  /** Called with a function that moves the cursor to a span (the diagnostics list uses it). */
  onReady?: (reveal: (span: WitError["span"]) => void) => void;
}

export default function MonacoWit({ value, onChange, errors, onReady }: MonacoWitProps) {
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<Monaco | null>(null);

  useEffect(() => {
    const m = monacoRef.current;
    const model = editorRef.current?.getModel();
    if (!m || !model) return;
    m.editor.setModelMarkers(
      model,
      "wit",
      errors
        .filter((e) => e.span.file === FILE)
        .map((e) => ({ ...rangeFields(spanRange(m, e.span)), message: `${e.message} (${e.kind})`, severity: m.MarkerSeverity.Error, source: "wit" })),
    );
  }, [errors]);

  return (
    <Editor
      value={value}
      language={WIT_LANGUAGE_ID}
      theme="vs-dark"
      beforeMount={(m) => registerWit(m as unknown as Monaco)}
      onMount={(editor, m) => {
        editorRef.current = editor as unknown as monaco.editor.IStandaloneCodeEditor;
        monacoRef.current = m as unknown as Monaco;
        // For e2e and debugging: the live text, without auto-closed brackets guessing.
        editor.getContainerDomNode().dataset.monacoReady = "true";
        onReady?.((span) => {
          const r = spanRange(m as unknown as Monaco, span);
          editor.setSelection(r);
          editor.revealRangeInCenter(r);
          editor.focus();
        });
        editor.focus();
      }}
      onChange={(v) => onChange(v ?? "")}
      options={{
        minimap: { enabled: false },
        fontSize: 13,
        tabSize: 2,
        automaticLayout: true,
        scrollBeyondLastLine: false,
        renderWhitespace: "selection",
        fixedOverflowWidgets: true,
      }}
    />
  );
}

function rangeFields(r: monaco.Range) {
  return { startLineNumber: r.startLineNumber, startColumn: r.startColumn, endLineNumber: r.endLineNumber, endColumn: r.endColumn };
}
