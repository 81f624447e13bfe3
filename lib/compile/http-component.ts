// The wasi:http component of a compiled container: the x86-64 core built as a
// reactor with the bridge (emulator/src/http/), its rootfs and run config
// embedded as in the command artifact (planArtifact), wrapped as a component
// exporting wasi:http/incoming-handler@0.2.0 (jco componentEmbed +
// componentNew with the preview1 reactor adapter, as lib/builtins does). On
// the first request the guest starts from its entrypoint; each request is a
// new in-guest connection to `httpPort`; the guest keeps its state.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { wasiPackagesWit } from "../builtins/componentize";
import { err, ok, type Result } from "../result";
import { HTTP_HANDLER_EXPORT } from "./http-component-names";
import { planArtifact, type ArtifactError, type RunConfig } from "./native-artifact";
import { leb, readLeb, section, sections } from "./wasm-binary";

export { HTTP_COMPONENT_FILE, HTTP_COMPONENT_ROLE, HTTP_HANDLER_EXPORT } from "./http-component-names";
/** Components are built in memory; an image past this stays without one (the run engine then uses http-service.ts). */
export const MAX_HTTP_COMPONENT_BYTES = 256 * 1024 * 1024;

const HEAP_SLACK = 1024 * 1024;

/** The reactor core made ready for translated blocks (aot-module.ts places their lookup table at the end of
 *  the core's initial memory): that end moves up by the heap the adapter allocates before the core claims its
 *  range, so the table lies past it. */
export function reactorCoreForTranslation(core: Uint8Array): Result<Uint8Array, ArtifactError> {
  const bad = (message: string) => err({ kind: "core-malformed" as const, message });
  try {
    const secs = sections(core);
    const mem = secs.find((x) => x.id === 5);
    if (!mem) return bad("the reactor core defines no memory");
    let [count, p] = readLeb(core, mem.body);
    if (count !== 1) return bad(`the reactor core defines ${count} memories`);
    const flags = core[p++]!;
    let initial: number, max: number | undefined;
    [initial, p] = readLeb(core, p);
    if (flags & 1) [max, p] = readLeb(core, p);
    const grown = initial + Math.ceil(HEAP_SLACK / 65536);
    const body = [leb(1), Buffer.from([flags]), leb(grown), ...(max !== undefined ? [leb(Math.max(max, grown))] : [])];
    const parts: Buffer[] = [Buffer.from(core.subarray(0, 8))];
    for (const x of secs) parts.push(...(x.id === 5 ? section(5, body) : [Buffer.from(core.subarray(x.start, x.end))]));
    return ok(Buffer.concat(parts));
  } catch (e) {
    return bad((e as Error).message);
  }
}

const WORLD = `package trellis:container@0.1.0;

/// A compiled container serving HTTP: its guest's port behind wasi:http.
world container-http {
  import wasi:http/outgoing-handler@0.2.0;
  export ${HTTP_HANDLER_EXPORT};
}
`;

export function httpCorePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "emulator", "build", "trellis-x86-http.wasm");
}

/** The preview1 reactor adapter, from jco's package (not in its exports map). */
async function reactorAdapter(): Promise<Uint8Array> {
  let root = dirname(fileURLToPath(import.meta.resolve("@bytecodealliance/jco")));
  while (!existsSync(join(root, "package.json")) && dirname(root) !== root) root = dirname(root);
  return readFile(join(root, "lib", "wasi_snapshot_preview1.reactor.wasm"));
}

export interface HttpComponentInput {
  /** The reactor core (`emulator/build/trellis-x86-http.wasm`); read from httpCorePath() when left out. */
  core?: Uint8Array;
  rootfs: Uint8Array | { file: string; length: number };
  cfg: RunConfig;
  httpPort: number;
}

export async function buildHttpComponent(input: HttpComponentInput): Promise<Result<Uint8Array, ArtifactError>> {
  let core = input.core;
  if (!core) {
    const path = httpCorePath();
    if (!existsSync(path)) return err({ kind: "core-missing", message: `the wasi:http core variant is not built (${path}); run npm run build:emulator`, path });
    core = await readFile(path);
  }
  const rootfs = input.rootfs instanceof Uint8Array ? input.rootfs : await readFile(input.rootfs.file);
  if (rootfs.length + core.length > MAX_HTTP_COMPONENT_BYTES)
    return err({ kind: "rootfs-too-large", message: `a ${rootfs.length}-byte rootfs is over the ${MAX_HTTP_COMPONENT_BYTES}-byte limit of the wasi:http component` });
  // the preview1 adapter allocates its state through the core's allocator at instantiation, before the core can claim the embedded range
  const plan = planArtifact(core, rootfs, { ...input.cfg, httpPort: input.httpPort }, undefined, HEAP_SLACK);
  if (!plan.ok) return plan;
  const module = Buffer.concat(plan.value.chunks as Uint8Array[]);
  try {
    const { componentEmbed, componentNew } = await import("@bytecodealliance/jco");
    const embedded = await componentEmbed({ binary: module, witSource: `${WORLD}\n${wasiPackagesWit()}`, world: "container-http" });
    return ok(await componentNew(embedded, [["wasi_snapshot_preview1", await reactorAdapter()]]));
  } catch (e) {
    return err({ kind: "component-failed", message: (e as Error).message });
  }
}
