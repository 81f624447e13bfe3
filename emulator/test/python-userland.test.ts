// A large real-userland artifact, end to end as a user runs it: Debian's
// python3.11 with its whole standard library (and the shared libraries its
// extension modules need) is put into a docker-save image, compiled with
// `trellis compile`, and run 8 times in a row with `trellis run`. Each run must
// exit 0 with the same output as the same program run natively. (Node 20's V8
// crashed with exit 139 after most such runs; see the Node 24 issue.)
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDockerSave, tarLayer } from "../../lib/image/test-images";
import { haveHostTools } from "../../lib/testing/host-tools";
import { ensureCore } from "./harness";

const PY = "/usr/bin/python3.11";
const STDLIB = "/usr/lib/python3.11";
const havePython = haveHostTools({ commands: ["ldd", "tar", "clang-14"], files: [PY, STDLIB] }, "the Debian python3 userland artifact");
// Node 20 crashed after 21 of 25 such runs, so 8 in a row would catch it; each run
// costs ~10 s of CI time on 2 cores.
const RUNS = 8;
const NATIVE_ENV: Record<string, string> = { PATH: "/usr/bin:/bin", LC_ALL: "C", PYTHONHASHSEED: "0" };

// Exercises the interpreter and a spread of pure-Python and C-extension stdlib modules.
const PROGRAM = [
  "import json, hashlib, re, collections, zlib, struct, datetime",
  "data = [{'id': i, 'name': f'item-{i % 7}', 'qty': (i * 37) % 11} for i in range(200)]",
  "text = json.dumps(data, sort_keys=True)",
  "print(hashlib.sha256(text.encode()).hexdigest(), zlib.crc32(zlib.compress(text.encode(), 6)))",
  "c = collections.Counter(d['name'] for d in data); print(sorted(c.items())[:3])",
  "print(re.findall(r'item-(\\d)', text)[:5], struct.pack('<IhQ', 7, -2, 2**40).hex())",
  "print(datetime.date(2026, 12, 1) + datetime.timedelta(days=45), sum(x * x for x in range(2000)))",
].join("\n");

describe.skipIf(!havePython)(`Debian python3 userland artifact (trellis compile + ${RUNS} x trellis run)`, () => {
  const dir = mkdtempSync(join(tmpdir(), "trellis-py-"));
  const stage = join(dir, "root");
  const artifact = join(dir, "python.wasm");
  const cli = (args: string[]) => spawnSync(process.execPath, ["bin/trellis.mjs", ...args], { encoding: "utf8", timeout: 300_000, maxBuffer: 16 << 20 });
  let expected = "";

  beforeAll(async () => {
    ensureCore();
    // python3.11, its stdlib, /etc/python3.11 (the stdlib links sitecustomize there), and every library ldd names
    mkdirSync(join(stage, "usr", "bin"), { recursive: true });
    copyFileSync(PY, join(stage, PY));
    symlinkSync("python3.11", join(stage, "usr", "bin", "python3"));
    cpSync(STDLIB, join(stage, STDLIB), { recursive: true, verbatimSymlinks: true });
    if (existsSync("/etc/python3.11")) cpSync("/etc/python3.11", join(stage, "etc", "python3.11"), { recursive: true });
    const elfs = [PY, ...readdirSync(join(STDLIB, "lib-dynload")).filter((f) => f.endsWith(".so")).map((f) => join(STDLIB, "lib-dynload", f))];
    const libs = new Set<string>(["/lib64/ld-linux-x86-64.so.2"]);
    for (const e of elfs) {
      const out = spawnSync("ldd", [e], { encoding: "utf8" }).stdout ?? "";
      for (const m of out.matchAll(/(\/[^ ]+\.so[^ ]*) \(0x/g)) libs.add(m[1]!);
    }
    for (const l of libs) {
      mkdirSync(join(stage, dirname(l)), { recursive: true });
      if (!existsSync(join(stage, l))) copyFileSync(realpathSync(l), join(stage, l));
    }
    mkdirSync(join(stage, "tmp"), { recursive: true });
    mkdirSync(join(stage, "etc"), { recursive: true });
    for (const f of ["passwd", "group"]) copyFileSync(`/etc/${f}`, join(stage, "etc", f));
    const layer = join(dir, "layer.tar");
    execFileSync("tar", ["-C", stage, "--numeric-owner", "-cf", layer, "."]);
    const image = join(dir, "image.tar");
    const env = ["PATH=/usr/bin:/bin", "LC_ALL=C", "PYTHONHASHSEED=0"];
    writeFileSync(image, await makeDockerSave([tarLayer(readFileSync(layer))], { Entrypoint: ["/usr/bin/python3"], Cmd: ["-c", "print('hi')"], Env: env }));
    rmSync(layer);
    const c = cli(["compile", image, "-o", artifact]);
    if (c.status !== 0) throw new Error(`trellis compile failed (${c.status}): ${c.stderr}`);
    const native = spawnSync(PY, ["-c", PROGRAM], { encoding: "utf8", env: NATIVE_ENV as NodeJS.ProcessEnv });
    expect(native.status, native.stderr).toBe(0);
    expected = native.stdout;
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is a large artifact holding the real userland", () => {
    expect(statSync(artifact).size).toBeGreaterThan(40 << 20);
  });

  it(`runs ${RUNS} times in a row with exit 0 and the native output`, () => {
    const codes: (number | null)[] = [];
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = cli(["run", artifact, "--", "-c", PROGRAM]);
      ms.push(Math.round(performance.now() - t0));
      codes.push(r.status);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(expected);
    }
    expect(codes).toEqual(Array(RUNS).fill(0));
    console.log(`python3 userland artifact: ${RUNS} runs, exit codes all 0, ms per run: ${ms.join(" ")}`);
  }, 1_800_000);
});
