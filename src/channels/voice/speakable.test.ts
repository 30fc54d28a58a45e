// Pins what a voice says: no markup, no URLs, times as people say them, one line, short.
import { describe, expect, it } from 'vitest';
import { MAX_SPOKEN_CHARS, speakable } from './speakable.ts';

describe('speakable', () => {
  it('says times as people do', () => {
    expect(speakable('We open at 09:00 and close at 17:30.')).toBe('We open at 9 am and close at 5:30 pm.');
    expect(speakable('Lunch 12:00, last call 00:00, or 3:30pm, or 10 AM.')).toBe(
      'Lunch noon, last call midnight, or 3:30 pm, or 10 am.',
    );
    expect(speakable('Order 2026-01-05 ref 1:2:3:4 stays')).toBe('Order 2026-01-05 ref 1:2:3:4 stays');
  });

  it('drops Markdown and URLs', () => {
    expect(speakable('**Yes!** See [our hours](https://x.example/hours) or https://x.example.')).toBe(
      'Yes! See our hours or the link we sent.',
    );
    expect(speakable('# Hours\n- Monday: 9–5\n- Tuesday: `closed`\n\n> note')).toBe(
      'Hours Monday: 9–5. Tuesday: closed. note',
    );
  });

  it('is one line, and long text is cut at a sentence end', () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} is here.`).join('\n');
    const s = speakable(long);
    expect(s).not.toContain('\n');
    expect(s.length).toBeLessThanOrEqual(MAX_SPOKEN_CHARS);
    expect(s.endsWith('.')).toBe(true);
  });
});
