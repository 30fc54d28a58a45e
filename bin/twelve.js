#!/usr/bin/env node
// Entry point of the `twelve` CLI: runs the build of the sources while it is fresh, the sources otherwise
// (bin/entry.js); `twelve --version` says which.
import { build, loadCli, versionLine } from './entry.js';

const b = build();
if (process.argv[2] === '--version' || process.argv[2] === '-v') console.log(versionLine(b));
else {
  const { main } = await loadCli(b);
  process.exitCode = await main(process.argv.slice(2));
}
