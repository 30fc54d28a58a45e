// The node the footprint bench measures: `twelve start` exactly as bin/twelve.js runs it (bin/entry.js: the build
// while it is fresh, the sources otherwise), plus one thing: on the parent's `report` message it answers where its
// memory is (V8 heap by space, memory outside the heap, the PGlite WASM heap), after a full GC so garbage does not
// count. Plain JavaScript, so that no TypeScript loader is in the process unless the CLI itself needs one.
import { getHeapSpaceStatistics } from 'node:v8';
import { build, loadCli } from '../bin/entry.js';

const b = build();
const cli = await loadCli(b);
process.on('message', (m) => {
  if (m !== 'report') return;
  globalThis.gc?.();
  const mem = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
  process.send?.({
    type: 'report',
    mem,
    spaces,
    pgliteHeap: cli.pgliteHeapBytes(),
    build: b.builtAt ? 'build' : b.stale,
  });
});

process.exitCode = await cli.main(['start']);
process.disconnect?.();
