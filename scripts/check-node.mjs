#!/usr/bin/env node
// Trellis runs on Node.js 24 LTS. `bash scripts/setup.sh` provides it (the
// machine's own, or .node/ linked as node_modules/.bin/node for npm scripts).
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(`trellis: Node.js 24 or newer is required, this is ${process.version} (${process.execPath}).\nRun \`bash scripts/setup.sh --no-start\` once: it installs Node.js 24 for this checkout when the machine's is older.`);
  process.exit(1);
}
