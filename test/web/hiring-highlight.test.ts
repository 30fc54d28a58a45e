// The resume view's highlighting: segments cover the text exactly once, marks follow the engine's offsets, and
// evidence that is not really in the text (a wrong offset, a changed quote) is dropped rather than drawn wrong.
import { describe, expect, it } from 'vitest';
import { segments, validSpans } from '../../web/src/agents/hiring/highlight.ts';
import type { CriterionResult } from '../../web/src/agents/hiring/types.ts';

const TEXT = 'Built APIs in TypeScript for 6 years. Led a team of four.';
const ts = TEXT.indexOf('TypeScript');
const crit = (id: string, evidence: { quote: string; start: number; end: number }[]): CriterionResult => ({
  id,
  label: id,
  required: true,
  weight: 3,
  verdict: evidence.length ? 'met' : 'missing',
  evidence,
});

describe('resume highlighting', () => {
  it('marks each quote and leaves the rest plain, covering the text exactly', () => {
    const spans = validSpans(TEXT, [
      crit('typescript', [{ quote: 'TypeScript', start: ts, end: ts + 10 }]),
      crit('lead', [{ quote: 'Led a team', start: TEXT.indexOf('Led'), end: TEXT.indexOf('Led') + 10 }]),
      crit('go', []),
    ]);
    const segs = segments(TEXT, spans);
    expect(segs.map((s) => s.text).join('')).toBe(TEXT);
    expect(segs.filter((s) => s.criteria.length).map((s) => [s.text, s.criteria])).toEqual([
      ['TypeScript', ['typescript']],
      ['Led a team', ['lead']],
    ]);
  });

  it('gives overlapping quotes a segment marked for both', () => {
    const years = TEXT.indexOf('TypeScript for 6 years');
    const spans = validSpans(TEXT, [
      crit('typescript', [{ quote: 'TypeScript', start: ts, end: ts + 10 }]),
      crit('years', [{ quote: 'TypeScript for 6 years', start: years, end: years + 22 }]),
    ]);
    const segs = segments(TEXT, spans);
    expect(segs.find((s) => s.text === 'TypeScript')?.criteria).toEqual(['typescript', 'years']);
    expect(segs.find((s) => s.text === ' for 6 years')?.criteria).toEqual(['years']);
    expect(segs.map((s) => s.text).join('')).toBe(TEXT);
  });

  it('drops evidence whose offsets do not hold its quote, or lie outside the text', () => {
    const spans = validSpans(TEXT, [
      crit('a', [{ quote: 'Python', start: ts, end: ts + 6 }]),
      crit('b', [{ quote: 'x', start: TEXT.length, end: TEXT.length + 1 }]),
      crit('c', [{ quote: '', start: 3, end: 3 }]),
    ]);
    expect(spans).toEqual([]);
    expect(segments(TEXT, spans)).toEqual([{ text: TEXT, start: 0, criteria: [] }]);
  });

  it('handles empty text', () => {
    expect(segments('', [])).toEqual([]);
  });
});
