// Pins the readiness arithmetic (bands at 7/8 and 11/12), input validation, mode ordering and the DESIGN §1 table.
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import {
  ALLOWANCE_KEYS,
  BAND_MODE,
  bandForTotal,
  describeMode,
  lowerMode,
  MODE_ALLOWS,
  type Mode,
  modeRank,
  ReadinessInputError,
  type ReadinessScores,
  type Score,
  scoreReadiness,
  toScore,
  validateScores,
} from './model.ts';

const s = (clarity: Score, tolerance: Score, fallback: Score): ReadinessScores => ({
  clarity,
  tolerance,
  fallback,
});

describe('scoreReadiness', () => {
  it('maps totals to bands, modes and verdicts at every boundary [readiness:bands-and-presets]', () => {
    expect(scoreReadiness(s(5, 5, 5))).toMatchObject({ total: 15, band: 'ship', mode: 'production' });
    expect(scoreReadiness(s(4, 4, 4))).toMatchObject({ total: 12, band: 'ship', mode: 'production' });
    expect(scoreReadiness(s(4, 4, 3))).toMatchObject({
      total: 11,
      band: 'pilot',
      mode: 'pilot',
      verdict: 'pilot with guardrails',
    });
    expect(scoreReadiness(s(3, 3, 2))).toMatchObject({ total: 8, band: 'pilot', mode: 'pilot' });
    expect(scoreReadiness(s(3, 2, 2))).toMatchObject({
      total: 7,
      band: 'research',
      mode: 'shadow',
      verdict: 'do not deploy',
    });
    expect(scoreReadiness(s(1, 1, 1))).toMatchObject({ total: 3, band: 'research', mode: 'shadow' });
    expect(scoreReadiness(s(5, 4, 5)).verdict).toBe('ship to production');
  });

  it('covers every possible total', () => {
    for (let total = 3; total <= 15; total++) {
      const expected = total >= 12 ? 'ship' : total >= 8 ? 'pilot' : 'research';
      expect(bandForTotal(total)).toBe(expected);
      expect(BAND_MODE[bandForTotal(total)]).toBe(
        expected === 'ship' ? 'production' : expected === 'pilot' ? 'pilot' : 'shadow',
      );
    }
  });

  it.each([
    ['clarity', { clarity: 0, tolerance: 3, fallback: 3 }],
    ['tolerance', { clarity: 3, tolerance: 6, fallback: 3 }],
    ['fallback', { clarity: 3, tolerance: 3, fallback: 2.5 }],
    ['clarity', { clarity: '4', tolerance: 3, fallback: 3 }],
    ['fallback', { clarity: 3, tolerance: 3 }],
    ['tolerance', { clarity: 3, tolerance: Number.NaN, fallback: 3 }],
  ])('rejects a bad %s with an error naming it', (field, input) => {
    let caught: unknown;
    try {
      scoreReadiness(input as unknown as ReadinessScores);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ReadinessInputError);
    const err = caught as ReadinessInputError;
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toContain('whole number from 1 to 5');
    // Routes map it through the error catalog as a 400.
    expect(isAppError(err)).toBe(true);
    expect(err.id).toBe('validation_failed');
    expect(err.status).toBe(400);
  });

  it('validates helpers directly', () => {
    expect(toScore('clarity', 5)).toBe(5);
    expect(() => toScore('clarity', 'x')).toThrow('clarity must be a whole number from 1 to 5 (got "x")');
    expect(() => validateScores(null)).toThrow(ReadinessInputError);
    expect(() => bandForTotal(16)).toThrow(ReadinessInputError);
    expect(() => bandForTotal(2)).toThrow(ReadinessInputError);
  });
});

describe('modes', () => {
  it('orders production > pilot > shadow', () => {
    expect(modeRank('production')).toBeGreaterThan(modeRank('pilot'));
    expect(modeRank('pilot')).toBeGreaterThan(modeRank('shadow'));
  });

  it('lowerMode picks the more restrictive mode, in either argument order', () => {
    const modes: Mode[] = ['production', 'pilot', 'shadow'];
    for (const a of modes) {
      for (const b of modes) {
        const low = lowerMode(a, b);
        expect(low).toBe(lowerMode(b, a));
        expect(modeRank(low)).toBe(Math.min(modeRank(a), modeRank(b)));
      }
    }
    expect(lowerMode('production', 'pilot')).toBe('pilot');
    expect(lowerMode('shadow', 'production')).toBe('shadow');
  });
});

describe('MODE_ALLOWS', () => {
  it('is the DESIGN §1 table', () => {
    const codes = (m: Mode) => {
      const { text: _text, ...rest } = MODE_ALLOWS[m];
      return rest;
    };
    expect(codes('production')).toEqual({
      replies: 'sent',
      read: 'run',
      write: 'run',
      destructive: 'approval',
      spend: 'cap',
    });
    expect(codes('pilot')).toEqual({
      replies: 'cohort',
      read: 'run',
      write: 'approval',
      destructive: 'approval',
      spend: 'approval',
    });
    expect(codes('shadow')).toEqual({
      replies: 'draft',
      read: 'run',
      write: 'record',
      destructive: 'record',
      spend: 'record',
    });
  });

  it('never gives a lower mode more autonomy than a higher one on any row', () => {
    const rank: Record<string, number> = {
      sent: 3,
      run: 3,
      cap: 2,
      cohort: 2,
      approval: 1,
      record: 0,
      draft: 0,
    };
    for (const key of ALLOWANCE_KEYS) {
      const p = rank[MODE_ALLOWS.production[key]]!;
      const pi = rank[MODE_ALLOWS.pilot[key]]!;
      const sh = rank[MODE_ALLOWS.shadow[key]]!;
      expect(p).toBeGreaterThanOrEqual(pi);
      expect(pi).toBeGreaterThanOrEqual(sh);
    }
  });

  it('describeMode renders one labelled line per row', () => {
    const lines = describeMode('pilot');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^replies to customers: sent only to the pilot cohort/);
    expect(lines[2]).toBe('write tools (reversible: book, send): need approval');
    expect(describeMode('production')[4]).toBe(
      'spend tools (outbound call, paid message): run inside the spend cap, else approval',
    );
    expect(describeMode('shadow')[0]).toBe('replies to customers: never sent: drafts for humans');
    expect(describeMode('shadow')[2]).toContain('"would have done"');
  });
});
