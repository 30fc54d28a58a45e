// Human time on an agent, measured from what the system recorded (never typed-in estimates, except the work log,
// which is time a person says they spent outside Twelve, audited): hand-offs claim → resolve, draft reviews and
// checkpoints (claim, or open when never claimed) → resolve, approvals open → decision, editing sessions from the
// agent's audit trail, and the work log. Each item is dated by when it ended (a work-log entry and a spend line: the start of their UTC day).
import type { Queryable } from '../store/db.ts';
import type { Range } from './outcomes.ts';

export const HUMAN_TIME_RULES = {
  /** One item (a hand-off, a review, an approval) counts at most this long: a queue left overnight is not work. */
  maxItemMinutes: 60,
  /** Edits by one person less than this many minutes apart belong to one working session. */
  sessionGapMinutes: 10,
  /** Added to each session for the reading and thinking before its first edit. */
  sessionExtraMinutes: 2,
} as const;

/** Audit actions on an agent's stream that are a person editing it: knowledge base, rubric, business, settings. */
export const EDIT_ACTION_PREFIXES = ['kb.', 'rubric.', 'business.'] as const;
export const EDIT_ACTIONS = ['agent.updated', 'readiness.assessed'] as const;

export interface HumanMinutes {
  /** Hand-offs (escalations of kind escalation): a person working a conversation the agent gave up. */
  handoffs: number;
  /** Drafts reviewed in shadow or pilot (escalations of kind review). */
  reviews: number;
  checkpoints: number;
  approvals: number;
  editing: number;
  editingSessions: number;
  logged: number;
  /** Everything but hand-offs: the time spent keeping the agent running (the "maintenance" of net hours). */
  maintenance: number;
  total: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function humanMinutes(q: Queryable, agentId: string, range: Range): Promise<HumanMinutes> {
  const cap = HUMAN_TIME_RULES.maxItemMinutes;
  const [items] = await q.query<{
    handoffs: number;
    reviews: number;
    checkpoints: number;
    approvals: number;
    logged: number;
  }>(
    `WITH esc AS (
       SELECT kind, least(extract(epoch FROM resolved_at - coalesce(claimed_at, created_at)) / 60, ${cap}) AS m
       FROM escalations WHERE agent_id = $1 AND state = 'resolved' AND resolved_at >= $2 AND resolved_at < $3
     )
     SELECT coalesce((SELECT sum(m) FROM esc WHERE kind = 'escalation'), 0)::float8 AS handoffs,
            coalesce((SELECT sum(m) FROM esc WHERE kind = 'review'), 0)::float8 AS reviews,
            coalesce((SELECT sum(m) FROM esc WHERE kind = 'checkpoint'), 0)::float8 AS checkpoints,
            coalesce((SELECT sum(least(extract(epoch FROM decided_at - created_at) / 60, ${cap})) FROM approvals
                      WHERE agent_id = $1 AND status IN ('approved', 'denied') AND decided_by IS NOT NULL
                        AND decided_at >= $2 AND decided_at < $3), 0)::float8 AS approvals,
            coalesce((SELECT sum(minutes) FROM work_log
                      WHERE agent_id = $1 AND (worked_on::timestamp AT TIME ZONE 'UTC') >= $2
                        AND (worked_on::timestamp AT TIME ZONE 'UTC') < $3), 0)::float8 AS logged`,
    [agentId, range.from, range.to],
  );
  const edits = await editingMinutes(q, agentId, range);
  const m = { handoffs: 0, reviews: 0, checkpoints: 0, approvals: 0, logged: 0, ...items };
  const maintenance = m.reviews + m.checkpoints + m.approvals + edits.minutes + m.logged;
  return {
    handoffs: round2(m.handoffs),
    reviews: round2(m.reviews),
    checkpoints: round2(m.checkpoints),
    approvals: round2(m.approvals),
    editing: round2(edits.minutes),
    editingSessions: edits.sessions,
    logged: round2(m.logged),
    maintenance: round2(maintenance),
    total: round2(maintenance + m.handoffs),
  };
}

/**
 * Editing time from the agent's audit trail: a person's edit events (EDIT_ACTION_PREFIXES, EDIT_ACTIONS; not the
 * system's, not an agent's) sorted by time; an edit less than 10 minutes after that person's previous one continues
 * the session; a session counts from its first to its last edit, plus 2 minutes.
 */
export async function editingMinutes(
  q: Queryable,
  agentId: string,
  range: Range,
): Promise<{ minutes: number; sessions: number }> {
  const like = EDIT_ACTION_PREFIXES.map((_, i) => `action LIKE $${i + 4}`).join(' OR ');
  const rows = await q.query<{ actor: string; at: Date }>(
    `SELECT actor, at FROM audit_events
     WHERE stream = $1 AND at >= $2 AND at < $3 AND actor <> 'system' AND actor NOT LIKE 'agent:%'
       AND (${like} OR action = ANY($${EDIT_ACTION_PREFIXES.length + 4}::text[]))
     ORDER BY actor, at`,
    [
      `agent:${agentId}`,
      range.from,
      range.to,
      ...EDIT_ACTION_PREFIXES.map((p) => `${p}%`),
      [...EDIT_ACTIONS],
    ],
  );
  const gap = HUMAN_TIME_RULES.sessionGapMinutes * 60_000;
  let minutes = 0;
  let sessions = 0;
  let actor: string | null = null;
  let start = 0;
  let last = 0;
  const close = () => {
    if (actor === null) return;
    minutes += (last - start) / 60_000 + HUMAN_TIME_RULES.sessionExtraMinutes;
    sessions++;
  };
  for (const r of rows) {
    const t = new Date(r.at).getTime();
    if (r.actor !== actor || t - last >= gap) {
      close();
      actor = r.actor;
      start = t;
    }
    last = t;
  }
  close();
  return { minutes, sessions };
}
