// The support agent's local brain: one answer per customer message, from the knowledge base only. A confident
// match answers with its sources; an unclear question gets one request to rephrase; two misunderstandings in a row
// go to a person. It never invents text: every answer is an FAQ answer or a quoted passage.

import { businessHoursOf } from '../../business/hours.schema.ts';
import { type Clock, systemClock } from '../../clock.ts';
import { type Answer, answerFrom, DRAFT_FROM_SHARE } from '../../knowledge/answer.ts';
import type { EngineCache } from '../../knowledge/engine-cache.ts';
import type { ActionInput, Brain, BrainContext } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { kbVersionInput, type LastReply, lastReplyInput } from './brain-inputs.ts';
import { afterReply, hoursAnswer, hoursReply, isFollowUp, otherLanguageStep, talkBefore } from './talk.ts';

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
  return clarifiedBefore(await lastReply(q, conversationId));
}

/** The conversation's last agent-side message and the customer message before it (what lastReplyInput reads). */
export async function lastReply(q: Queryable, conversationId: string | undefined): Promise<LastReply | null> {
  if (!conversationId) return null;
  const [row] = await q.query<LastReply>(
    `SELECT o.meta, (SELECT i.body FROM messages i WHERE i.conversation_id = $1 AND i.direction = 'in'
       AND i.created_at <= o.created_at ORDER BY i.created_at DESC LIMIT 1) AS answered
     FROM messages o WHERE o.conversation_id = $1 AND o.direction = 'out' ORDER BY o.created_at DESC LIMIT 1`,
    [conversationId],
  );
  return row ?? null;
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
    private readonly clock: Clock = systemClock,
  ) {}

  async decide(ctx: BrainContext): Promise<ActionInput> {
    const after = afterReply(ctx);
    if (after) return after;
    const question = typeof ctx.run.trigger.text === 'string' ? ctx.run.trigger.text.trim() : '';
    if (!question) return { type: 'done', outcome: 'nothing to answer' };
    const hours = businessHoursOf(ctx.agent.config);
    const now = this.clock.now();
    const talk = talkBefore(ctx, question, hours, now);
    if (talk) return talk;
    const snap = await this.cache.answering(this.db, ctx.agent.id, kbVersionInput(ctx));
    // The statement that started the run usually read the conversation's last reply already.
    const inputLast = lastReplyInput(ctx);
    const last =
      inputLast !== undefined ? inputLast : await lastReply(this.db, ctx.run.trigger.conversationId);
    // A follow-up ("and on bank holidays?") is read with the question the previous answer answered in front of it.
    const followUp = isFollowUp(question) ? followUpOf(last) : null;
    if (followUp !== null) {
      const combined = `${followUp} ${question}`;
      const fromHours = hoursAnswer(combined, hours, now);
      if (fromHours) return hoursReply(fromHours);
      const contextual = answerFrom(snap, combined);
      if (contextual.confidence >= ctx.agent.confidenceThreshold) return answerReply(contextual);
    }
    const answer = answerFrom(snap, question);
    if (answer.confidence >= ctx.agent.confidenceThreshold) return answerReply(answer);
    const foreign = otherLanguageStep(question);
    if (foreign) return foreign;
    const before = clarifiedBefore(last);
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

function answerReply(answer: Answer): ActionInput {
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

/** The question the conversation's last reply answered, when that reply was an answer (a follow-up leans on it). */
export function followUpOf(last: LastReply | null): string | null {
  const meta = last?.meta;
  if (meta?.intent !== 'answer' || typeof meta.topic !== 'string') return null;
  return last?.answered?.trim() || null;
}
