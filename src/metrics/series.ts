// Volume and resolution over time, for the overview's charts: every agent's conversations per week (UTC weeks
// starting Monday, as date_trunc counts them), split by their one outcome (outcomes.ts), so each week's parts add up
// to its conversations. A conversation counts in the week it started, with its outcome as of `asOf`.
import type { Queryable } from '../store/db.ts';
import { conversationOutcomesSql, type OUTCOMES, type OutcomeCounts, type Range } from './outcomes.ts';

export interface WeekOutcomes extends OutcomeCounts {
  /** The Monday the week starts on, YYYY-MM-DD (UTC). */
  week: string;
}

const WEEK_MS = 7 * 86_400_000;

/** The Monday 00:00 UTC on or before `d`. */
export function weekStart(d: Date): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const back = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - back * 86_400_000);
}

/** The last `weeks` weeks up to `asOf` (the current week included), every week present even when empty. */
export async function weeklyOutcomes(
  q: Queryable,
  agentIds: readonly string[],
  weeks: number,
  asOf: Date,
): Promise<WeekOutcomes[]> {
  const first = new Date(weekStart(asOf).getTime() - (weeks - 1) * WEEK_MS);
  const range: Range = { from: first, to: asOf };
  const out: WeekOutcomes[] = [];
  for (let i = 0; i < weeks; i++) {
    const week = new Date(first.getTime() + i * WEEK_MS).toISOString().slice(0, 10);
    out.push({ week, conversations: 0, resolvedByAi: 0, clawedBack: 0, escalated: 0, abandoned: 0, open: 0 });
  }
  const byWeek = new Map(out.map((w) => [w.week, w]));
  for (const agentId of agentIds) {
    const rows = await q.query<{ week: string; outcome: (typeof OUTCOMES)[number]; n: number }>(
      `SELECT to_char(date_trunc('week', c.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, o.outcome,
              count(*)::int AS n
       FROM (${conversationOutcomesSql()}) o JOIN conversations c ON c.id = o.id
       GROUP BY 1, 2`,
      [agentId, range.from, range.to, asOf],
    );
    for (const r of rows) {
      const w = byWeek.get(r.week);
      if (!w) continue;
      w[r.outcome] += r.n;
      w.conversations += r.n;
    }
  }
  return out;
}
