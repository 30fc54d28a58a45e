// Training an engine: on this thread for a small knowledge base, in a worker thread for a large one (the engine
// cache after a KB edit, and the evaluation's validation models, several at once).
import { availableParallelism } from 'node:os';
import { runWorker } from '../documents/worker.ts';
import type { CalibrationJob, CalibrationRows, TrainInput, TrainOptions } from '../engines/local/index.ts';
import { LocalEngine } from '../engines/local/index.ts';

/**
 * Knowledge bases with at least this many texts (phrasings, titles and passages) are trained in a worker thread:
 * on the main thread training would hold up every request, socket and webhook of the node meanwhile (measured on
 * banking77-oos subsets: 0.14 s for 67 phrasings, 0.8 s for 200, 1.1 s for 540 (small KBs get more passes), 4.3 s
 * for 8,790). A worker adds 0.2–0.5 s of start-up and snapshot copying, which only the smallest KBs (the samples
 * in examples/, many tests) are better off without.
 */
export const WORKER_TRAINING_TEXTS = 100;

/**
 * Knowledge bases with at least this many texts run their confidence calibration rounds (more than half the training
 * time of a large KB) in worker threads of their own, beside the model's training, when the machine has more than one
 * core. The engine is the same, bit for bit. Each worker costs a start-up (its TypeScript loader, the copy of the
 * vectors), which small KBs do not earn back: on 2 cores (`npm run bench -- engine`) 169% of the one-thread time at
 * 2,067 texts, 91% at 4,069 and 90% at 8,857; more cores gain more.
 */
export const PARALLEL_CALIBRATION_TEXTS = 4000;

function textCount(input: TrainInput): number {
  return (
    input.entries.reduce((n, e) => n + e.phrasings.length + (e.title ? 1 : 0), 0) +
    (input.passages?.length ?? 0) +
    (input.negatives?.length ?? 0)
  );
}

/**
 * Trains the engine: here for a small knowledge base, in a worker thread for a large one. `parallel: false` keeps a
 * large one's calibration rounds in its own thread (the evaluation trains several engines side by side already).
 */
export async function trainEngine(
  input: TrainInput,
  options: { workerFrom?: number; seed?: number; parallel?: boolean; parallelFrom?: number } = {},
): Promise<{ engine: LocalEngine; trainedIn: 'thread' | 'worker' }> {
  const trainOptions: TrainOptions = options.seed !== undefined ? { seed: options.seed } : {};
  if (textCount(input) < (options.workerFrom ?? WORKER_TRAINING_TEXTS))
    return { engine: LocalEngine.train(input, trainOptions), trainedIn: 'thread' };
  const snapshot = await runWorker<unknown>(new URL('./train-worker.mjs', import.meta.url), {
    workerData: {
      input,
      options: trainOptions,
      parallel: { parallel: options.parallel ?? true, parallelFrom: options.parallelFrom },
    },
    failed: (message) => new Error(`training failed: ${message ?? 'unknown error'}`),
    crashed: (err) => err,
    exited: (code) => new Error(`the training worker exited (code ${code}) without a result`),
  });
  return { engine: LocalEngine.fromJSON(snapshot), trainedIn: 'worker' };
}

/**
 * Trains on this thread; a large knowledge base's calibration rounds go to worker threads meanwhile (see
 * PARALLEL_CALIBRATION_TEXTS) unless `parallel` is false or the machine has one core.
 */
export async function trainHere(
  input: TrainInput,
  options: TrainOptions = {},
  {
    parallel = true,
    parallelFrom = PARALLEL_CALIBRATION_TEXTS,
  }: { parallel?: boolean; parallelFrom?: number } = {},
): Promise<LocalEngine> {
  if (!parallel || availableParallelism() < 2 || textCount(input) < parallelFrom)
    return LocalEngine.train(input, options);
  return LocalEngine.trainParallel(input, options, calibrateInWorker);
}

/** One calibration round in a worker thread of its own. */
export function calibrateInWorker(job: CalibrationJob): Promise<CalibrationRows> {
  return runWorker<CalibrationRows>(new URL('./calibrate-worker.mjs', import.meta.url), {
    workerData: job,
    failed: (message) => new Error(`calibration failed: ${message ?? 'unknown error'}`),
    crashed: (err) => err,
    exited: (code) => new Error(`a calibration worker exited (code ${code}) without a result`),
  });
}
