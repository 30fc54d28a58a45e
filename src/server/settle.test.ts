// The collection a `twelve start` node runs once it has settled (settle.ts): V8's gc() is obtained without
// --expose-gc on this Node, runs once at each delay, and no more once cancelled (a node stopped early).
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { collectAfterStart, exposedGc } from './settle.ts';

describe('the collection after start', () => {
  it('obtains V8 gc() without --expose-gc, and it collects', async () => {
    expect(process.execArgv.join(' ')).not.toContain('expose-gc');
    const gc = exposedGc();
    expect(gc).toBeTypeOf('function');
    let garbage: unknown[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    const ref = new WeakRef(garbage);
    garbage = null;
    // A WeakRef holds its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
    expect(ref.deref()).toBeUndefined();
    // The flag is off again: neither this context nor one made now has gc.
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  it('collects once at each delay, never after a cancel', () => {
    vi.useFakeTimers();
    try {
      const gc = vi.fn();
      collectAfterStart([5_000, 20_000], gc);
      vi.advanceTimersByTime(4_999);
      expect(gc).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(gc).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(15_000);
      expect(gc).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(60_000);
      expect(gc).toHaveBeenCalledTimes(2);

      const cancelled = vi.fn();
      const cancel = collectAfterStart([5_000, 20_000], cancelled);
      vi.advanceTimersByTime(5_000);
      cancel();
      vi.advanceTimersByTime(60_000);
      expect(cancelled).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
