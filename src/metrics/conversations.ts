// Counts of what agents did, from what the system recorded: one outcome per conversation (metrics/outcomes.ts), so
// the parts add up to the conversations. The agent card and the overview read them; measurement.ts builds the hours
// and costs on the same outcomes.
import type { Queryable } from '../store/db.ts';
import { conversationOutcomes, type OutcomeCounts } from './outcomes.ts';

export interface ConversationCounts extends OutcomeCounts {
  /** The same as resolvedByAi (the name the card used before outcomes). */
  answeredByAi: number;
  /** The same as clawedBack: AI answers the customer came back about within 72 h. */
  reopened: number;
  /** Hand-offs and reviews, plus the clawed-back conversations (which count with them). */
  escalatedTotal: number;
}

/**
 * The outcomes of the agent's conversations that started since `since`, as of `asOf`:
 * resolvedByAi + clawedBack + escalated + abandoned + open = conversations.
 */
export async function conversationCounts(
  q: Queryable,
  agentId: string,
  since: Date,
  asOf: Date = new Date(),
): Promise<ConversationCounts> {
  const counts = await conversationOutcomes(
    q,
    agentId,
    { from: since, to: new Date('9999-12-31T00:00:00Z') },
    asOf,
  );
  return {
    ...counts,
    answeredByAi: counts.resolvedByAi,
    reopened: counts.clawedBack,
    escalatedTotal: counts.escalated + counts.clawedBack,
  };
}
