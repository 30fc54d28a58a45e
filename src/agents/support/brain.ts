// The support agent's local brain: one answer per customer message, from the knowledge base only. A confident
// match answers with its sources; an unclear question gets one request to rephrase; two misunderstandings in a row
// go to a person. It never invents text: every answer is an FAQ answer or a quoted passage.

import { type Answer, answerFrom, DRAFT_FROM_SHARE } from '../../knowledge/answer.ts';
import type { EngineCache } from '../../knowledge/engine-cache.ts';
import type { ActionInput, Brain, BrainContext } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { kbVersionInput, type LastReply, lastReplyInput } from './brain-inputs.ts';

export { type Answer, answerFrom, DRAFT_FROM_SHARE };

export const CLARIFY_TEXT = "I'm not sure I understood. Could you say it another way, or add a detail?";

/**
 * If the agent's last message in this conversation asked the customer to rephrase: the customer's message it could
 * not answer then (so a hand-off can say what was asked twice). Null when the last message was anything else.
 */
export async function questionBeforeClarify(
  q: Queryable,
  conversationId: string | undefined,
): Promise<string | null> {
  if (!conversationId) return null;
  const [row] = await q.query<LastReply>(
    `SELECT o.meta, (SELECT i.body FROM messages i WHERE i.conversation_id = $1 AND i.direction = 'in'
       AND i.created_at <= o.created_at ORDER BY i.created_at DESC LIMIT 1) AS answered
     FROM messages o WHERE o.conversation_id = $1 AND o.direction = 'out' ORDER BY o.created_at DESC LIMIT 1`,
    [conversationId],
  );
  return clarifiedBefore(row ?? null);
}

/** questionBeforeClarify, from the conversation's last reply as the runtime read it (lastReplyInput). */
export function clarifiedBefore(last: LastReply | null): string | null {
  return last?.meta?.intent === 'clarify' ? (last.answered ?? '') : null;
}

function quote(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return `"${t.length > max ? `${t.slice(0, max - 1)}…` : t}"`;
}

/** Below this confidence the closest match is noise, not worth naming in a summary. */
const CLOSEST_FROM = 0.1;

/** The hand-off summary after two misunderstandings: what was asked, twice, and how close the knowledge base came. */
export function misunderstoodSummary(
  before: string,
  question: string,
  answer: Answer,
  threshold: number,
): string {
  const asked = before.trim()
    ? `The customer asked ${quote(before)}, was asked to rephrase, then wrote ${quote(question)}.`
    : `The customer was asked to rephrase, then wrote ${quote(question)}.`;
  const closest =
    answer.title && answer.confidence >= CLOSEST_FROM
      ? `No knowledge-base entry matched confidently: the closest is ${quote(answer.title, 120)} at ${answer.confidence.toFixed(2)} (this agent answers from ${threshold.toFixed(2)}).`
      : 'Nothing in the knowledge base came close.';
  return `${asked} ${closest}`;
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
    const answer = answerFrom(
      await this.cache.answering(this.db, ctx.agent.id, kbVersionInput(ctx)),
      question,
    );
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
    // The statement that started the run usually read the conversation's last reply already.
    const last = lastReplyInput(ctx);
    const before =
      last !== undefined
        ? clarifiedBefore(last)
        : await questionBeforeClarify(this.db, ctx.run.trigger.conversationId);
    if (before !== null) {
      const threshold = ctx.agent.confidenceThreshold;
      return {
        type: 'escalate',
        reason: 'two misunderstandings in a row',
        summary: misunderstoodSummary(before, question, answer, threshold),
        ...(answer.text && answer.confidence >= threshold * DRAFT_FROM_SHARE
          ? { suggestedReply: answer.text }
          : {}),
      };
    }
    // The clarification carries the engine's real confidence in its best match (below the threshold, or it would have
    // answered), so the Conversations view's bands and review queue see how unsure the agent was.
    return {
      type: 'reply',
      text: CLARIFY_TEXT,
      confidence: answer.confidence,
      sources: [],
      intent: 'clarify',
      final: true,
    };
  }
}
