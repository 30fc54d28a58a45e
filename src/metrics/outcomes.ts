// One outcome per conversation, so the parts add up to the whole: resolved by AI, clawed back (an AI answer that
// did not hold: counted with the escalated), escalated, abandoned, still open. The same rules on every channel and
// every kind; they read only what the platform records (conversations, messages, escalations). README.md
// ("Measurement") gives the rules in a table; OUTCOME_RULES holds their constants.
import type { Queryable } from '../store/db.ts';

export interface Range {
  from: Date;
  to: Date;
}

export const OUTCOME_RULES = {
  /** An AI answer followed within this many hours by another answer on the same topic was reopened: clawed back. */
  reopenHours: 72,
  /** A conversation with no new message for this many hours is settled: resolved by AI, or abandoned. */
  quietHours: 24,
} as const;

export type Outcome = 'resolvedByAi' | 'clawedBack' | 'escalated' | 'abandoned' | 'open';
export const OUTCOMES: readonly Outcome[] = ['resolvedByAi', 'clawedBack', 'escalated', 'abandoned', 'open'];

export interface OutcomeCounts {
  conversations: number;
  resolvedByAi: number;
  clawedBack: number;
  escalated: number;
  abandoned: number;
  open: number;
}

/** Outgoing messages that reached the customer (a draft, a reply held for review or a failed send did not). */
const SENT = `('sent', 'delivered', 'read')`;

/**
 * The outcome of every conversation of the agent that started in the range, as of `asOf`, in priority order:
 * 1. escalated: a person took it over or reviewed the agent's draft (an escalation of kind escalation or review);
 * 2. clawed back: an AI answer in it was followed within 72 h by another answer of the agent on the same topic, in
 *    the same conversation or another of the same customer (the answer did not hold);
 * 3. open: a message came less than 24 h ago (the conversation is not settled yet);
 * 4. resolved by AI: its last message is an agent answer the customer received that asks nothing back (not a
 *    clarifying question, not ending in "?"), and no one wrote for 24 h;
 * 5. abandoned: otherwise: quiet for 24 h after an agent question, or with no answer at all.
 * Small talk (replies of intent 'talk' and the customer messages they answer) is skipped when the last message is
 * found: "thanks!" after an answer leaves it resolved.
 */
export function conversationOutcomesSql(): string {
  // The clawback test runs once over the agent's topical messages since the range began (a window function per
  // customer, or per conversation without one, and topic: the next message on the same topic), not once per answer:
  // a conversation always has one customer, so "the same conversation or the same customer" is one partition.
  return `WITH conv AS (
      SELECT c.id, c.customer_id, c.created_at FROM conversations c
      WHERE c.agent_id = $1 AND c.created_at >= $2 AND c.created_at < $3
    ), topical AS (
      SELECT m.conversation_id, m.status, m.meta->>'intent' AS intent, m.created_at,
        lead(m.created_at) OVER (
          PARTITION BY coalesce('u:' || c.customer_id, 'c:' || m.conversation_id), m.meta->>'topic'
          ORDER BY m.created_at, m.id) AS next_at
      FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.agent_id = $1 AND m.author = 'agent' AND (m.meta->>'topic') IS NOT NULL
        AND m.created_at >= $2 AND m.created_at <= $4
    ), clawed AS (
      SELECT DISTINCT conversation_id FROM topical
      WHERE status IN ${SENT} AND coalesce(intent, 'answer') = 'answer'
        AND next_at > created_at AND next_at <= created_at + make_interval(hours => ${OUTCOME_RULES.reopenHours})
    ), each AS (
      SELECT conv.id, true AS in_range, false AS clawed,
        EXISTS (SELECT 1 FROM escalations e WHERE e.conversation_id = conv.id AND e.agent_id = $1
                AND e.kind IN ('escalation', 'review')) AS human,
        last.author, last.status, last.intent, last.body,
        coalesce(last.created_at, conv.created_at) AS last_at
      FROM conv LEFT JOIN LATERAL (
        SELECT author, status, meta->>'intent' AS intent, body, created_at FROM messages m
        WHERE conversation_id = conv.id AND created_at <= $4
          -- small talk ("thanks!" and its "you're welcome") neither settles nor unsettles a conversation: the
          -- exchange before it decides
          AND coalesce(m.meta->>'intent', '') <> 'talk'
          AND NOT (m.direction = 'in' AND coalesce((SELECT n.meta->>'intent' FROM messages n
            WHERE n.conversation_id = m.conversation_id AND n.direction = 'out' AND n.created_at >= m.created_at
            ORDER BY n.created_at, n.id LIMIT 1), '') = 'talk')
        -- a reply stored at the same instant as the message it answers comes after it
        ORDER BY created_at DESC, (direction = 'out') DESC, id DESC LIMIT 1) last ON true
      -- Joined by grouping rather than a join: the planner cannot size the window's result and would loop over it.
      UNION ALL
      SELECT conversation_id, false, true, false, NULL, NULL, NULL, NULL, NULL FROM clawed
    ), facts AS (
      SELECT id, bool_or(human) AS human, bool_or(clawed) AS clawed, max(author) AS author, max(status) AS status,
        max(intent) AS intent, max(body) AS body, max(last_at) AS last_at
      FROM each GROUP BY id HAVING bool_or(in_range)
    )
    SELECT id,
      CASE WHEN human THEN 'escalated'
           WHEN clawed THEN 'clawedBack'
           WHEN last_at > $4::timestamptz - make_interval(hours => ${OUTCOME_RULES.quietHours}) THEN 'open'
           WHEN author = 'agent' AND status IN ${SENT} AND coalesce(intent, 'answer') = 'answer'
                AND rtrim(body) NOT LIKE '%?' THEN 'resolvedByAi'
           ELSE 'abandoned' END AS outcome
    FROM facts`;
}

export async function conversationOutcomes(
  q: Queryable,
  agentId: string,
  range: Range,
  asOf: Date,
): Promise<OutcomeCounts> {
  const rows = await q.query<{ outcome: Outcome; n: number }>(
    `SELECT outcome, count(*)::int AS n FROM (${conversationOutcomesSql()}) o GROUP BY outcome`,
    [agentId, range.from, range.to, asOf],
  );
  const counts: OutcomeCounts = {
    conversations: 0,
    resolvedByAi: 0,
    clawedBack: 0,
    escalated: 0,
    abandoned: 0,
    open: 0,
  };
  for (const r of rows) {
    counts[r.outcome] = r.n;
    counts.conversations += r.n;
  }
  return counts;
}

/** Each conversation's outcome (the CSV export's detail and the tests' view). */
export async function conversationOutcomeList(
  q: Queryable,
  agentId: string,
  range: Range,
  asOf: Date,
): Promise<{ id: string; outcome: Outcome }[]> {
  return q.query<{ id: string; outcome: Outcome }>(`${conversationOutcomesSql()} ORDER BY id`, [
    agentId,
    range.from,
    range.to,
    asOf,
  ]);
}
