// The node the footprint bench measures: `twelve start` exactly as bin/twelve.js runs it (tsx, then the CLI's main),
// plus one thing: on the parent's `report` message it answers where its memory is (V8 heap by space, memory outside
// the heap, the PGlite WASM heap), after a full GC so garbage does not count.
import { getHeapSpaceStatistics } from 'node:v8';
import { main } from '../src/cli/main.ts';
import { pgliteHeapBytes } from '../src/store/db.ts';

process.on('message', (m) => {
  if (m !== 'report') return;
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
  process.send?.({ type: 'report', mem, spaces, pgliteHeap: pgliteHeapBytes() });
});

process.exitCode = await main(['start']);
process.disconnect?.();
