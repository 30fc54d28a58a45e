// The setup link is said again until someone has used it, then once that it is used, and never again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupReminder } from './start.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('setup link reminder', () => {
  it('repeats the link while no admin exists, then says it is used and stops', async () => {
    vi.useFakeTimers();
    const printed: string[] = [];
    let users = 0;
    setupReminder({
      everyMs: 60_000,
      stillNeeded: async () => users === 0,
      print: (l) => printed.push(l),
      line: 'First run: open http://x/setup#t',
    });
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(printed).toEqual(['First run: open http://x/setup#t', 'First run: open http://x/setup#t']);
    users = 1;
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(180_000);
    expect(printed.slice(2)).toEqual(['First run: the first admin is set up; the setup link is used.']);
  });

  it('stops when told to', async () => {
    vi.useFakeTimers();
    const printed: string[] = [];
    const stop = setupReminder({
      everyMs: 1000,
      stillNeeded: async () => true,
      print: (l) => printed.push(l),
      line: 'x',
    });
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(printed).toEqual([]);
  });
});
