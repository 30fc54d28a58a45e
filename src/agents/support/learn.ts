// Learning from people, measured (`twelve eval support --learn`): the agent starts from the training file and plays
// the test file in order, a batch at a time. After each batch, what a person would have added through the inbox for
// the questions it handed over is added (an in-scope question becomes a phrasing of its entry, an out-of-scope one a
// question that goes to a person), the engine is retrained, and coverage and precision are measured on the questions
// not seen yet: the learning curve. The threshold is chosen once, at the start, as `twelve eval support` chooses it
// (a live agent's threshold does not move by itself); the engine's confidence is calibrated at each training.
import type { LocalEngine } from '../../engines/local/engine.ts';
import { mulberry32, shuffleInPlace } from '../../engines/local/random.ts';
import { trainHere } from '../../knowledge/train.ts';
import {
  buildEntries,
  buildNegatives,
  capPerLabel,
  computeFigures,
  type LabeledText,
  OOS_LABEL,
  type Prediction,
  runEvaluation,
} from './eval.ts';

export interface LearnOptions {
  train: LabeledText[];
  test: LabeledText[];
  maxPerLabel?: number;
  /** Test questions played between retrainings (default 200). */
  batch?: number;
  /** Play the test file in a seeded random order instead of file order. */
  shuffle?: boolean;
  seed?: number;
  targetPrecision?: number;
  oosShare?: number;
  /** A fixed threshold instead of one chosen at the start (tests, comparisons). */
  threshold?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** One point of the learning curve: the knowledge base after `seen` test questions were played. */
export interface LearnPoint {
  /** Batches played before this point (0: the training file alone). */
  batch: number;
  seen: number;
  /** Phrasings in the knowledge base (entries' example questions) and questions that go to a person. */
  phrasings: number;
  negatives: number;
  /** What the people added after the last batch: in-scope hand-offs as phrasings, out-of-scope ones as negatives. */
  addedPhrasings: number;
  addedNegatives: number;
  /** The questions not seen yet, and the figures on them at the threshold. */
  remaining: number;
  coverage: number;
  precision: number;
  oosRecall: number;
  answered: number;
}

export interface LearnReport {
  trainSize: number;
  testSize: number;
  maxPerLabel: number | null;
  batch: number;
  shuffled: boolean;
  threshold: number;
  targetPrecision: number;
  oosShare: number;
  curve: LearnPoint[];
  trainingMs: number;
}

export const DEFAULT_BATCH = 200;

/** What a person adds for one batch: its handed-over questions, by label (oos: questions that go to a person). */
export function handOffsOf(
  batch: LabeledText[],
  preds: Prediction[],
  threshold: number,
): { phrasings: LabeledText[]; negatives: string[] } {
  const phrasings: LabeledText[] = [];
  const negatives: string[] = [];
  batch.forEach((row, i) => {
    const p = preds[i]!;
    const answered = p.predicted !== null && p.confidence >= threshold;
    if (answered) return;
    if (row.label === OOS_LABEL) negatives.push(row.text);
    else phrasings.push(row);
  });
  return { phrasings, negatives };
}

function predict(engine: LocalEngine, rows: LabeledText[]): Prediction[] {
  return rows.map((r) => {
    const res = engine.match(r.text, 1);
    return { label: r.label, predicted: res.top?.id ?? null, confidence: res.confidence };
  });
}

export async function runLearning(opts: LearnOptions): Promise<LearnReport> {
  const batchSize = opts.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batch must be a positive integer');
  const seed = opts.seed ?? 12;
  const maxPerLabel = opts.maxPerLabel ?? null;
  const progress = opts.onProgress;
  const kb = maxPerLabel !== null ? capPerLabel(opts.train, maxPerLabel) : [...opts.train];
  const test = [...opts.test];
  if (opts.shuffle) shuffleInPlace(test, mulberry32(seed ^ 0x1ea7));

  let threshold = opts.threshold;
  let target = opts.targetPrecision ?? 0.95;
  let oosShare = opts.oosShare ?? 0.2;
  if (threshold === undefined) {
    // The threshold `twelve eval support` would choose for the starting knowledge base (on its own validation).
    const start = await runEvaluation({
      train: kb,
      test: [],
      seed,
      ...(opts.targetPrecision !== undefined ? { targetPrecision: opts.targetPrecision } : {}),
      ...(opts.oosShare !== undefined ? { oosShare: opts.oosShare } : {}),
      ...(progress ? { onProgress: progress } : {}),
    });
    threshold = start.threshold;
    target = start.targetPrecision;
    oosShare = start.oosShare;
  }

  const curve: LearnPoint[] = [];
  let trainingMs = 0;
  const batches = Math.ceil(test.length / batchSize);
  let added = { phrasings: 0, negatives: 0 };
  // A point before each batch, measured on the questions from that batch on; none after the last (nothing is left).
  for (let b = 0; b < Math.max(1, batches); b++) {
    progress?.('learn', b, batches);
    const t0 = performance.now();
    const engine = await trainHere(
      { entries: buildEntries(kb), negatives: buildNegatives(kb) },
      { seed: seed + b },
    );
    trainingMs += performance.now() - t0;
    const seen = Math.min(b * batchSize, test.length);
    const rest = test.slice(seen);
    const preds = predict(engine, rest);
    const f = computeFigures(preds, threshold);
    curve.push({
      batch: b,
      seen,
      phrasings: kb.filter((r) => r.label !== OOS_LABEL).length,
      negatives: kb.length - kb.filter((r) => r.label !== OOS_LABEL).length,
      addedPhrasings: added.phrasings,
      addedNegatives: added.negatives,
      remaining: rest.length,
      coverage: f.coverage,
      precision: f.answeredPrecision,
      oosRecall: f.oosRecall,
      answered: f.answered,
    });
    // The next batch, as the agent met it, and what people added for its hand-offs.
    const played = rest.slice(0, batchSize);
    const handed = handOffsOf(played, preds.slice(0, batchSize), threshold);
    kb.push(...handed.phrasings, ...handed.negatives.map((text) => ({ text, label: OOS_LABEL })));
    added = { phrasings: handed.phrasings.length, negatives: handed.negatives.length };
  }
  return {
    trainSize: maxPerLabel !== null ? capPerLabel(opts.train, maxPerLabel).length : opts.train.length,
    testSize: test.length,
    maxPerLabel,
    batch: batchSize,
    shuffled: opts.shuffle === true,
    threshold,
    targetPrecision: target,
    oosShare,
    curve,
    trainingMs,
  };
}
