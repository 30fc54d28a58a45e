// The support agent's local brain: one answer per customer message, from the knowledge base only. A confident
// match answers with its sources; an unclear question gets one request to rephrase; two misunderstandings in a row
// go to a person. It never invents text: every answer is an FAQ answer or a quoted passage.

import type { ActionInput, Brain, BrainContext } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import type { EngineCache, KbSnapshot } from './engine-cache.ts';

export const CLARIFY_TEXT = "I'm not sure I understood. Could you say it another way, or add a detail?";

export interface Answer {
  text: string;
  confidence: number;
  sources: string[];
  topic: string | null;
  /** Passages and entries that were considered, best first (for the LLM brain and the inbox). */
  candidates: { id: string; kind: 'faq' | 'passage'; score: number; text: string; source: string }[];
}

/** Matches a question against a KB snapshot; the shared retrieval step of the local and LLM brains. */
export function answerFrom(snap: KbSnapshot, question: string, k = 5): Answer {
  const result = snap.engine.match(question, k);
  const candidates = result.matches.flatMap((m): Answer['candidates'] => {
    if (m.kind === 'faq') {
      const a = snap.answers.get(m.id);
      return a
        ? [{ id: m.id, kind: 'faq' as const, score: m.score, text: a.answer, source: `faq:${m.id}` }]
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
          },
        ]
      : [];
  });
  const top = candidates[0];
  return {
    text: top?.text ?? '',
    confidence: top ? result.confidence : 0,
    sources: top ? [top.source] : [],
    topic: top?.id ?? null,
    candidates,
  };
}

/** Did the agent's last message in this conversation ask the customer to rephrase? */
export async function lastAgentMessageWasClarify(
  q: Queryable,
  conversationId: string | undefined,
): Promise<boolean> {
  if (!conversationId) return false;
  const [row] = await q.query<{ meta: { intent?: string } }>(
    `SELECT meta FROM messages WHERE conversation_id = $1 AND direction = 'out' ORDER BY created_at DESC LIMIT 1`,
    [conversationId],
  );
  return row?.meta?.intent === 'clarify';
}

export class SupportLocalBrain implements Brain {
  constructor(
    private readonly db: Queryable,
    private readonly cache: EngineCache,
  ) {}

  async decide(ctx: BrainContext): Promise<ActionInput> {
    if (ctx.history.some((h) => h.action.type === 'reply')) return { type: 'done', outcome: 'replied' };
    const question = typeof ctx.run.trigger.text === 'string' ? ctx.run.trigger.text.trim() : '';
    if (!question) return { type: 'done', outcome: 'nothing to answer' };
    const answer = answerFrom(await this.cache.get(this.db, ctx.agent.id, ctx.kbVersion), question);
    if (answer.confidence >= ctx.agent.confidenceThreshold) {
      return {
        type: 'reply',
        text: answer.text,
        confidence: answer.confidence,
        sources: answer.sources,
        intent: 'answer',
        topic: answer.topic ?? undefined,
        final: true,
      };
    }
    if (await lastAgentMessageWasClarify(this.db, ctx.run.trigger.conversationId)) {
      return {
        type: 'escalate',
        reason: 'two misunderstandings in a row',
        summary: `The customer asked twice and no knowledge-base entry matched confidently (best ${answer.confidence.toFixed(2)}).`,
        ...(answer.text ? { suggestedReply: answer.text } : {}),
      };
    }
    return { type: 'reply', text: CLARIFY_TEXT, confidence: 1, sources: [], intent: 'clarify', final: true };
  }
}
