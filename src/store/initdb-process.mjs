// Makes a new PGlite data folder ready (initdb, then the migrations) in a process of its own: initdb grows its WASM
// heap far past what a running node needs, the schema's DDL grows it further, and neither a closed PGlite instance
// nor a finished worker thread gives that memory back to the system (the allocator keeps it). This process's exit
// does, so the node runs on an instance that never held it (store/open.ts). It loads the CLI as bin/twelve.js does
// (the build while it is fresh, the sources otherwise) for open.ts's initializeFolder. Arguments: the folder, then
// the start parameters as JSON. Exit 0 when done; the error on stderr.
import { mkdirSync } from 'node:fs';
import { build, loadCli } from '../../bin/entry.js';

const [dataDir, params] = process.argv.slice(2);
mkdirSync(dataDir, { recursive: true });
try {
  const cli = await loadCli(build());
  await cli.initializeFolder(dataDir, JSON.parse(params ?? '[]'));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
