// Public entry points of lib/wit (pure: no UI or Node imports).
export * from "./errors";
export * from "./ast";
export { parseWit, MAX_FILE_CHARS } from "./parser";
export type { ParseResult } from "./parser";
export { tokenize, SourceText, KEYWORDS, identifierProblem } from "./lexer";
export type { Token } from "./lexer";
export * from "./model";
export { resolveWit } from "./resolver";
export type { ParsedFile, WitSources, ResolveOptions, ResolveResult } from "./resolver";
export { loadWit, checkWit, memoryWitFs, joinPath } from "./loader";
export type { WitFs, WitDirEntry, LoadedWit, CheckedWit } from "./loader";
export { checkInterfaceCompat, versionsCompatible, compareSemver, parseSemver } from "./compat";
export type { CompatError, CompatErrorKind } from "./compat";
export { portsFromWorld, worldPorts, entryInterface } from "./ports";
export type { WorldPort } from "./ports";
export { analyzeWit, selectWorld } from "./analyze";
export type { WitAnalysis, AnalyzeOptions } from "./analyze";
export { summarizeModel, summarizeInterface, summarizeWorld } from "./summary";
