// One calibration round of an engine's training (calibrationRound in engines/local/engine.ts), in a thread of its own:
// a large knowledge base's rounds run beside the training of the model itself (see trainHere in train.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

try {
  register();
  const { calibrationRound } = await import('../engines/local/engine.ts');
  parentPort.postMessage({ ok: true, value: calibrationRound(workerData) });
} catch (err) {
  parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
