// The contract between the compile pipeline (this folder) and the x86-64
// core's artifact builder in `native-artifact.ts` (owned by the emulator
// work). compile-image.ts loads that module dynamically and calls
// `buildNativeArtifact(input)` when it exists; until then native images end
// with a "needs the x86-64 core" report.

import type { ElfInfo } from "../image/elf";
import type { TranslateRequest } from "./aot-compile";

export interface NativeArtifactInput {
  /** The packed rootfs (PACKED-ROOTFS.md v1) of the flattened image. */
  rootfsPath: string;
  /** Directory to write the artifact(s) into (the job's directory). */
  outDir: string;
  /** Entrypoint + Cmd as the image config states them (argv[0] unresolved). */
  argv: string[];
  /** The two halves of argv as the config states them (run arguments replace `cmd`, as with `docker run`). */
  entrypoint: string[];
  cmd: string[];
  /** Rootfs path of the ELF that runs (PATH, symlinks and shebangs resolved). */
  executable: string;
  /** Set when the entrypoint is a script run by `executable`. */
  script?: { path: string; interpreter: string[] };
  elf: ElfInfo;
  /** `NAME=value` entries from the image config. */
  env: string[];
  workingDir: string;
  user: string;
  /** The image config's ExposedPorts (`80/tcp`, `53/udp`): an HTTP one also gets a wasi:http component. */
  exposedPorts?: string[];
  /** Block profiles the core wrote running this image (TRELLIS_AOT_PROFILE, emulator/src/aot-run.c): their
   *  blocks are translated to Wasm and appended to the artifact's core (aot-translate.ts). None: no translations. */
  aotProfiles?: string[];
  /** Translation by a smoke run at compile time (aot-compile.ts), used when no `aotProfiles` are given:
   *  on by default (TRELLIS_COMPILE_TRANSLATE=0 turns the default off); `false` turns it off. */
  translate?: TranslateRequest | false;
  /** A start-up snapshot of the image's command (startup-snapshot.ts), taken after translation; off by
   *  default, because every run resumed from it shares the random bytes the guest drew before the stop. */
  snapshot?: boolean;
  signal?: AbortSignal;
  onProgress?: (percent: number, message?: string) => void;
  onLog?: (line: string) => void;
}

export interface NativeArtifactOutput {
  /** Absolute path of the main artifact (a WASI command module or a component). */
  file: string;
  kind: "module" | "component";
  /** Further files (e.g. a separate rootfs opened through a preopen, a component wrapper). */
  extraFiles?: { file: string; role: string }[];
  /** Anything the core wants in the report (sizes, timings, options). */
  details?: Record<string, unknown>;
}

export type BuildNativeArtifact = (input: NativeArtifactInput) => Promise<NativeArtifactOutput>;
