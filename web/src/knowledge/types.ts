// The JSON of the knowledge-base API (src/knowledge: entries, articles, the engine, health, suggestions), as the
// dashboard reads it for any agent whose kind has a knowledge base.
import type { KbHealth } from '../../../src/knowledge/health.ts';

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

/** GET /api/agents/:agent/kb/engine: what answers the agent's questions on the node that served the request. */
export type { EngineStatus as EngineStatusView } from '../../../src/knowledge/engine-cache.ts';
/** One running server's engine for the agent (GET /api/agents/:agent/kb/engine → nodes). */
export type { EngineNode as EngineNodeView } from '../../../src/knowledge/engine-reports.ts';

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
} from '../../../src/knowledge/suggest.ts';

export interface RevisionView {
  version: number;
  /** The entry as it was after this edit, or {deleted: true}. */
  snapshot: Partial<FaqEntryView> & { deleted?: boolean };
  editedBy: string;
  createdAt: string;
}

/** A question the agent must not answer: it, and questions like it, go to a person. */
export interface EscalateQuestionView {
  id: string;
  text: string;
  note: string;
  createdBy: string;
  createdAt: string;
}
