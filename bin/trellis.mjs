#!/usr/bin/env node
// Entry for `trellis` and `npm run trellis --`: registers tsx so the CLI runs
// straight from the TypeScript sources shared with the app.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
