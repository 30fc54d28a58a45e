// What the agent cost, line by line, from what was recorded: model tokens and paid tools from the spend ledger (priced
// when the call was made, dated by the start of its UTC day), voice from Vapi's end-of-call reports (voice_calls.cost, in dollars;
// minutes from the call's start and end), paid messages from the ledger's paid_messages lines. Twelve records no
// paid-message lines yet (WhatsApp template sends are not priced): the line says so and counts what there is.
import type { Queryable } from '../store/db.ts';
import type { Range } from './outcomes.ts';

export interface CostLines {
  tokensCents: number;
  toolsCents: number;
  voiceCents: number;
  voiceMinutes: number;
  voiceCalls: number;
  paidMessagesCents: number;
  paidMessages: number;
  /** Whether any paid-message line was recorded in the range (false: the figure is 0 because nothing records it). */
  paidMessagesRecorded: boolean;
  totalCents: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function costLines(q: Queryable, agentId: string, range: Range): Promise<CostLines> {
  const [row] = await q.query<{
    tokens: number;
    tools: number;
    ledger_voice: number;
    paid: number;
    paid_lines: number;
    voice_dollars: number;
    voice_seconds: number;
    voice_calls: number;
  }>(
    `WITH l AS (
       SELECT category, cents FROM spend_ledger
       WHERE agent_id = $1 AND (day::timestamp AT TIME ZONE 'UTC') >= $2 AND (day::timestamp AT TIME ZONE 'UTC') < $3
     ), v AS (
       SELECT cost, started_at, ended_at FROM voice_calls WHERE agent_id = $1 AND created_at >= $2 AND created_at < $3
     )
     SELECT coalesce((SELECT sum(cents) FROM l WHERE category = 'llm_tokens'), 0)::float8 AS tokens,
            coalesce((SELECT sum(cents) FROM l WHERE category = 'tool'), 0)::float8 AS tools,
            coalesce((SELECT sum(cents) FROM l WHERE category = 'voice_minutes'), 0)::float8 AS ledger_voice,
            coalesce((SELECT sum(cents) FROM l WHERE category = 'paid_messages'), 0)::float8 AS paid,
            (SELECT count(*) FROM l WHERE category = 'paid_messages')::int AS paid_lines,
            coalesce((SELECT sum(cost) FROM v), 0)::float8 AS voice_dollars,
            coalesce((SELECT sum(extract(epoch FROM ended_at - started_at)) FROM v
                      WHERE ended_at IS NOT NULL AND started_at IS NOT NULL), 0)::float8 AS voice_seconds,
            (SELECT count(*) FROM v)::int AS voice_calls`,
    [agentId, range.from, range.to],
  );
  const r = row!;
  const voiceCents = round2(r.voice_dollars * 100 + r.ledger_voice);
  return {
    tokensCents: r.tokens,
    toolsCents: r.tools,
    voiceCents,
    voiceMinutes: round2(r.voice_seconds / 60),
    voiceCalls: r.voice_calls,
    paidMessagesCents: r.paid,
    paidMessages: r.paid_lines,
    paidMessagesRecorded: r.paid_lines > 0,
    totalCents: round2(r.tokens + r.tools + voiceCents + r.paid),
  };
}
