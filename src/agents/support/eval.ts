// Offline evaluation of the support agent's answer engine: accuracy, answer threshold, precision, coverage, OOS.

import { availableParallelism } from 'node:os';
import type { FaqEntryInput, LocalEngine } from '../../engines/local/engine.ts';
import { mulberry32, shuffleInPlace } from '../../engines/local/random.ts';
import { trainEngine, trainHere } from '../../knowledge/train.ts';
import {
  DEFAULT_OOS_SHARE,
  figuresByShare,
  MAX_OOS_SHARE,
  REPORT_SHARES,
  type ShareFigures,
  shareWeights,
} from './oos-share.ts';

/** label 'oos' = must be escalated. */
export interface LabeledText {
  text: string;
  label: string;
}

export interface EvalOptions {
  train: LabeledText[];
  test: LabeledText[];
  val?: LabeledText[];
  /** default 0.95 */
  targetPrecision?: number;
  maxPerLabel?: number;
  seed?: number;
  /**
   * When validation is carved, also hide a few whole labels from the validation KB and use their rows as
   * out-of-scope validation questions (default true). Without any oos in validation the threshold only guards
   * against confusions between known entries, and out-of-scope questions at test time sail through it. When the
   * training set has oos rows, their carved share is in validation too (the engine learns the rest as questions to
   * escalate), and the hidden labels stand for the kinds of out-of-scope question the file does not show, which a
   * threshold set on the file's own kinds alone lets through (see SIMULATED_OOS_RATIO).
   */
  simulateOos?: boolean;
  /**
   * Carved validation only: how many independent carve (and simulated-oos) rounds are pooled before the
   * threshold is chosen (default 3). One round puts the threshold at the mercy of which few labels happened to
   * be hidden; pooling several gives a larger, less lumpy validation set. Ignored when `val` is given.
   */
  validationRounds?: number;
  /**
   * Each entry's title is its label in words ("card_arrival" → "card arrival"), as a real FAQ entry has a title and
   * the engine matches on it (default true). Off for labels that are codes ("intent_17").
   */
  labelTitles?: boolean;
  /**
   * The share of out-of-scope questions live traffic is assumed to have, at most (default 0.2, 0 … 0.5): validation
   * questions are re-weighted so the out-of-scope ones weigh this share when the threshold is chosen, whatever share
   * the validation set has, and simulated ones join them when it has too few (tooFewOos).
   */
  oosShare?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface EvalReport {
  /** The assumed out-of-scope share the threshold was chosen for (EvalOptions.oosShare). */
  oosShare: number;
  /** The out-of-scope share of the validation questions as the file or the carve gave them (before simulation). */
  valOosShare: number;
  /** Simulated out-of-scope validation questions (hidden labels' rows), all rounds pooled. */
  simulatedOosQuestions: number;
  /** Whether validation was re-weighted to oosShare (false when it had no out-of-scope question at all). */
  reweighted: boolean;
  /** Precision and coverage at the chosen threshold with the test file resampled to 0/10/20/30% out of scope. */
  byOosShare: ShareFigures[];
  trainSize: number;
  testSize: number;
  labels: number;
  /** Training rows labelled oos, learned as questions to escalate. */
  negatives: number;
  inScopeAccuracy: number;
  threshold: number;
  answeredPrecision: number;
  coverage: number;
  oosRecall: number;
  answered: number;
  trainingMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  valSource: 'val' | 'carved';
  targetPrecision: number;
  maxPerLabel: number | null;
  reachedTarget: boolean;
  /** Size of the validation set the threshold was chosen on (all rounds pooled). */
  valSize: number;
  /** Carve rounds pooled for the threshold (1 when `val` was given). */
  validationRounds: number;
  /**
   * The threshold rule's out-of-scope handling: simulated oos labels (beside the carved oos rows when train has
   * them), or exact (the validation questions as they are).
   */
  thresholdRule: 'simulated-oos' | 'exact';
  /** Labels hidden from the validation KB to play out-of-scope questions (0 when not simulated). */
  simulatedOosLabels: number;
  /** Whether entries were titled with their labels in words (EvalOptions.labelTitles). */
  labelTitles: boolean;
  /** Test questions labelled oos (oosRecall is 1 by convention when there are none). */
  oosTestSize: number;
  /** The test questions it got wrong at the threshold, and the labels it confuses most. */
  mistakes: Mistakes;
}

export const OOS_LABEL = 'oos';
const CARVE_SHARE = 0.1;
/**
 * Carve rounds pooled for the threshold when the caller does not say: at least 3, more (up to 10) until the pooled
 * validation set holds about 1,000 questions, so the threshold of a small knowledge base is not chosen on a few
 * dozen questions.
 */
const MIN_VALIDATION_ROUNDS = 3;
const MAX_VALIDATION_ROUNDS = 10;
const MIN_POOLED_VALIDATION = 1000;
/** Share of labels hidden to simulate out-of-scope questions in a carved validation set. */
const SIMULATED_OOS_LABEL_SHARE = 0.1;
/**
 * Simulated oos rows are capped at this many per in-scope validation row (0.2 = one in six questions is out of
 * scope), a deliberate, documented prior: hidden labels hold ~10% of all rows, which would otherwise make half
 * the validation set out of scope and the threshold needlessly strict. Chosen on development splits of the
 * training data only (bench/support-eval.ts, 3 splits): 0.12 → precision 93.8%, 0.16 → 95.0%, 0.2 → 95.9%,
 * 0.25 → ~96.5% with less coverage; 0.2 is the smallest that holds the 95% target with a margin. Re-checked after
 * the engine gained its naive Bayes signals (4 splits): 0.15 → 94.7%, 0.2 → 95.8%.
 *
 * When the training file has oos rows of its own, hidden labels add half that share (0.1) beside the carved oos
 * rows. bench/support-eval.ts --oos-share 0.16 --train-oos 300|100 --train-oos-from same|other (3 splits each;
 * oos rows in train from the test's own held-out labels, or from other ones): this rule gave precision 96.1–96.8%
 * (same) and 93.1–93.4% (other), coverage 80.2–80.8%, oos recall 92–96% (same) and 74–76% (other); the carved oos
 * rows alone (--exact) 92.5–93.5% and 89.0–89.1% with coverage ~87%; the engine before it learned oos rows (exact
 * rule, rows unused but in validation) 90.9–92.8% and 89.3–90.9%, oos recall 59–79%. Out-of-scope kinds the file
 * does not show stay the hard case.
 */
const SIMULATED_OOS_RATIO = 0.2;

/** Parses JSONL rows `{"text": ..., "label": ...}`; blank lines are skipped, anything else malformed throws. */
export function parseJsonl(text: string, file = '<input>'): LabeledText[] {
  const out: LabeledText[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row))
      throw new Error(`${where}: expected a JSON object`);
    const { text: t, label } = row as { text?: unknown; label?: unknown };
    if (typeof t !== 'string') throw new Error(`${where}: "text" must be a string`);
    if (typeof label !== 'string' || label.trim() === '') {
      throw new Error(`${where}: "label" must be a non-empty string`);
    }
    out.push({ text: t, label });
  });
  return out;
}

/** Keeps the first n rows of each label, in file order. */
export function capPerLabel(rows: LabeledText[], n: number): LabeledText[] {
  const seen = new Map<string, number>();
  return rows.filter((r) => {
    const k = seen.get(r.label) ?? 0;
    seen.set(r.label, k + 1);
    return k < n;
  });
}

/**
 * Deterministically splits ~10% of every label (oos included) off as validation: a seeded shuffle within each
 * label, at least one row carved from any label with two or more rows so small KBs still validate every entry.
 */
export function carveValidation(
  rows: LabeledText[],
  seed: number,
): { kb: LabeledText[]; val: LabeledText[] } {
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = byLabel.get(r.label) ?? [];
    list.push(i);
    byLabel.set(r.label, list);
  });
  const carved = new Set<number>();
  const rand = mulberry32(seed);
  for (const label of [...byLabel.keys()].sort()) {
    const idx = byLabel.get(label)!;
    if (idx.length < 2) continue;
    const order = [...idx];
    shuffleInPlace(order, rand);
    const n = Math.max(1, Math.round(idx.length * CARVE_SHARE));
    for (const i of order.slice(0, n)) carved.add(i);
  }
  return {
    kb: rows.filter((_, i) => !carved.has(i)),
    val: rows.filter((_, i) => carved.has(i)),
  };
}

/**
 * Picks a seeded ~10% of in-scope labels (at least one when there are three or more) and moves all their
 * rows out of the KB into validation, relabelled oos, capped relative to the in-scope validation size.
 */
export function simulateOosSplit(
  kb: LabeledText[],
  val: LabeledText[],
  seed: number,
  options: { capped?: boolean } = {},
): { kb: LabeledText[]; val: LabeledText[]; hiddenLabels: number; simulatedRows: number } {
  const labels = [...new Set(kb.map((r) => r.label))].filter((l) => l !== OOS_LABEL).sort();
  if (labels.length < 3) return { kb, val, hiddenLabels: 0, simulatedRows: 0 };
  const rand = mulberry32(seed ^ 0x5eed);
  shuffleInPlace(labels, rand);
  const hidden = new Set(labels.slice(0, Math.max(1, Math.round(labels.length * SIMULATED_OOS_LABEL_SHARE))));
  const keptVal = val.filter((r) => !hidden.has(r.label));
  const pool = [...kb, ...val].filter((r) => hidden.has(r.label));
  shuffleInPlace(pool, rand);
  const realOos = keptVal.filter((r) => r.label === OOS_LABEL).length;
  const inScope = keptVal.length - realOos;
  // With oos rows of its own the validation holds the kinds of out-of-scope question the file shows; hidden labels
  // add kinds it does not show, at half the share.
  const ratio = realOos > 0 ? SIMULATED_OOS_RATIO / 2 : SIMULATED_OOS_RATIO;
  // Uncapped when the threshold re-weights validation to an assumed share (oos-share.ts): then every hidden row
  // is a sample, and the count no longer sets the share.
  const cap = options.capped === false ? pool.length : Math.max(1, Math.round(inScope * ratio));
  const oosRows = pool.slice(0, cap).map((r) => ({ text: r.text, label: OOS_LABEL }));
  return {
    kb: kb.filter((r) => !hidden.has(r.label)),
    val: [...keptVal, ...oosRows],
    hiddenLabels: hidden.size,
    simulatedRows: oosRows.length,
  };
}

/** The training file's oos rows: questions the engine learns to send to a person (TrainInput.negatives). */
export function buildNegatives(rows: LabeledText[]): string[] {
  return rows.filter((r) => r.label === OOS_LABEL).map((r) => r.text);
}

/** A label in words, for an entry's title: "card_arrival", "card-arrival" and "CardArrival" → "card arrival". */
export function labelTitle(label: string): string {
  return label
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.:/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * One FAQ entry per in-scope label; oos rows are not entries (buildNegatives). With `titles` (default), the label
 * in words is the entry's title, as a real entry has one: on development splits of banking77-oos train (3 splits,
 * 16% of labels held out as oos), in-scope accuracy with 2 / 5 / 10 phrasings per label 50.8 → 61.4%, 66.6 →
 * 69.7%, 76.9 → 77.8%, coverage at the chosen threshold 19.1 → 22.5% (5) and 23.8 → 28.2% (10); with all
 * phrasings no change (91.4%).
 */
export function buildEntries(rows: LabeledText[], options: { titles?: boolean } = {}): FaqEntryInput[] {
  const titles = options.titles ?? true;
  const byLabel = new Map<string, string[]>();
  for (const r of rows) {
    if (r.label === OOS_LABEL) continue;
    const list = byLabel.get(r.label) ?? [];
    list.push(r.text);
    byLabel.set(r.label, list);
  }
  return [...byLabel.entries()].map(([label, phrasings]) => {
    const title = titles ? labelTitle(label) : '';
    return { id: label, ...(title !== '' ? { title } : {}), answer: `Answer for ${label}`, phrasings };
  });
}

export interface Prediction {
  label: string;
  predicted: string | null;
  confidence: number;
}

export interface ThresholdChoice {
  threshold: number;
  precision: number;
  reachedTarget: boolean;
}

function isCorrect(p: Prediction): boolean {
  return p.label !== OOS_LABEL && p.predicted !== null && p.predicted === p.label;
}

/**
 * The lowest threshold (answer iff confidence >= threshold) at which answered precision reaches the target;
 * candidates are the observed confidences. If none reaches it, the one with the best precision (lowest on
 * ties, to keep coverage, unless no answer at all is right: then the highest). Questions with no match at all are
 * never answered. With `weights` (parallel to preds), precision is weighted: a question counts as its weight (see
 * shareWeights in oos-share.ts: out-of-scope questions weigh the assumed share of live traffic).
 */
export function chooseThreshold(
  preds: Prediction[],
  target: number,
  weights?: readonly number[],
): ThresholdChoice {
  const weightOf = (i: number) => weights?.[i] ?? 1;
  const answerable = preds.flatMap((p, i) => (p.predicted !== null ? [{ p, w: weightOf(i) }] : []));
  if (answerable.length === 0) return { threshold: 1, precision: 0, reachedTarget: false };
  // Descending confidence: each prefix is the answered set for threshold = its last confidence.
  const sorted = answerable.sort((a, b) => b.p.confidence - a.p.confidence);
  let correct = 0;
  let answered = 0;
  let best: ThresholdChoice | null = null;
  let lowestReaching: ThresholdChoice | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const { p, w } = sorted[i]!;
    answered += w;
    if (isCorrect(p)) correct += w;
    // Ties answer together, so only evaluate at the end of a run of equal confidences.
    const next = sorted[i + 1];
    if (next && next.p.confidence === p.confidence) continue;
    // Weighted sums drift by a few ulps: a precision that is the target up to rounding reaches it.
    const precision = answered > 0 ? correct / answered : 0;
    if (precision >= target - 1e-12)
      lowestReaching = { threshold: p.confidence, precision, reachedTarget: true };
    // Lower on ties keeps coverage at the same precision; but where nothing is right (a knowledge base with one
    // phrasing per entry has no in-scope validation question), every answer is wrong, and the strictest is best.
    if (!best || precision > best.precision || (precision === best.precision && precision > 0))
      best = { threshold: p.confidence, precision, reachedTarget: false };
  }
  return lowestReaching ?? best!;
}

export interface Figures {
  inScopeAccuracy: number;
  answeredPrecision: number;
  coverage: number;
  oosRecall: number;
  answered: number;
  oosCount: number;
}

/** Metric definitions, in one place so tests can pin them on hand-made predictions. */
export function computeFigures(preds: Prediction[], threshold: number): Figures {
  let inScope = 0;
  let top1 = 0;
  let answered = 0;
  let correct = 0;
  let oos = 0;
  let oosRejected = 0;
  for (const p of preds) {
    const isOos = p.label === OOS_LABEL;
    const answers = p.predicted !== null && p.confidence >= threshold;
    if (isOos) {
      oos++;
      if (!answers) oosRejected++;
    } else {
      inScope++;
      if (p.predicted === p.label) top1++;
    }
    if (answers) {
      answered++;
      if (isCorrect(p)) correct++;
    }
  }
  return {
    inScopeAccuracy: inScope > 0 ? top1 / inScope : 0,
    // With nothing answered no wrong answer was given: precision is 1 by convention.
    answeredPrecision: answered > 0 ? correct / answered : 1,
    coverage: inScope > 0 ? correct / inScope : 0,
    oosRecall: oos > 0 ? oosRejected / oos : 1,
    answered,
    oosCount: oos,
  };
}

/**
 * A test question the engine got wrong at a threshold. `wrong`: answered with another entry (or a passage, for a
 * question labelled with an entry); `answered_oos`: answered a question a person must take; `missed`: an in-scope
 * question left to a person (its best match, right or not, below the threshold, or nothing matched).
 */
export interface Mistake {
  /** The question, cut at MAX_MISTAKE_CHARS (then `truncated`): reports are stored, and a test set may be 5 MiB. */
  text: string;
  truncated?: true;
  label: string;
  /** The engine's best match: an entry (or passage) id, null when nothing matched. */
  predicted: string | null;
  confidence: number;
  kind: 'wrong' | 'answered_oos' | 'missed';
}

/** In-scope questions of `label` whose best match was `predicted`, another entry (whatever the confidence). */
export interface Confusion {
  label: string;
  predicted: string;
  count: number;
}

/** What went wrong, for whoever maintains the knowledge base: counts, the commonest confusions and examples. */
export interface Mistakes {
  wrong: number;
  answeredOos: number;
  missed: number;
  /** The most frequent, up to MAX_CONFUSIONS; most first, then by label. */
  confusions: Confusion[];
  /**
   * Up to MAX_MISTAKE_EXAMPLES of each kind, in this order: wrong answers and answered out-of-scope questions the most
   * confident first (the worst), missed ones the closest to the threshold first (the cheapest to win).
   */
  examples: Mistake[];
}

export const MAX_CONFUSIONS = 10;
export const MAX_MISTAKE_EXAMPLES = 50;
/** As long as a phrasing may be (a question this long is no FAQ question anyway). */
export const MAX_MISTAKE_CHARS = 1000;

/** Mistakes of `preds` (parallel to `texts`) at `threshold`, with computeFigures' notion of answered. */
export function mistakesAt(preds: Prediction[], texts: string[], threshold: number): Mistakes {
  const byKind: Record<Mistake['kind'], Mistake[]> = { wrong: [], answered_oos: [], missed: [] };
  const pairs = new Map<string, Confusion>();
  preds.forEach((p, i) => {
    const isOos = p.label === OOS_LABEL;
    const answers = p.predicted !== null && p.confidence >= threshold;
    if (!isOos && p.predicted !== null && p.predicted !== p.label) {
      const key = JSON.stringify([p.label, p.predicted]);
      const c = pairs.get(key) ?? { label: p.label, predicted: p.predicted, count: 0 };
      c.count++;
      pairs.set(key, c);
    }
    const kind: Mistake['kind'] | null = isOos
      ? answers
        ? 'answered_oos'
        : null
      : !answers
        ? 'missed'
        : p.predicted !== p.label
          ? 'wrong'
          : null;
    const text = texts[i] ?? '';
    if (kind)
      byKind[kind].push({
        text: text.slice(0, MAX_MISTAKE_CHARS),
        ...(text.length > MAX_MISTAKE_CHARS ? { truncated: true as const } : {}),
        label: p.label,
        predicted: p.predicted,
        confidence: p.confidence,
        kind,
      });
  });
  const worstFirst = (a: Mistake, b: Mistake) => b.confidence - a.confidence;
  const confusions = [...pairs.values()]
    .sort(
      (a, b) => b.count - a.count || a.label.localeCompare(b.label) || a.predicted.localeCompare(b.predicted),
    )
    .slice(0, MAX_CONFUSIONS);
  return {
    wrong: byKind.wrong.length,
    answeredOos: byKind.answered_oos.length,
    missed: byKind.missed.length,
    confusions,
    examples: [
      ...byKind.wrong.sort(worstFirst).slice(0, MAX_MISTAKE_EXAMPLES),
      ...byKind.answered_oos.sort(worstFirst).slice(0, MAX_MISTAKE_EXAMPLES),
      ...byKind.missed.sort(worstFirst).slice(0, MAX_MISTAKE_EXAMPLES),
    ],
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const PROGRESS_EVERY = 100;

function predictAll(
  engine: LocalEngine,
  rows: LabeledText[],
  phase: string,
  onProgress: EvalOptions['onProgress'],
): Prediction[] {
  const out: Prediction[] = [];
  rows.forEach((r, i) => {
    const res = engine.match(r.text, 1);
    out.push({ label: r.label, predicted: res.top?.id ?? null, confidence: res.confidence });
    if (onProgress && (i % PROGRESS_EVERY === 0 || i === rows.length - 1))
      onProgress(phase, i + 1, rows.length);
  });
  return out;
}

/**
 * Runs the evaluation. Validation is `val` when given, else `validationRounds` (default: 3, up to 10 for small
 * training sets, see MIN_POOLED_VALIDATION) independent carves of ~10% per label out of train (plus simulated
 * out-of-scope questions, see `simulateOos`); the threshold is chosen once, on all rounds' predictions pooled, each
 * round scored by an engine trained without its validation rows (oos rows of train: see buildNegatives). The reported engine is then retrained on the full training set (what
 * would ship), and the test set is only ever scored, never used to choose anything. The engine's confidence is
 * calibrated inside train() on its own internal split, so the threshold transfers from the slightly smaller
 * validation models to the full one.
 */
export async function runEvaluation(opts: EvalOptions): Promise<EvalReport> {
  const target = opts.targetPrecision ?? 0.95;
  const seed = opts.seed ?? 12;
  const maxPerLabel = opts.maxPerLabel ?? null;
  if (maxPerLabel !== null && (!Number.isInteger(maxPerLabel) || maxPerLabel < 1)) {
    throw new Error('maxPerLabel must be a positive integer');
  }
  const oosShare = opts.oosShare ?? DEFAULT_OOS_SHARE;
  if (!(oosShare >= 0 && oosShare <= MAX_OOS_SHARE))
    throw new Error(`oosShare must be between 0 and ${MAX_OOS_SHARE}`);
  const progress = opts.onProgress;
  const train = maxPerLabel !== null ? capPerLabel(opts.train, maxPerLabel) : opts.train;

  const simulate = opts.simulateOos ?? true;
  const fixedRounds = opts.validationRounds !== undefined;
  let rounds = Math.max(1, Math.floor(opts.validationRounds ?? MIN_VALIDATION_ROUNDS));
  const labelTitles = opts.labelTitles ?? true;
  const entriesOf = (rows: LabeledText[]) => buildEntries(rows, { titles: labelTitles });
  const finalEntries = entriesOf(train);
  const finalNegatives = buildNegatives(train);
  let choice: ThresholdChoice;
  let valSize = 0;
  let valOos = 0;
  let simulatedOosLabels = 0;
  let simulatedOosRows = 0;
  let weighted = false;
  /** Chooses the threshold on validation predictions re-weighted to the assumed share (unweighted when impossible). */
  const choose = (pooled: Prediction[], groups: (string | undefined)[]) => {
    const weights = shareWeights(pooled, oosShare, groups);
    weighted = weights !== null;
    return chooseThreshold(pooled, target, weights ?? undefined);
  };
  const carve = (roundSeed: number) => {
    const split = carveValidation(train, roundSeed);
    if (!simulate) return { ...split, hiddenLabels: 0, simulatedRows: 0 };
    return simulateOosSplit(split.kb, split.val, roundSeed, { capped: false });
  };

  if (opts.val) {
    const valRows = opts.val;
    valSize = valRows.length;
    valOos = valRows.filter((r) => r.label === OOS_LABEL).length;
    progress?.('train', 0, 1);
    const engine = await timedTrain(finalEntries, finalNegatives, seed);
    progress?.('train', 1, 1);
    const pooled = predictAll(engine.engine, valRows, 'validate', progress);
    const groups: (string | undefined)[] = pooled.map(() => 'file');
    // A validation file with too few out-of-scope questions cannot stand for the assumed share: labels hidden from
    // validation models trained on the training file play the kinds of out-of-scope question it lacks.
    if (simulate && oosShare > 0 && tooFewOos(valOos, valRows.length, oosShare)) {
      const splits = Array.from({ length: rounds }, (_, round) => {
        const roundSeed = seed + round * 7919;
        return { roundSeed, ...simulateOosSplit(train, [], roundSeed, { capped: false }) };
      });
      const simulated = await scoreRounds(splits);
      for (const [i, sp] of splits.entries()) {
        simulatedOosLabels += sp.hiddenLabels;
        simulatedOosRows += sp.simulatedRows;
        for (const pred of simulated[i]!) {
          pooled.push(pred);
          groups.push('simulated');
        }
      }
    } else rounds = 1;
    choice = choose(pooled, groups);
    return finish(engine.engine, engine.ms, 'val');
  }
  const first = carve(seed);
  if (!fixedRounds) {
    // A threshold chosen on a few hundred questions moves by whole points of precision from one carve to the next:
    // small training sets (where a round is cheap) pool more rounds, until the pooled set is large enough.
    const perRound = Math.max(1, first.val.length - first.simulatedRows);
    rounds = Math.min(
      MAX_VALIDATION_ROUNDS,
      Math.max(MIN_VALIDATION_ROUNDS, Math.ceil(MIN_POOLED_VALIDATION / perRound)),
    );
  }
  // Round 0 uses the evaluation seed itself, so a single round reproduces the historical split exactly.
  const splits = Array.from({ length: rounds }, (_, round) => {
    const roundSeed = seed + round * 7919;
    return { roundSeed, ...(round === 0 ? first : carve(roundSeed)) };
  });
  const perRound = await scoreRounds(splits);
  const pooled: Prediction[] = [];
  const groups: (string | undefined)[] = [];
  for (const [i, sp] of splits.entries()) {
    simulatedOosLabels += sp.hiddenLabels;
    simulatedOosRows += sp.simulatedRows;
    valSize += sp.val.length;
    // Simulated rows come last in a round's validation (simulateOosSplit).
    const firstSimulated = sp.val.length - sp.simulatedRows;
    perRound[i]!.forEach((pred, j) => {
      pooled.push(pred);
      groups.push(j >= firstSimulated ? 'simulated' : 'file');
      if (j < firstSimulated && pred.label === OOS_LABEL) valOos++;
    });
  }
  valSize -= simulatedOosRows;
  choice = choose(pooled, groups);
  progress?.('train', 0, 1);
  const final = await timedTrain(finalEntries, finalNegatives, seed);
  progress?.('train', 1, 1);
  return finish(final.engine, final.ms, 'carved');

  /**
   * Trains one validation model per split, side by side in worker threads (one per core: they are independent, and
   * each is as large as the final model), and scores each split's validation rows as its model comes back.
   */
  async function scoreRounds(
    rs: { roundSeed: number; kb: LabeledText[]; val: LabeledText[] }[],
  ): Promise<Prediction[][]> {
    const out: Prediction[][] = new Array(rs.length);
    const phase = rs.length > 1 ? 'train-validation-models' : 'train-validation-model';
    let trained = 0;
    progress?.(phase, 0, rs.length);
    let next = 0;
    const lane = async () => {
      while (next < rs.length) {
        const round = next++;
        const { roundSeed, kb: valKb, val: valRows } = rs[round]!;
        // One core each: the lanes are the parallelism here (see trainEngine's `parallel`).
        const { engine } = await trainEngine(
          { entries: entriesOf(valKb), negatives: buildNegatives(valKb) },
          { seed: roundSeed, parallel: false },
        );
        progress?.(phase, ++trained, rs.length);
        out[round] = predictAll(engine, valRows, 'validate', progress);
        await yieldToLoop();
      }
    };
    await Promise.all(Array.from({ length: Math.min(rs.length, availableParallelism()) }, lane));
    return out;
  }

  function finish(engine: LocalEngine, trainingMs: number, valSource: 'val' | 'carved'): EvalReport {
    const preds = predictAll(engine, opts.test, 'test', progress);
    // Latency is timed on a second pass: the first one also pays for JIT warm-up and for collecting the garbage
    // training left behind, which a serving process does once, not per question.
    const latencies: number[] = [];
    for (const r of opts.test) {
      const t0 = performance.now();
      engine.match(r.text, 1);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    const f = computeFigures(preds, choice.threshold);
    return {
      oosShare,
      valOosShare: valSize > 0 ? valOos / valSize : 0,
      simulatedOosQuestions: simulatedOosRows,
      reweighted: weighted,
      byOosShare: figuresByShare(preds, choice.threshold, REPORT_SHARES, seed),
      trainSize: train.length,
      testSize: opts.test.length,
      labels: finalEntries.length,
      negatives: finalNegatives.length,
      inScopeAccuracy: f.inScopeAccuracy,
      threshold: choice.threshold,
      answeredPrecision: f.answeredPrecision,
      coverage: f.coverage,
      oosRecall: f.oosRecall,
      answered: f.answered,
      trainingMs,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP99Ms: percentile(latencies, 0.99),
      valSource,
      targetPrecision: target,
      maxPerLabel,
      reachedTarget: choice.reachedTarget,
      valSize,
      validationRounds: rounds,
      thresholdRule: simulatedOosLabels > 0 ? 'simulated-oos' : 'exact',
      simulatedOosLabels: Math.round(simulatedOosLabels / rounds),
      labelTitles,
      oosTestSize: f.oosCount,
      mistakes: mistakesAt(
        preds,
        opts.test.map((r) => r.text),
        choice.threshold,
      ),
    };
  }
}

/**
 * A validation file stands for the assumed share on its own when it holds at least MIN_VAL_OOS out-of-scope
 * questions and at least half the assumed share of them; with fewer, simulated ones join them.
 */
export function tooFewOos(oos: number, total: number, share: number): boolean {
  return oos < MIN_VAL_OOS || oos < (total * share) / 2;
}
const MIN_VAL_OOS = 50;

/** The engine that would ship, trained as the live agent's is (trainHere: a large KB's rounds in workers). */
async function timedTrain(
  entries: FaqEntryInput[],
  negatives: string[],
  seed: number,
): Promise<{ engine: LocalEngine; ms: number }> {
  const t0 = performance.now();
  const engine = await trainHere({ entries, negatives }, { seed });
  return { engine, ms: performance.now() - t0 };
}

/** Lets pending I/O (progress output) flush between the long synchronous phases. */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
