// Initializes a new PGlite data folder (initdb) in a process of its own: initdb grows its WASM heap far past what a
// running node needs, and neither a closed PGlite instance nor a finished worker thread gives that memory back to the
// system (the allocator keeps it). This process's exit does, so the node runs on an instance that never held it
// (store/open.ts). Arguments: the folder, then the start parameters as JSON. Exit 0 when done; the error on stderr.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const [dataDir, params] = process.argv.slice(2);
mkdirSync(dataDir, { recursive: true });
try {
  const db = await PGlite.create({ dataDir, startParams: JSON.parse(params ?? '[]') });
  await db.close();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
