#!/usr/bin/env node
// Entry for `trellis` and `npm run trellis --`: registers tsx so the CLI runs
// straight from the TypeScript sources shared with the app.
if (Number(process.versions.node.split(".")[0]) < 24) {
  console.error(`trellis: Node.js 24 or newer is required, this is ${process.version}; run it as \`npm run trellis -- ...\` after \`bash scripts/setup.sh\` (which provides Node 24).`);
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
