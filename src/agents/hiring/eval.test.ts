// The ranking measures on hand-checked lists, and the TF-IDF baseline ranking by shared rare words.
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  EvalInputError,
  ndcgAt,
  parseQrels,
  parseResumeLines,
  precisionAt,
  tfidfRanker,
} from './eval.ts';

const grades = new Map([
  ['a', 2],
  ['b', 0],
  ['c', 1],
  ['d', 0],
]);

describe('ranking measures', () => {
  it('P@k, nDCG@k and AP on a small list', () => {
    const ranked = ['b', 'a', 'd', 'c', 'e'];
    expect(precisionAt(ranked, grades, 5)).toBeCloseTo(2 / 5);
    // DCG = 3/log2(3) + 1/log2(5); IDCG = 3/log2(2) + 1/log2(3).
    expect(ndcgAt(ranked, grades, 10)).toBeCloseTo(
      (3 / Math.log2(3) + 1 / Math.log2(5)) / (3 + 1 / Math.log2(3)),
    );
    expect(averagePrecision(ranked, grades)).toBeCloseTo((1 / 2 + 2 / 4) / 2);
    expect(ndcgAt(['a', 'c', 'b'], grades, 10)).toBeCloseTo(1);
    expect(averagePrecision(['x'], new Map([['x', 0]]))).toBe(0);
  });

  it('TF-IDF cosine ranks the document sharing the rarest words first', () => {
    const rank = tfidfRanker([
      { id: 'x', text: 'forklift warehouse shift' },
      { id: 'y', text: 'typescript postgres backend engineer' },
      { id: 'z', text: 'engineer engineer engineer' },
    ]);
    const scores = rank('backend engineer with postgres');
    expect(scores.sort((p, q) => q.score - p.score)[0]!.id).toBe('y');
  });

  it('bad input says where', () => {
    expect(() => parseQrels('j\tr\tmaybe\n', 'q.tsv')).toThrow(/q.tsv:1: relevance/);
    expect(() => parseQrels('j r 1\n', 'q.tsv')).toThrow(EvalInputError);
    expect(() => parseResumeLines('{"id":"a","text":"x"}\n{"id":"a","text":"y"}', 'r.jsonl')).toThrow(
      /r.jsonl:2: duplicate id/,
    );
    expect(() => parseResumeLines('{"id":"a"}', 'r.jsonl')).toThrow(/needs "text" or "file"/);
  });
});
