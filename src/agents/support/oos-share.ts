// The assumed out-of-scope share: a precision target is a promise about live traffic, whose share of questions a
// person must take is unknown. The threshold is chosen on validation questions re-weighted so that out-of-scope ones
// weigh the assumed share (whatever share the validation file has), and evaluations report what precision and
// coverage the chosen threshold delivers when the test file is resampled to 0, 10, 20 and 30% out of scope.
import { z } from 'zod';
import { mulberry32, shuffleInPlace } from '../../engines/local/random.ts';

/** The label of a question a person must take (eval.ts OOS_LABEL; repeated here so this file imports nothing). */
const OOS = 'oos';

/** What an agent and `twelve eval support` assume when nobody says: one question in five is out of scope. */
export const DEFAULT_OOS_SHARE = 0.2;
/** Past half, a knowledge base answers a minority of its traffic: a setting that high is a mistake. */
export const MAX_OOS_SHARE = 0.5;
/** The shares evaluations report (byOosShare). */
export const REPORT_SHARES = [0, 0.1, 0.2, 0.3] as const;
/** Resamples pooled per share: one subsample of a few hundred questions moves precision by half a point. */
export const RESAMPLES = 5;

/** agent.config.oosShare, as the support kind's settings check it. */
export const OosShareSchema = z
  .number()
  .min(0, 'the out-of-scope share is at least 0')
  .max(MAX_OOS_SHARE, `the out-of-scope share is at most ${MAX_OOS_SHARE}`);

/** An agent's assumed out-of-scope share: its setting, or the default. */
export function oosShareOf(config: Record<string, unknown> | undefined): number {
  const r = OosShareSchema.safeParse(config?.oosShare);
  return r.success ? r.data : DEFAULT_OOS_SHARE;
}

interface Labelled {
  label: string;
}

/**
 * Weights that make the out-of-scope rows weigh `share` of the whole and the in-scope rows the rest, each row of a
 * side equally. `groups` splits the out-of-scope side further: rows of each group (a real out-of-scope row of the
 * file, a simulated one) share it equally between the groups present. Null when the share cannot be met: it needs
 * out-of-scope rows (share > 0) and in-scope rows (share < 1).
 */
export function shareWeights(
  rows: readonly Labelled[],
  share: number,
  groups?: readonly (string | undefined)[],
): number[] | null {
  const inScope = rows.filter((r) => r.label !== OOS).length;
  const oos = rows.length - inScope;
  if ((share > 0 && oos === 0) || (share < 1 && inScope === 0)) return null;
  const groupOf = (i: number) => groups?.[i] ?? '';
  const perGroup = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.label === OOS) perGroup.set(groupOf(i), (perGroup.get(groupOf(i)) ?? 0) + 1);
  });
  return rows.map((r, i) =>
    r.label === OOS
      ? share / perGroup.size / perGroup.get(groupOf(i))!
      : inScope > 0
        ? (1 - share) / inScope
        : 0,
  );
}

/**
 * Indices of a subsample of `rows` whose out-of-scope share is `share` (to the nearest row), as large as the file
 * allows without repeating a row: every row of the scarcer side, a seeded random subset of the other. Null when the
 * file cannot hold that share (no out-of-scope rows for a share above 0, none in scope for a share below 1).
 */
export function resampleToShare(rows: readonly Labelled[], share: number, seed: number): number[] | null {
  const oos: number[] = [];
  const inScope: number[] = [];
  rows.forEach((r, i) => {
    (r.label === OOS ? oos : inScope).push(i);
  });
  if ((share > 0 && oos.length === 0) || (share < 1 && inScope.length === 0)) return null;
  let keepIn = inScope.length;
  let keepOos = share >= 1 ? oos.length : Math.round((keepIn * share) / (1 - share));
  if (keepOos > oos.length) {
    keepOos = oos.length;
    keepIn = Math.round((keepOos * (1 - share)) / share);
  }
  const rand = mulberry32(seed);
  const pick = (idx: number[], n: number) => {
    if (n >= idx.length) return idx;
    const copy = [...idx];
    shuffleInPlace(copy, rand);
    return copy.slice(0, n);
  };
  return [...pick(inScope, keepIn), ...pick(oos, keepOos)].sort((a, b) => a - b);
}

/** What a threshold delivers on a test file resampled to one out-of-scope share. */
export interface ShareFigures {
  /** 0 … 1 */
  share: number;
  /** Answered precision on the resampled questions, pooled over RESAMPLES draws; null when the file has no oos rows. */
  precision: number | null;
  /** In-scope questions answered right, of the in-scope questions drawn. */
  coverage: number | null;
  /** Questions per draw (in scope + out of scope). */
  questions: number;
}

interface Scored extends Labelled {
  predicted: string | null;
  confidence: number;
}

/**
 * Precision and coverage at `threshold` when the scored test questions are resampled to each share (RESAMPLES
 * seeded draws pooled; a draw keeps every row of its scarcer side, so the 0% share is the in-scope questions alone).
 */
export function figuresByShare(
  preds: readonly Scored[],
  threshold: number,
  shares: readonly number[] = REPORT_SHARES,
  seed = 12,
): ShareFigures[] {
  return shares.map((share, k) => {
    let answered = 0;
    let correct = 0;
    let inScope = 0;
    let questions = 0;
    for (let draw = 0; draw < RESAMPLES; draw++) {
      const idx = resampleToShare(preds, share, seed + 7919 * draw + 104_729 * k);
      if (idx === null) return { share, precision: null, coverage: null, questions: 0 };
      questions = idx.length;
      for (const i of idx) {
        const p = preds[i]!;
        const isOos = p.label === OOS;
        if (!isOos) inScope++;
        if (p.predicted === null || p.confidence < threshold) continue;
        answered++;
        if (!isOos && p.predicted === p.label) correct++;
      }
    }
    return {
      share,
      precision: answered > 0 ? correct / answered : 1,
      coverage: inScope > 0 ? correct / inScope : 0,
      questions,
    };
  });
}
