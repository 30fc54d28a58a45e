// Evaluating a live support agent on its own knowledge base: the same engine and the agent's own threshold, against a
// labelled test set. The result is recorded as the agent's evaluation: the readiness evidence for task clarity.

import type { Actor } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { answerFrom } from '../../knowledge/answer.ts';
import { listFaqs } from '../../knowledge/kb.ts';
import { type EvaluationRecord, evaluationRecorder } from '../../readiness/assessments.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import type { KindContext } from '../kind.ts';
import {
  chooseThreshold,
  computeFigures,
  type Figures,
  type LabeledText,
  type Mistakes,
  mistakesAt,
  OOS_LABEL,
  type Prediction,
} from './eval.ts';
import { figuresByShare, oosShareOf, type ShareFigures, shareWeights } from './oos-share.ts';

export interface AgentEvalReport extends Figures {
  agent: string;
  questions: number;
  threshold: number;
  targetPrecision: number;
  passed: boolean;
  /** Labels of the test file that match no FAQ entry (by id or title): counted as wrong when answered. */
  unknownLabels: string[];
  /** The figures at other thresholds, ascending (the precision/coverage trade-off, for the dashboard's chart). */
  curve: CurvePoint[];
  /**
   * A threshold at which this test set's answered precision reaches the target, the lowest such up to a margin (see
   * suggestThreshold; null when none does). Chosen on the very questions it is measured on, so it is optimistic: a
   * suggestion to check on fresh questions.
   */
  suggestedThreshold: number | null;
  /** The agent's assumed out-of-scope share (agent.config.oosShare): the suggestion holds for traffic up to it. */
  oosShare: number;
  /** Precision and coverage at the agent's threshold with the test set resampled to 0/10/20/30% out of scope. */
  byOosShare: ShareFigures[];
  /**
   * The questions it got wrong at the agent's threshold and the entries it confuses (eval.ts mistakesAt). Labels are
   * entry ids (`unknown:LABEL` for a label that matches no entry, `oos`), predictions entry or passage ids; `titles`
   * names every id they use, as the KB called it then.
   */
  mistakes: Mistakes;
  titles: Record<string, string>;
}

export interface CurvePoint {
  threshold: number;
  answeredPrecision: number;
  coverage: number;
  oosRecall: number;
  answered: number;
}

const YIELD_EVERY = 250;

/** Curve thresholds: every 0.02 from 0 to 1 (51 points), plus the agent's own and the suggested one. */
const CURVE_STEP = 0.02;

export function thresholdCurve(preds: Prediction[], extra: number[] = []): CurvePoint[] {
  const steps = Array.from({ length: Math.round(1 / CURVE_STEP) + 1 }, (_, i) =>
    Number((i * CURVE_STEP).toFixed(2)),
  );
  const thresholds = [...new Set([...steps, ...extra.filter((t) => t >= 0 && t <= 1)])].sort((a, b) => a - b);
  return thresholds.map((threshold) => {
    const f = computeFigures(preds, threshold);
    return {
      threshold,
      answeredPrecision: f.answeredPrecision,
      coverage: f.coverage,
      oosRecall: f.oosRecall,
      answered: f.answered,
    };
  });
}

/**
 * The threshold to suggest: the lowest observed confidence at which answered precision reaches the target (as
 * `twelve eval support` chooses), moved down to halfway to the next lower observed confidence. Every threshold in
 * between answers exactly the same questions of this set; the midpoint leaves room on both sides for questions the
 * set does not hold (when the set has a lower one: with none below, it stays). Rounded up to 3 decimals (what a person
 * types), within the gap. Null when no threshold reaches the target.
 */
export function suggestThreshold(
  preds: Prediction[],
  target: number,
  weights?: readonly number[],
): number | null {
  const choice = chooseThreshold(preds, target, weights);
  if (!choice.reachedTarget) return null;
  let below = -1;
  for (const p of preds) {
    if (p.predicted !== null && p.confidence < choice.threshold && p.confidence > below) below = p.confidence;
  }
  // Nothing answerable below it: this set says nothing about lower thresholds.
  if (below < 0) return choice.threshold;
  const mid = Math.ceil(((choice.threshold + below) / 2) * 1000) / 1000;
  return mid > below && mid <= choice.threshold ? mid : choice.threshold;
}

/**
 * Labels name FAQ entries by id or title (case-insensitive); `oos` marks questions the agent must escalate.
 * Passing means answered precision reaches the target at the agent's own confidence threshold.
 */
export async function agentEvaluator(
  app: KindContext,
  actor: Actor,
  agent: AgentConfig,
  test: LabeledText[],
  options: { targetPrecision?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ report: AgentEvalReport; evaluation: EvaluationRecord }> {
  if (agent.kind !== 'support')
    throw new AppError('validation_failed', `agent ${agent.name} is not a support agent`);
  if (test.length === 0) throw new AppError('validation_failed', 'the test set is empty');
  const target = options.targetPrecision ?? 0.95;
  const entries = await listFaqs(app.db, agent.id);
  const byKey = new Map<string, string>();
  for (const e of entries) {
    byKey.set(e.id, e.id);
    byKey.set(e.title.toLowerCase(), e.id);
  }
  const snap = await app.knowledge.engines.get(app.db, agent.id);
  const unknown = new Set<string>();
  const preds: Prediction[] = [];
  const titles = new Map<string, string>(entries.map((e) => [e.id, e.title]));
  for (const [i, row] of test.entries()) {
    // A served evaluation must not hold the event loop for the whole set (20,000 questions take seconds): other
    // requests and chat sockets get a turn between slices.
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    options.onProgress?.(i, test.length);
    const label =
      row.label === OOS_LABEL
        ? OOS_LABEL
        : (byKey.get(row.label) ?? byKey.get(row.label.toLowerCase()) ?? null);
    if (label === null) unknown.add(row.label);
    const a = answerFrom(snap, row.text, 1);
    // An answer from an article passage has no FAQ label: it counts as wrong for a labelled FAQ question.
    preds.push({ label: label ?? `unknown:${row.label}`, predicted: a.topic, confidence: a.confidence });
    if (a.topic !== null && a.title !== null) titles.set(a.topic, a.title);
  }
  options.onProgress?.(test.length, test.length);
  const figures = computeFigures(preds, agent.confidenceThreshold);
  const mistakes = mistakesAt(
    preds,
    test.map((r) => r.text),
    agent.confidenceThreshold,
  );
  const used = new Set(
    [...mistakes.examples, ...mistakes.confusions].flatMap((m) => [m.label, m.predicted ?? '']),
  );
  // The suggestion holds when live traffic has up to the assumed share out of scope: a set with fewer out-of-scope
  // questions is re-weighted up to it; one with more is taken as it is (its own traffic says more are coming).
  const oosShare = oosShareOf(agent.config);
  const setShare = preds.filter((p) => p.label === OOS_LABEL).length / preds.length;
  const weights = setShare < oosShare ? shareWeights(preds, oosShare) : null;
  const suggestedThreshold = suggestThreshold(preds, target, weights ?? undefined);
  const report: AgentEvalReport = {
    ...figures,
    agent: agent.name,
    questions: test.length,
    threshold: agent.confidenceThreshold,
    targetPrecision: target,
    passed: figures.answered > 0 && figures.answeredPrecision >= target,
    unknownLabels: [...unknown],
    curve: thresholdCurve(preds, [
      agent.confidenceThreshold,
      ...(suggestedThreshold === null ? [] : [suggestedThreshold]),
    ]),
    suggestedThreshold,
    oosShare,
    byOosShare: figuresByShare(preds, agent.confidenceThreshold),
    mistakes,
    titles: Object.fromEntries([...titles].filter(([id]) => used.has(id))),
  };
  const evaluation = await evaluationRecorder(app, actor, agent.id, {
    kind: 'support',
    passed: report.passed,
    report,
  });
  return { report, evaluation };
}
