// One piece of work in a worker thread (a PDF read, an engine's training): the worker posts one message,
// `{ok: true, value}` or `{ok: false, error}`, and is terminated once the work settles, whichever way it ends.
import { type ResourceLimits, Worker } from 'node:worker_threads';

export interface OneShotWork {
  workerData: unknown;
  transferList?: ArrayBuffer[];
  resourceLimits?: ResourceLimits;
  /** Given up after this long (timedOut names it). */
  timeoutMs?: number;
  /** The errors the caller reports: the worker's own failure, a crash (out of memory, say), an exit, a timeout. */
  failed: (message: string | undefined) => Error;
  crashed: (err: Error) => Error;
  exited: (code: number) => Error;
  timedOut?: () => Error;
}

export function runWorker<T>(url: URL, work: OneShotWork): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, {
      workerData: work.workerData,
      ...(work.transferList ? { transferList: work.transferList } : {}),
      ...(work.resourceLimits ? { resourceLimits: work.resourceLimits } : {}),
      // Workers load what they need themselves: the parent's loader flags (a test runner's, say) are not for them.
      execArgv: [],
    });
    let settled = false;
    const finish = (err: Error | null, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (err) reject(err);
      else resolve(value as T);
    };
    const timer =
      work.timeoutMs !== undefined
        ? setTimeout(() => finish(work.timedOut?.() ?? new Error('the worker timed out')), work.timeoutMs)
        : undefined;
    worker.once('message', (m: { ok: boolean; value?: T; error?: string }) =>
      m.ok ? finish(null, m.value) : finish(work.failed(m.error)),
    );
    worker.once('error', (err) => finish(work.crashed(err)));
    worker.once('exit', (code) => finish(work.exited(code)));
  });
}
