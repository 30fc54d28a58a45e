// Training an engine: on this thread for a small knowledge base, in a worker thread for a large one (the engine
// cache after a KB edit, and the evaluation's validation models, several at once).
import type { TrainInput, TrainOptions } from '../../engines/local/index.ts';
import { LocalEngine } from '../../engines/local/index.ts';
import { runWorker } from './worker.ts';

/**
 * Knowledge bases with at least this many texts (phrasings, titles and passages) are trained in a worker thread:
 * on the main thread training would hold up every request, socket and webhook of the node meanwhile (measured on
 * banking77-oos subsets: 0.14 s for 67 phrasings, 0.8 s for 200, 1.1 s for 540 (small KBs get more passes), 4.3 s
 * for 8,790). A worker adds 0.2–0.5 s of start-up and snapshot copying, which only the smallest KBs (the samples
 * in examples/, many tests) are better off without.
 */
export const WORKER_TRAINING_TEXTS = 100;

/** Trains the engine: here for a small knowledge base, in a worker thread for a large one. */
export async function trainEngine(
  input: TrainInput,
  options: { workerFrom?: number; seed?: number } = {},
): Promise<{ engine: LocalEngine; trainedIn: 'thread' | 'worker' }> {
  const trainOptions: TrainOptions = options.seed !== undefined ? { seed: options.seed } : {};
  const texts =
    input.entries.reduce((n, e) => n + e.phrasings.length + (e.title ? 1 : 0), 0) +
    (input.passages?.length ?? 0) +
    (input.negatives?.length ?? 0);
  if (texts < (options.workerFrom ?? WORKER_TRAINING_TEXTS))
    return { engine: LocalEngine.train(input, trainOptions), trainedIn: 'thread' };
  const snapshot = await runWorker<unknown>(new URL('./train-worker.mjs', import.meta.url), {
    workerData: { input, options: trainOptions },
    failed: (message) => new Error(`training failed: ${message ?? 'unknown error'}`),
    crashed: (err) => err,
    exited: (code) => new Error(`the training worker exited (code ${code}) without a result`),
  });
  return { engine: LocalEngine.fromJSON(snapshot), trainedIn: 'worker' };
}
