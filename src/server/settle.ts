// Full garbage collections once a `twelve start` node has settled. Start-up (the bundle compiled, migrations
// checked, pg-boss's schema, engines read from their snapshots) leaves garbage and a grown heap behind, which V8's
// memory reducer gives back only after a minute or more of idleness: with the demo agents, 237 MB resident until
// then, 201 MB after one collection 15 s after start (`npm run bench -- footprint` reads RSS 60 s after start). At
// 5 s it was too early (244 → 239 MB): the background work that follows start-up (the first jobs, engines trained
// after a KB changed) may still run, so a second collection follows at 45 s.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's `gc()` without starting Node with --expose-gc: the flag is on while a new context is made (contexts made then
 * get the function), then off again, so nothing else sees it. Null if this V8 does not hand it out.
 */
export function exposedGc(): (() => void) | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  setFlagsFromString('--expose-gc');
  try {
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Collects once at each delay after it is called (the timers do not keep the process alive); returns a cancel. */
export function collectAfterStart(delaysMs: number[], gc: (() => void) | null = exposedGc()): () => void {
  if (!gc) return () => {};
  const timers = delaysMs.map((ms) => setTimeout(gc, ms).unref());
  return () => {
    for (const t of timers) clearTimeout(t);
  };
}
