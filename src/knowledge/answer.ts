// An answer from an agent's knowledge base: the question matched against a trained snapshot (EngineCache), the best
// entry or passage with the engine's confidence, and the candidates considered. Every kind that answers from a KB
// (support's brains, the receptionist's questions) uses this one step and compares the confidence with the agent's
// threshold, so an entry answers the same way whichever kind asks.
import type { KbSnapshot } from './engine-cache.ts';

export interface Answer {
  text: string;
  confidence: number;
  sources: string[];
  topic: string | null;
  /** What a person calls the entry or passage the text comes from ("Opening hours", "Warranty — Frames"). */
  title: string | null;
  /** Passages and entries that were considered, best first (for the LLM brain and the inbox). */
  candidates: {
    id: string;
    kind: 'faq' | 'passage';
    score: number;
    text: string;
    source: string;
    title: string;
  }[];
}

/** Matches a question against a KB snapshot; the shared retrieval step of the local and LLM brains. */
export function answerFrom(snap: KbSnapshot, question: string, k = 5): Answer {
  const result = snap.engine.match(question, k);
  const candidates = result.matches.flatMap((m): Answer['candidates'] => {
    if (m.kind === 'faq') {
      const a = snap.answers.get(m.id);
      return a
        ? [
            {
              id: m.id,
              kind: 'faq' as const,
              score: m.score,
              text: a.answer,
              source: `faq:${m.id}`,
              title: a.title,
            },
          ]
        : [];
    }
    const p = snap.passages.get(m.id);
    return p
      ? [
          {
            id: m.id,
            kind: 'passage' as const,
            score: m.score,
            text: p.text,
            source: `article:${p.articleId}#${m.id}`,
            title: p.heading && p.heading !== p.title ? `${p.title} — ${p.heading}` : p.title,
          },
        ]
      : [];
  });
  const top = candidates[0];
  // The confidence is the engine's top match's: when that one is gone from the snapshot (a stale engine's match of
  // an entry or passage the edit deleted, see EngineCache.answering), what is left has no confidence of its own.
  const topKept = top !== undefined && top.id === result.matches[0]?.id;
  return {
    text: top?.text ?? '',
    confidence: topKept ? result.confidence : 0,
    sources: top ? [top.source] : [],
    topic: top?.id ?? null,
    title: top?.title ?? null,
    candidates,
  };
}

/**
 * A hand-off offers the closest knowledge-base answer as a draft only from this share of the agent's threshold up:
 * further down it is rarely about the question, and a draft one click from being sent should not mislead.
 */
export const DRAFT_FROM_SHARE = 0.5;
