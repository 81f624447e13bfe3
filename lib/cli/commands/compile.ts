import { copyFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { compileImage } from "../../compile/compile-image";
import { CLI_COMPONENT_ROLE, HTTP_COMPONENT_ROLE, HTTP_HANDLER_EXPORT } from "../../compile/http-component-names";
import type { TranslateRequest, TranslationReport } from "../../compile/aot-compile";
import { defaultCorePath, encodeRunConfig, planArtifact, wrapAsComponent, writePlan, type RunConfig } from "../../compile/native-artifact";
import { snapshotArtifactFile, snapshotLine, type SnapshotReport } from "../../compile/startup-snapshot";
import { packDirectory } from "../../image/packed-rootfs";
import { authFileCredentials, insecureFromEnv, looksLikeReference, pullImage, pushArtifact } from "../../registry";
import type { CliCommand } from "../command";

const USAGE = [
  "trellis compile <image.tar | registry/repo:tag | repo@sha256:…> -o out.wasm [--platform os/arch] [--name image:tag] [--component out.component.wasm] [--http-component out.http.wasm] [--push registry/repo:tag] [TRANSLATION] [SNAPSHOT]",
  "trellis compile --queue redis://[user:pass@]host:port[/db] <image.tar | ref> -o out.wasm [--listen host:port] [--advertise URL] (on `trellis worker`s; waits)",
  "trellis compile --rootfs <dir|packed.img> --entrypoint 'prog arg...' [--cmd 'arg...'] [-e K=V]... [--workdir DIR] [--user UID[:GID]] [--separate-rootfs] -o out.wasm [--component out.component.wasm] [TRANSLATION] [SNAPSHOT]",
  "SNAPSHOT: [--snapshot] (native images with the rootfs embedded: resume runs with the image's own arguments and environment from a snapshot taken at the guest's first output, input, wait or exit; such runs share its random bytes)",
  "TRANSLATION: [--no-translate] [--smoke 'arg...' or '[\"arg\", ...]' (replaces CMD in the profiling run)] [--smoke-budget INSTRUCTIONS] (native images: hot blocks of a smoke run become Wasm; cached in $TRELLIS_DATA_DIR/cache/aot or ~/.cache/trellis/aot)",
].join("\n       ");

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}
/** Words, or a JSON array of strings for arguments that hold spaces (`["sh","-c","a; b"]`). */
function argList(s: string): string[] {
  if (!s.trimStart().startsWith("[")) return words(s);
  const v = JSON.parse(s) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new Error("--smoke takes words or a JSON array of strings");
  return v;
}

/** One line for people about what translation did (details.translation of a native artifact). */
// aot-compile loads node:wasi (aot-translate.ts), whose ExperimentalWarning
// would reach stderr of every CLI command (main.ts imports them all): loaded
// when a compile starts.
const loadAot = () => import("../../compile/aot-compile");
type Aot = Awaited<ReturnType<typeof loadAot>>;

function translationLine(endText: Aot["endText"], t: unknown): string | undefined {
  if (!t || typeof t !== "object") return undefined;
  const x = t as Partial<TranslationReport> & { skipped?: string; artifactBytes?: { plain: number; translated: number } };
  if (x.skipped) return `translation: none (${x.skipped})`;
  if (!x.smoke) return undefined;
  return (
    `translation: ${x.blocks} blocks (${x.instructions} instructions, ${x.inlinedPercent}% inline) from a smoke run of ${x.smoke.instructions} instructions` +
    ` (${endText(x.smoke)})${x.smoke.cached ? ", profile cached" : ""}${x.cached ? ", translations cached" : ""}` +
    (x.artifactBytes ? `; artifact ${x.artifactBytes.translated} bytes, ${x.artifactBytes.plain} without translations` : "")
  );
}

async function fromRootfs(o: {
  rootfs: string;
  out: string;
  cfg: RunConfig;
  separate: boolean;
  component?: string;
  translate: TranslateRequest | false;
  snapshot: boolean;
}): Promise<number> {
  const core = defaultCorePath();
  if (!existsSync(core)) {
    process.stderr.write(`trellis compile: the x86-64 core is not built (${core}); run npm run build:emulator\n`);
    return 1;
  }
  const coreBytes = await readFile(core);
  let packed = o.rootfs;
  let tmp: string | undefined;
  if ((await stat(o.rootfs)).isDirectory()) {
    tmp = await mkdtemp(join(tmpdir(), "trellis-compile-"));
    packed = join(tmp, "rootfs.img");
    const r = await packDirectory(o.rootfs, packed);
    if (!r.ok) {
      process.stderr.write(`trellis compile: ${r.error.kind}: ${r.error.message}\n`);
      return 1;
    }
  }
  try {
    const size = (await stat(packed)).size;
    let sepName: string | undefined;
    if (o.separate) {
      sepName = basename(o.out).replace(/\.wasm$/, "") + ".rootfs.img";
      await copyFile(packed, join(dirname(o.out), sepName));
    }
    const plan = planArtifact(coreBytes, o.separate ? null : { file: packed, length: size }, o.cfg, sepName ? `/trellis/${sepName}` : undefined);
    if (!plan.ok) {
      process.stderr.write(`trellis compile: ${plan.error.kind}: ${plan.error.message}\n`);
      return 1;
    }
    await writePlan(plan.value, o.out);
    let bytes = plan.value.bytes, coreLen = coreBytes.length;
    if (o.translate) {
      const sep = sepName ? `/trellis/${sepName}` : undefined;
      const { translateForArtifact, endText } = await loadAot();
      const tr = await translateForArtifact({ core: coreBytes, plainArtifact: o.out, rootfsPath: packed, config: encodeRunConfig(o.cfg, sep), request: o.translate, onLog: (l) => process.stderr.write(`  ${l}\n`) });
      if (!tr.ok) process.stderr.write(`trellis compile: note: no translated blocks: ${tr.error.kind}: ${tr.error.message}\n`);
      else {
        if (tr.value.report.blocks > 0) {
          const again = planArtifact(tr.value.core, o.separate ? null : { file: packed, length: size }, o.cfg, sep);
          if (!again.ok) {
            process.stderr.write(`trellis compile: ${again.error.kind}: ${again.error.message}\n`);
            return 1;
          }
          await writePlan(again.value, o.out);
          bytes = again.value.bytes;
          coreLen = tr.value.core.length;
        }
        process.stdout.write(`${translationLine(endText, { ...tr.value.report, artifactBytes: { plain: plan.value.bytes, translated: bytes } })}\n`);
      }
    }
    if (o.snapshot) {
      const s = await snapshotArtifactFile(o.out);
      if (!s.ok) {
        process.stderr.write(`trellis compile: no start-up snapshot: ${s.error.kind}: ${s.error.message}\n`);
        return 1;
      }
      bytes = s.value.artifactBytes.with;
      process.stdout.write(`${snapshotLine(s.value)}\n`);
    }
    process.stdout.write(`${o.out}: ${bytes} bytes (core ${coreLen} + rootfs ${size}${o.separate ? `, rootfs kept in ${sepName}` : " embedded"})\n`);
    if (o.component) {
      const comp = await wrapAsComponent(await readFile(o.out));
      if (!comp.ok) {
        process.stderr.write(`trellis compile: ${comp.error.kind}: ${comp.error.message}\n`);
        return 1;
      }
      const { writeFile } = await import("node:fs/promises");
      await writeFile(o.component, comp.value);
      process.stdout.write(`${o.component}: ${comp.value.length} bytes (component exporting wasi:cli/run)\n`);
    }
    return 0;
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

const command: CliCommand = {
  name: "compile",
  summary: "compile a container image (or a rootfs + entrypoint) into a WASI module that runs it on the x86-64 core",
  usage: USAGE,
  async run(args) {
    let image: string | undefined, out: string | undefined, rootfs: string | undefined, component: string | undefined, httpComponent: string | undefined;
    let platform: string | undefined, name: string | undefined, workdir: string | undefined, user: string | undefined, push: string | undefined;
    let queue: string | undefined, listen: string | undefined, advertise: string | undefined;
    let entrypoint: string[] | undefined, cmd: string[] = [];
    const env: string[] = [];
    let separate = false, snapshot = false;
    const aot = await loadAot();
    let translate = aot.translateByDefault(), smoke: string[] | undefined, smokeBudget: number | undefined;
    const bad = () => {
      process.stderr.write(`usage: ${USAGE}\n`);
      return 2;
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const val = () => {
        const v = args[++i];
        if (v === undefined) throw new Error(`${a} needs a value`);
        return v;
      };
      try {
        if (a === "-o" || a === "--out") out = val();
        else if (a === "--rootfs") rootfs = val();
        else if (a === "--entrypoint") entrypoint = words(val());
        else if (a === "--cmd") cmd = words(val());
        else if (a === "-e" || a === "--env") env.push(val());
        else if (a === "--workdir") workdir = val();
        else if (a === "--user") user = val();
        else if (a === "--platform") platform = val();
        else if (a === "--name") name = val();
        else if (a === "--component") component = val();
        else if (a === "--http-component") httpComponent = val();
        else if (a === "--push") push = val();
        else if (a === "--queue") queue = val();
        else if (a === "--listen") listen = val();
        else if (a === "--advertise") advertise = val();
        else if (a === "--separate-rootfs") separate = true;
        else if (a === "--no-translate") translate = false;
        else if (a === "--snapshot") snapshot = true;
        else if (a === "--smoke") smoke = argList(val());
        else if (a === "--smoke-budget") {
          smokeBudget = Number(val());
          if (!Number.isInteger(smokeBudget) || smokeBudget <= 0) throw new Error("--smoke-budget takes a positive number of instructions");
        }
        else if (!a.startsWith("-") && !image) image = a;
        else return bad();
      } catch {
        return bad();
      }
    }
    if (!out || (!image && !rootfs) || (image && rootfs)) return bad();
    const request: TranslateRequest | false = translate ? { cacheDir: aot.defaultAotCacheDir(), ...(smoke ? { smokeArgs: smoke } : {}), ...(smokeBudget ? { budget: smokeBudget } : {}) } : false;
    if (httpComponent && (rootfs || queue)) {
      process.stderr.write("trellis compile: --http-component takes an image (its exposed HTTP port says which port the component serves)\n");
      return 2;
    }
    if (queue) {
      if (rootfs || push) {
        process.stderr.write("trellis compile: --queue takes an image (file or reference); --rootfs and --push run locally\n");
        return 2;
      }
      // BullMQ and ioredis load only for --queue: the CLI imports every command at start.
      const { compileOnQueue } = await import("../compile-queue");
      return compileOnQueue({ queue, image: image!, out, ...(component ? { component } : {}), ...(platform ? { platform } : {}), ...(name ? { name } : {}), ...(listen ? { listen } : {}), ...(advertise ? { advertise } : {}) });
    }
    if (rootfs) {
      if (separate && snapshot) {
        process.stderr.write("trellis compile: --snapshot needs the rootfs embedded (not --separate-rootfs)\n");
        return 2;
      }
      if (!entrypoint && cmd.length === 0) {
        process.stderr.write("trellis compile: --rootfs needs --entrypoint and/or --cmd\n");
        return 2;
      }
      if (!env.some((e) => e.startsWith("PATH="))) env.unshift("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      return fromRootfs({ rootfs, out, separate, translate: request, snapshot, ...(component ? { component } : {}), cfg: { entrypoint: entrypoint ?? [], cmd, env, ...(workdir ? { workdir } : {}), ...(user ? { user } : {}) } });
    }
    const jobDir = await mkdtemp(join(tmpdir(), "trellis-compile-"));
    try {
      let upload = image!;
      let source: Parameters<typeof compileImage>[0]["source"];
      // A file that exists is a file; otherwise a reference is pulled (credentials as docker/skopeo find them).
      if (!existsSync(image!) && looksLikeReference(image!)) {
        const pulled = await pullImage({
          reference: image!,
          outFile: join(jobDir, "pulled.oci.tar"),
          ...(platform ? { platform } : {}),
          credentials: authFileCredentials(),
          insecureRegistries: insecureFromEnv(),
          onLog: (l) => process.stderr.write(`  ${l}\n`),
        });
        if (!pulled.ok) {
          process.stderr.write(`trellis compile: ${pulled.error.kind}: ${pulled.error.message}\n`);
          return 1;
        }
        upload = pulled.value.file;
        const r = pulled.value;
        source = { reference: r.reference, pinned: r.pinned, digest: r.digest, manifestDigest: r.manifestDigest, ...(r.platform ? { platform: r.platform } : {}), pullMs: r.ms, blobBytes: r.blobBytes };
      } else if (!existsSync(image!)) {
        process.stderr.write(`trellis compile: ${image}: no such file, and not an image reference\n`);
        return 1;
      }
      const report = await compileImage({
        upload,
        jobDir,
        ...(source ? { source } : {}),
        fileName: source ? source.reference : basename(image!),
        ...(platform ? { platform } : {}),
        ...(name ? { name } : {}),
        translate: request,
        ...(snapshot ? { snapshot } : {}),
        onLog: (l) => process.stderr.write(`  ${l}\n`),
      });
      process.stderr.write(`${report.summary}\n`);
      const trLine = translationLine(aot.endText, report.produced?.native?.details?.translation);
      if (trLine) process.stdout.write(`${trLine}\n`);
      const snap = report.produced?.native?.details?.snapshot as (SnapshotReport & { skipped?: string }) | undefined;
      if (snap) process.stdout.write(snap.skipped ? `start-up snapshot: none (${snap.skipped})\n` : `${snapshotLine(snap)}\n`);
      if (report.outcome !== "compiled" || !report.produced) return 1;
      await copyFile(join(jobDir, report.produced.file), out);
      const extras = report.produced.native?.extraFiles ?? [];
      for (const extra of extras) {
        const src = extra.file.startsWith("/") ? extra.file : join(jobDir, extra.file);
        if (extra.role.startsWith("rootfs")) await copyFile(src, join(dirname(out), basename(src)));
        else if (extra.role === CLI_COMPONENT_ROLE && component) await copyFile(src, component);
        else if (extra.role === HTTP_COMPONENT_ROLE && httpComponent) await copyFile(src, httpComponent);
      }
      process.stdout.write(`${out}: ${report.produced.bytes} bytes (${report.produced.kind})\n`);
      if (httpComponent) {
        const http = report.produced.native?.details?.httpComponent as { port?: number; bytes?: number } | undefined;
        if (!extras.some((x) => x.role === HTTP_COMPONENT_ROLE) || !http) {
          process.stderr.write(`trellis compile: no wasi:http component was built (${report.produced.native ? "the image exposes no HTTP port, or the log above says why" : "the image is not a native x86-64 image"}); ${httpComponent} not written\n`);
          return 1;
        }
        process.stdout.write(`${httpComponent}: ${http.bytes} bytes (component exporting ${HTTP_HANDLER_EXPORT}, guest port ${http.port})\n`);
      }
      if (push) {
        // The component form where there is one (a Wasm component, or the core's wasi:cli/run wrapper).
        const comp = report.produced.kind === "wasm-component" ? report.produced.file : (extras.find((x) => x.role === HTTP_COMPONENT_ROLE) ?? extras.find((x) => x.role === CLI_COMPONENT_ROLE))?.file;
        const file = comp ? (comp.startsWith("/") ? comp : join(jobDir, comp)) : join(jobDir, report.produced.file);
        const r = await pushArtifact({
          reference: push,
          file,
          kind: comp ? "component" : "module",
          credentials: authFileCredentials(),
          insecureRegistries: insecureFromEnv(),
          ...(source ? { annotations: { "org.opencontainers.image.base.name": source.pinned } } : {}),
          onLog: (l) => process.stderr.write(`  ${l}\n`),
        });
        if (!r.ok) {
          process.stderr.write(`trellis compile: push failed: ${r.error.kind}: ${r.error.message}\n`);
          return 1;
        }
        process.stdout.write(`pushed ${r.value.pinned} (tag ${r.value.tag}, digest ${r.value.digest}, ${comp ? "component" : "module"})\n`);
      }
      return 0;
    } finally {
      await rm(jobDir, { recursive: true, force: true });
    }
  },
};

export default command;
