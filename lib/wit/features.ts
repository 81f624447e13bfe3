// Which `@unstable(feature = …)` gates are enabled. wit-parser enables none by
// default (`Resolve::new()`), so neither do the CLI, the editor or the designer.
import { identifierProblem } from "./lexer";

/** wit-parser's default: no feature enabled. */
export const DEFAULT_WIT_FEATURES: readonly string[] = [];

/**
 * A comma-separated feature list as typed on a command line or in the
 * editor's settings (`a, b`); blanks are ignored, duplicates dropped. Every
 * name must be a WIT identifier.
 */
export function parseWitFeatures(text: string): { ok: true; features: string[] } | { ok: false; error: string } {
  const features: string[] = [];
  for (const raw of text.split(",")) {
    const name = raw.trim();
    if (!name) continue;
    const problem = identifierProblem(name);
    if (problem) return { ok: false, error: `feature \`${name}\`: ${problem}` };
    if (!features.includes(name)) features.push(name);
  }
  return { ok: true, features };
}
