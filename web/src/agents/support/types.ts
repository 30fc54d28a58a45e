// The JSON of the support agent's API (its knowledge base, evaluations, engine and 30-day summary), as the
// dashboard reads it. The wire types every page shares stay in web/src/types.ts.
import type { Mistakes } from '../../../../src/agents/support/eval.ts';
import type { KbHealth } from '../../../../src/knowledge/health.ts';
import type { AgentView } from '../../types.ts';

/** An agent as GET /api/agents lists it, with the summary the server adds to a support agent. */
export type SupportAgentView = AgentView & {
  /** Support agents only: the last 30 days. */
  support?: SupportSummary;
};

export interface SupportSummary {
  since: string;
  conversations: number;
  answeredByAi: number;
  escalated: number;
  /** AI answers the customer came back about within 72 hours (not counted in answeredByAi). */
  reopened: number;
  /** Mean similarity 0..1 between drafts and the human replies sent instead; null when none compared. */
  draftAgreement: number | null;
  draftsCompared: number;
}

export interface FaqEntryView {
  id: string;
  agentId: string;
  title: string;
  answer: string;
  phrasings: string[];
  tags: string[];
  version: number;
  updatedAt: string;
}

export interface ArticleView {
  id: string;
  agentId: string;
  title: string;
  source: string;
  format: 'markdown' | 'html' | 'pdf' | 'text';
  version: number;
  passages: number;
  updatedAt: string;
}

export type { Mistake, Mistakes } from '../../../../src/agents/support/eval.ts';
/** GET /api/agents/:agent/kb/engine: what answers the agent's questions on the node that served the request. */
export type { EngineStatus as EngineStatusView } from '../../../../src/knowledge/engine-cache.ts';
/** One running server's engine for the agent (GET /api/agents/:agent/kb/engine → nodes). */
export type { EngineNode as EngineNodeView } from '../../../../src/knowledge/engine-reports.ts';

/** GET /api/agents/:agent/kb/health (see LocalEngine.health); null health: too small a KB to measure. */
export interface KbHealthView {
  version: number;
  health: KbHealth | null;
}

export interface KbView {
  entries: FaqEntryView[];
  articles: ArticleView[];
  /** Questions that go to a person (absent from an older server). */
  escalate?: EscalateQuestionView[];
  version: number;
  /** The LLM that suggests phrasings; null (or absent, from an older server) when no provider is configured. */
  suggest?: KbSuggestView | null;
}

/** Which LLM answers POST /api/kb/entries/:id/phrasing-suggestions. */
export interface KbSuggestView {
  provider: string;
  model: string;
}

/** POST /api/kb/entries/:id/phrasing-suggestions (suggest.ts): each suggestion with the engine's verdict on it. */
export type {
  PhrasingSuggestion as PhrasingSuggestionView,
  SuggestionResult as PhrasingSuggestionsView,
  SuggestionVerdict as PhrasingVerdict,
} from '../../../../src/knowledge/suggest.ts';

export interface RevisionView {
  version: number;
  /** The entry as it was after this edit, or {deleted: true}. */
  snapshot: Partial<FaqEntryView> & { deleted?: boolean };
  editedBy: string;
  createdAt: string;
}

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
    /** Absent from evaluations recorded before they were kept. */
    mistakes?: Mistakes;
    titles?: Record<string, string>;
  };
}

/** A question the agent must not answer: it, and questions like it, go to a person. */
export interface EscalateQuestionView {
  id: string;
  text: string;
  note: string;
  createdBy: string;
  createdAt: string;
}
