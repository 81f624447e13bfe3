// Validates the files of a downloaded export zip with the same checks the
// export panel runs; prints a JSON array of failures (empty when all valid).
import { strFromU8, unzipSync } from "fflate";
import { readFileSync } from "node:fs";
import { validateExportFiles } from "../../lib/manifest/validate-files";

const entries = unzipSync(new Uint8Array(readFileSync(process.argv[2]!)));
const files = Object.entries(entries)
  .filter(([p]) => !p.endsWith("/"))
  .map(([p, bytes]) => ({ path: p.split("/").slice(1).join("/"), content: strFromU8(bytes) }));
process.stdout.write(JSON.stringify({ count: files.length, paths: files.map((f) => f.path), failures: validateExportFiles(files).filter((v) => !v.ok) }));
