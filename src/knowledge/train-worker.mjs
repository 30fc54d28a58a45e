// Trains a LocalEngine off the main thread (see trainEngine in train.ts): training a large knowledge base takes
// seconds of CPU, which on the main thread would stall every socket, webhook and request of the node meanwhile. The
// engine comes back as its snapshot (LocalEngine.toJSON), which round-trips exactly.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

try {
  // The worker does not inherit the parent's TypeScript loader: it registers its own.
  register();
  const { trainHere } = await import('./train.ts');
  const engine = await trainHere(workerData.input, workerData.options, workerData.parallel);
  parentPort.postMessage({ ok: true, value: engine.toJSON() });
} catch (err) {
  parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
