// How run processes start. The entry (lib/run/node-process.ts) is TypeScript;
// loading it through tsx costs ~0.5-1 s per process, so it is bundled once
// with esbuild (tsx's own dependency) into build/run/node-process.mjs and
// rebuilt when a source file changes. Without esbuild, processes use tsx.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

export interface RunnerEntry {
  file: string;
  execArgv: string[];
}

interface EsbuildLike {
  buildSync(o: Record<string, unknown>): { metafile?: { inputs: Record<string, unknown> } };
}

function fresh(bundle: string, inputsFile: string, root: string): boolean {
  if (!existsSync(bundle) || !existsSync(inputsFile)) return false;
  const built = statSync(bundle).mtimeMs;
  try {
    const inputs = JSON.parse(readFileSync(inputsFile, "utf8")) as string[];
    return inputs.every((f) => statSync(resolve(root, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

let noEsbuild = false;

/** Checked on every run (a few stats), so edits to lib/run reach the next run without a restart. */
export function runnerEntry(root: string): RunnerEntry {
  const source = join(root, "lib", "run", "node-process.ts");
  const tsx: RunnerEntry = { file: source, execArgv: ["--import", "tsx"] };
  const outDir = join(root, "build", "run");
  const bundle = join(outDir, "node-process.mjs");
  const inputsFile = join(outDir, "node-process.inputs.json");
  if (fresh(bundle, inputsFile, root)) return { file: bundle, execArgv: [] };
  if (noEsbuild) return tsx;
  try {
    const moduleName = "esbuild"; // a variable, so app bundlers leave this require alone
    const esbuild = createRequire(join(root, "package.json"))(moduleName) as EsbuildLike;
    mkdirSync(outDir, { recursive: true });
    const tmp = `${bundle}.tmp-${process.pid}`;
    const r = esbuild.buildSync({
      entryPoints: [source],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: tmp,
      absWorkingDir: root,
      external: ["@bytecodealliance/*"],
      metafile: true,
      logLevel: "silent",
    });
    writeFileSync(inputsFile, JSON.stringify(Object.keys(r.metafile?.inputs ?? {})));
    renameSync(tmp, bundle);
    return { file: bundle, execArgv: [] };
  } catch {
    noEsbuild = true;
    return tsx;
  }
}
