// The JSON of the support agent's own API (evaluations, its 30-day summary), as the dashboard reads it. The
// knowledge base's is in web/src/knowledge/types.ts; the wire types every page shares stay in web/src/types.ts.
import type { Mistakes } from '../../../../src/agents/support/eval.ts';
import type { WeekFigures } from '../../../../src/metrics/weekly.ts';
import type { ShareFiguresView } from '../../knowledge/OosShareTable.tsx';
import type { AgentView } from '../../types.ts';

/** An agent as GET /api/agents lists it, with the summary the server adds to a support agent. */
export type SupportAgentView = AgentView & {
  /** Support agents only: the last 30 days. */
  support?: SupportSummary;
};

export interface SupportSummary {
  since: string;
  /** One outcome per conversation (src/metrics/outcomes.ts): the five parts add up to conversations. */
  conversations: number;
  resolvedByAi: number;
  clawedBack: number;
  escalated: number;
  abandoned: number;
  open: number;
  /** The same as resolvedByAi, and as clawedBack (the card's names before outcomes). */
  answeredByAi: number;
  reopened: number;
  /** Mean similarity 0..1 between drafts and the human replies sent instead; null when none compared. */
  draftAgreement: number | null;
  draftsCompared: number;
  /** Coverage and precision per week, the last 12 weeks, oldest first (absent from older servers). */
  weekly?: WeekFiguresView[];
}

export type { Mistake, Mistakes } from '../../../../src/agents/support/eval.ts';
/** One week of src/metrics/weekly.ts. */
export type WeekFiguresView = WeekFigures;

/** One point of an evaluation's threshold curve. */
export interface CurvePointView {
  threshold: number;
  answeredPrecision: number;
  coverage: number;
  oosRecall: number;
  answered: number;
}

/** GET/POST /api/agents/:agent/evaluations…: a support agent's evaluation on its own test set. */
export interface EvaluationView {
  evaluation: { id: string; passed: boolean; createdAt: string };
  report: {
    agent: string;
    questions: number;
    threshold: number;
    targetPrecision: number;
    answeredPrecision: number;
    coverage: number;
    oosRecall: number;
    inScopeAccuracy: number;
    answered: number;
    oosCount: number;
    unknownLabels: string[];
    curve: CurvePointView[];
    suggestedThreshold: number | null;
    /** The agent's assumed out-of-scope share when evaluated (null: recorded before it was kept). */
    oosShare?: number | null;
    /** Precision and coverage at the threshold with the set resampled to 0/10/20/30% out of scope. */
    byOosShare?: ShareFiguresView[];
    /** Absent from evaluations recorded before they were kept. */
    mistakes?: Mistakes;
    titles?: Record<string, string>;
  };
}
