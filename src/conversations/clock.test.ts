// The waiting clock's colours against the reply-time target, and its labels.
import { describe, expect, it } from 'vitest';
import { waitedLabel, waitingTone } from './clock.ts';

describe('waiting clock', () => {
  it('is fine under 75 % of the target, amber from there, red past it', () => {
    expect(waitingTone(44 * 60_000, 60)).toBe('ok');
    expect(waitingTone(45 * 60_000, 60)).toBe('amber');
    expect(waitingTone(60 * 60_000, 60)).toBe('amber');
    expect(waitingTone(60 * 60_000 + 1, 60)).toBe('red');
  });
  it('reads at a glance', () => {
    expect(waitedLabel(20_000)).toBe('under 1 min');
    expect(waitedLabel(4 * 60_000)).toBe('4 min');
    expect(waitedLabel(65 * 60_000)).toBe('1 h 05 min');
    expect(waitedLabel(51 * 3_600_000)).toBe('2 d 3 h');
  });
});
