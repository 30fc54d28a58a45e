// An agent's coverage and precision per week, from what the system recorded (no labels needed): of the customer
// questions its brain took on, how many it answered (coverage), and of its answers, how many held (precision). The
// live counterparts of `twelve eval support`'s figures, for the dashboard's weekly chart.
//
// - an answer: an agent message of intent 'answer' that reached the customer (not a notice, not small talk);
// - a miss: a request to rephrase (intent 'clarify') or a hand-off to a person (an escalation of kind 'escalation');
// - coverage = answers / (answers + misses); small talk ('talk') counts as neither;
// - an answer held unless, within OUTCOME_RULES.reopenHours, a person took the conversation over or the agent
//   answered the same topic again for the same customer (clawed back, as outcomes.ts counts it);
// - precision = answers that held / answers (null in a week without answers).
// Weeks start on Monday, UTC.
import type { Queryable } from '../store/db.ts';
import { OUTCOME_RULES } from './outcomes.ts';

export interface WeekFigures {
  /** The week's Monday, YYYY-MM-DD (UTC). */
  week: string;
  answers: number;
  held: number;
  misses: number;
  coverage: number | null;
  precision: number | null;
}

const SENT = `('sent', 'delivered', 'read')`;

/** The `weeks` weeks up to and including the one of `now`, oldest first; weeks without activity are zeros. */
export async function weeklyAnswerFigures(
  q: Queryable,
  agentId: string,
  now: Date,
  weeks = 12,
): Promise<WeekFigures[]> {
  const thisMonday = mondayOf(now);
  const from = new Date(thisMonday.getTime() - (weeks - 1) * 7 * 86_400_000);
  const rows = await q.query<{ week: string; answers: number; held: number; misses: number }>(
    `WITH ans AS (
       SELECT m.id, m.conversation_id, m.created_at, m.meta->>'topic' AS topic, c.customer_id
       FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.agent_id = $1 AND m.author = 'agent' AND m.direction = 'out' AND m.status IN ${SENT}
         AND coalesce(m.meta->>'intent', 'answer') = 'answer' AND m.created_at >= $2 AND m.created_at < $3
     ), judged AS (
       SELECT a.created_at, NOT (
         EXISTS (SELECT 1 FROM escalations e WHERE e.conversation_id = a.conversation_id AND e.agent_id = $1
                 AND e.kind IN ('escalation', 'review') AND e.created_at >= a.created_at
                 AND e.created_at <= a.created_at + make_interval(hours => ${OUTCOME_RULES.reopenHours}))
         OR (a.topic IS NOT NULL AND EXISTS (
           SELECT 1 FROM messages n JOIN conversations c2 ON c2.id = n.conversation_id
           WHERE n.agent_id = $1 AND n.author = 'agent' AND n.meta->>'topic' = a.topic AND n.id <> a.id
             AND coalesce(n.meta->>'intent', 'answer') = 'answer'
             AND n.created_at > a.created_at
             AND n.created_at <= a.created_at + make_interval(hours => ${OUTCOME_RULES.reopenHours})
             AND (n.conversation_id = a.conversation_id OR c2.customer_id = a.customer_id)))) AS held
       FROM ans a
     ), events AS (
       SELECT created_at, 1 AS answer, CASE WHEN held THEN 1 ELSE 0 END AS held, 0 AS miss FROM judged
       UNION ALL
       SELECT created_at, 0, 0, 1 FROM messages
       WHERE agent_id = $1 AND author = 'agent' AND meta->>'intent' = 'clarify' AND created_at >= $2 AND created_at < $3
       UNION ALL
       SELECT created_at, 0, 0, 1 FROM escalations
       WHERE agent_id = $1 AND kind = 'escalation' AND created_at >= $2 AND created_at < $3
     )
     SELECT to_char(date_trunc('week', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
       sum(answer)::int AS answers, sum(held)::int AS held, sum(miss)::int AS misses
     FROM events GROUP BY 1`,
    [agentId, from, new Date(thisMonday.getTime() + 7 * 86_400_000)],
  );
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  return Array.from({ length: weeks }, (_, i) => {
    const week = new Date(from.getTime() + i * 7 * 86_400_000).toISOString().slice(0, 10);
    const r = byWeek.get(week);
    const answers = r?.answers ?? 0;
    const held = r?.held ?? 0;
    const misses = r?.misses ?? 0;
    return {
      week,
      answers,
      held,
      misses,
      coverage: answers + misses > 0 ? answers / (answers + misses) : null,
      precision: answers > 0 ? held / answers : null,
    };
  });
}

/** Monday 00:00 UTC of the week of an instant. */
export function mondayOf(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const back = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - back * 86_400_000);
}
