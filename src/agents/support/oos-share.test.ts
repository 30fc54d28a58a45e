// Pins the assumed out-of-scope share: the weights, the resampling, the figures by share, and a threshold chosen on
// a validation set with too few out-of-scope questions that still holds at the assumed share.
import { describe, expect, it } from 'vitest';
import { chooseThreshold, computeFigures, type Prediction, tooFewOos } from './eval.ts';
import {
  DEFAULT_OOS_SHARE,
  figuresByShare,
  OosShareSchema,
  oosShareOf,
  RESAMPLES,
  resampleToShare,
  shareWeights,
} from './oos-share.ts';

const p = (label: string, predicted: string | null, confidence: number): Prediction => ({
  label,
  predicted,
  confidence,
});

describe('shareWeights', () => {
  it('gives the out-of-scope side the share and the in-scope side the rest, each row alike', () => {
    const rows = [p('a', 'a', 1), p('b', 'b', 1), p('c', 'c', 1), p('oos', null, 0)];
    const w = shareWeights(rows, 0.2)!;
    expect(w[0]).toBeCloseTo(0.8 / 3);
    expect(w[3]).toBeCloseTo(0.2);
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1);
  });

  it('splits the out-of-scope side equally between groups', () => {
    const rows = [p('a', 'a', 1), p('oos', null, 0), p('oos', null, 0), p('oos', null, 0)];
    const w = shareWeights(rows, 0.4, [undefined, 'file', 'simulated', 'simulated'])!;
    expect(w[1]).toBeCloseTo(0.2);
    expect(w[2]).toBeCloseTo(0.1);
    expect(w[3]).toBeCloseTo(0.1);
  });

  it('is null when the share cannot be met', () => {
    expect(shareWeights([p('a', 'a', 1)], 0.2)).toBeNull();
    expect(shareWeights([p('oos', 'a', 1)], 0.2)).toBeNull();
    expect(shareWeights([p('a', 'a', 1)], 0)).not.toBeNull();
  });
});

describe('resampleToShare', () => {
  const rows = [
    ...Array.from({ length: 90 }, (_, i) => ({ label: `l${i % 9}` })),
    ...Array.from({ length: 10 }, () => ({ label: 'oos' })),
  ];
  const share = (idx: number[]) => idx.filter((i) => rows[i]!.label === 'oos').length / idx.length;

  it('keeps every in-scope row and draws out-of-scope ones when they suffice', () => {
    const idx = resampleToShare(rows, 0.1, 1)!;
    expect(idx).toHaveLength(100);
    expect(share(idx)).toBeCloseTo(0.1);
    const five = resampleToShare(rows, 0.05, 1)!;
    expect(five.filter((i) => rows[i]!.label !== 'oos')).toHaveLength(90);
    expect(share(five)).toBeCloseTo(5 / 95);
  });

  it('keeps every out-of-scope row and draws in-scope ones past that, without repeating a row', () => {
    const idx = resampleToShare(rows, 0.3, 1)!;
    expect(share(idx)).toBeCloseTo(10 / 33);
    expect(new Set(idx).size).toBe(idx.length);
    expect(idx.filter((i) => rows[i]!.label === 'oos')).toHaveLength(10);
  });

  it('is the in-scope rows alone at 0%, seeded, and null without out-of-scope rows', () => {
    expect(resampleToShare(rows, 0, 1)).toHaveLength(90);
    expect(resampleToShare(rows, 0.3, 5)).toEqual(resampleToShare(rows, 0.3, 5));
    expect(resampleToShare(rows, 0.3, 5)).not.toEqual(resampleToShare(rows, 0.3, 6));
    expect(resampleToShare(rows.slice(0, 90), 0.2, 1)).toBeNull();
  });
});

describe('figuresByShare', () => {
  // 80 in-scope (60 answered right, 10 answered wrong, 10 below), 40 out of scope (20 answered at 0.9).
  const preds = [
    ...Array.from({ length: 60 }, () => p('a', 'a', 0.9)),
    ...Array.from({ length: 10 }, () => p('b', 'a', 0.9)),
    ...Array.from({ length: 10 }, () => p('b', 'b', 0.1)),
    ...Array.from({ length: 20 }, () => p('oos', 'a', 0.9)),
    ...Array.from({ length: 20 }, () => p('oos', 'a', 0.1)),
  ];

  it('falls as the share grows; at 0% it is the in-scope figures; coverage stays', () => {
    const [zero, ten, twenty, thirty] = figuresByShare(preds, 0.5);
    expect(zero).toMatchObject({ share: 0, questions: 80 });
    const inScopeOnly = computeFigures(preds.slice(0, 80), 0.5);
    expect(zero!.precision).toBeCloseTo(inScopeOnly.answeredPrecision);
    expect(zero!.coverage).toBeCloseTo(inScopeOnly.coverage);
    expect(ten!.precision!).toBeLessThan(zero!.precision!);
    expect(twenty!.precision!).toBeLessThan(ten!.precision!);
    expect(thirty!.precision!).toBeLessThan(twenty!.precision!);
    expect(thirty!.coverage).toBeCloseTo(0.75);
    // 30%: every in-scope row and 34 of the 40 out-of-scope ones (80 × 0.3 / 0.7, rounded).
    expect(thirty!.questions).toBe(114);
    // Half the drawn out-of-scope questions are answered, all wrongly: about 60 / (70 + 17).
    expect(thirty!.precision!).toBeGreaterThan(0.66);
    expect(thirty!.precision!).toBeLessThan(0.72);
  });

  it('says n/a for a share the set cannot show', () => {
    const [zero, ten] = figuresByShare(preds.slice(0, 80), 0.5);
    expect(zero!.precision).not.toBeNull();
    expect(ten).toEqual({ share: 0.1, precision: null, coverage: null, questions: 0 });
    expect(RESAMPLES).toBeGreaterThan(1);
  });
});

describe('a threshold for the assumed share', () => {
  // Validation with 2% out of scope; the out-of-scope questions match at 0.6–0.8, in-scope ones at 0.5–0.95 (5% of
  // the in-scope ones wrong, all below 0.6). Live traffic with 20% out of scope: an unweighted choice answers them.
  const val: Prediction[] = [
    ...Array.from({ length: 95 }, (_, i) => p('a', 'a', 0.5 + (0.45 * i) / 94)),
    ...Array.from({ length: 5 }, (_, i) => p('a', 'b', 0.5 + i * 0.01)),
    p('oos', 'a', 0.6),
    p('oos', 'a', 0.8),
  ];
  const live = [
    ...val.filter((x) => x.label !== 'oos'),
    ...Array.from({ length: 25 }, (_, i) => p('oos', 'a', 0.6 + i * 0.008)),
  ];

  it('re-weighted to 20% keeps the target on traffic with 20% out of scope; unweighted does not', () => {
    const plain = chooseThreshold(val, 0.95);
    const weighted = chooseThreshold(val, 0.95, shareWeights(val, 0.2)!);
    expect(weighted.threshold).toBeGreaterThan(plain.threshold);
    const precisionAt = (t: number) => figuresByShare(live, t, [0.2])[0]!.precision!;
    expect(precisionAt(plain.threshold)).toBeLessThan(0.94);
    expect(precisionAt(weighted.threshold)).toBeGreaterThanOrEqual(0.94);
  });

  it('calls a validation set with few out-of-scope questions too few', () => {
    expect(tooFewOos(2, 102, 0.2)).toBe(true);
    expect(tooFewOos(60, 1000, 0.2)).toBe(true);
    expect(tooFewOos(150, 1000, 0.2)).toBe(false);
  });
});

describe('the setting', () => {
  it('defaults to 20% and is checked from 0 to 0.5', () => {
    expect(oosShareOf({})).toBe(DEFAULT_OOS_SHARE);
    expect(oosShareOf({ oosShare: 0.1 })).toBe(0.1);
    expect(OosShareSchema.safeParse(0.6).success).toBe(false);
    expect(OosShareSchema.safeParse(-0.1).success).toBe(false);
    expect(OosShareSchema.safeParse(0.5).success).toBe(true);
  });
});
