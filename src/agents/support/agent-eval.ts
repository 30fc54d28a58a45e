// Evaluating a live support agent on its own knowledge base: the same engine and the agent's own threshold, against a
// labelled test set. The result is recorded as the agent's evaluation: the readiness evidence for task clarity.
import type { App } from '../../app.ts';
import type { Actor } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { type EvaluationRecord, evaluationRecorder } from '../../readiness/assessments.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { answerFrom } from './brain.ts';
import { computeFigures, type Figures, type LabeledText, OOS_LABEL, type Prediction } from './eval.ts';
import { listFaqs } from './kb.ts';

export interface AgentEvalReport extends Figures {
  agent: string;
  questions: number;
  threshold: number;
  targetPrecision: number;
  passed: boolean;
  /** Labels of the test file that match no FAQ entry (by id or title): counted as wrong when answered. */
  unknownLabels: string[];
}

/**
 * Labels name FAQ entries by id or title (case-insensitive); `oos` marks questions the agent must escalate.
 * Passing means answered precision reaches the target at the agent's own confidence threshold.
 */
export async function agentEvaluator(
  app: App,
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
  const snap = await app.engines.get(app.db, agent.id);
  const unknown = new Set<string>();
  const preds: Prediction[] = test.map((row, i) => {
    options.onProgress?.(i, test.length);
    const label =
      row.label === OOS_LABEL
        ? OOS_LABEL
        : (byKey.get(row.label) ?? byKey.get(row.label.toLowerCase()) ?? null);
    if (label === null) unknown.add(row.label);
    const a = answerFrom(snap, row.text, 1);
    // An answer from an article passage has no FAQ label: it counts as wrong for a labelled FAQ question.
    return { label: label ?? `unknown:${row.label}`, predicted: a.topic, confidence: a.confidence };
  });
  options.onProgress?.(test.length, test.length);
  const figures = computeFigures(preds, agent.confidenceThreshold);
  const report: AgentEvalReport = {
    ...figures,
    agent: agent.name,
    questions: test.length,
    threshold: agent.confidenceThreshold,
    targetPrecision: target,
    passed: figures.answered > 0 && figures.answeredPrecision >= target,
    unknownLabels: [...unknown],
  };
  const evaluation = await evaluationRecorder(app, actor, agent.id, {
    kind: 'support',
    passed: report.passed,
    report,
  });
  return { report, evaluation };
}
