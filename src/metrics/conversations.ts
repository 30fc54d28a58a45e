// Counts of what agents did, from what the system recorded: conversations, answers that held, hand-offs. The
// agent card and the overview read them; the measurement of hours saved builds on them.
import type { Queryable } from '../store/db.ts';

export interface ConversationCounts {
  conversations: number;
  answeredByAi: number;
  escalated: number;
  reopened: number;
}

/**
 * Overview counts for a period. An AI answer is "reopened" when the same customer (or conversation) comes back
 * on the same topic within 72 hours: it is then not counted as a resolution.
 */
export async function conversationCounts(
  q: Queryable,
  agentId: string,
  since: Date,
): Promise<ConversationCounts> {
  const [row] = await q.query<ConversationCounts>(
    `WITH answers AS (
       SELECT m.id, m.created_at, m.meta->>'topic' AS topic, m.conversation_id, c.customer_id
       FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.agent_id = $1 AND m.author = 'agent' AND m.status = 'sent' AND m.meta->>'intent' = 'answer' AND m.created_at >= $2
     ), reopened AS (
       SELECT a.id FROM answers a WHERE EXISTS (
         SELECT 1 FROM messages m2 JOIN conversations c2 ON c2.id = m2.conversation_id
         WHERE m2.agent_id = $1 AND m2.author = 'agent' AND m2.id <> a.id AND m2.meta->>'topic' = a.topic
           AND m2.created_at > a.created_at AND m2.created_at <= a.created_at + interval '72 hours'
           AND (m2.conversation_id = a.conversation_id OR (a.customer_id IS NOT NULL AND c2.customer_id = a.customer_id)))
     )
     SELECT (SELECT count(*)::int FROM conversations WHERE agent_id = $1 AND created_at >= $2) AS conversations,
            (SELECT count(DISTINCT id)::int FROM answers WHERE id NOT IN (SELECT id FROM reopened)) AS "answeredByAi",
            (SELECT count(*)::int FROM escalations WHERE agent_id = $1 AND kind <> 'checkpoint' AND created_at >= $2) AS escalated,
            (SELECT count(*)::int FROM reopened) AS reopened`,
    [agentId, since],
  );
  return row ?? { conversations: 0, answeredByAi: 0, escalated: 0, reopened: 0 };
}
