// What a driver holds while it drives a run, and small helpers shared by the runtime's parts.
import type { Head } from '../audit/log.ts';
import type { Queryable } from '../store/db.ts';
import { pgSafe } from '../store/text.ts';
import type { Run } from './runs.ts';
import type { AgentConfig, RunTrigger, StepRecord } from './types.ts';

export type StepOutcome = 'continue' | 'stop';

export interface DriveState {
  run: Run;
  agent: AgentConfig;
  history: StepRecord[];
  /** Head of the run's audit stream as this driver last wrote it (null: read it before the next fast write). */
  head: Head | null;
  /** The lease row the last statement already returned (undefined: the next step reads it; null: lease lost). */
  prefetched?: Record<string, unknown> | null;
  /** Set by a step whose statement also released the lease: the run as released (null: it was not ours). */
  released?: Record<string, unknown> | null;
  /** The caller's list of the messages this drive writes (StartOptions.written), appended once each has committed. */
  written?: WrittenMessage[] | undefined;
}

/** A message as a run wrote it (the columns a transcript shows), known without reading it back. */
export interface WrittenMessage {
  id: string;
  direction: 'in' | 'out';
  author: 'customer' | 'agent';
  status: string;
  body: string;
  sources: string[];
  meta: Record<string, unknown>;
  createdAt: Date;
}

/** A short account of the run for the person who takes it over. */
export function summarize(history: StepRecord[], trigger?: RunTrigger): string {
  const parts: string[] = [];
  if (trigger?.text) parts.push(`Customer: ${String(trigger.text).slice(0, 300)}`);
  for (const h of history.slice(-5)) {
    const a = h.action;
    if (a.type === 'reply') parts.push(`Agent replied (${h.decision}): ${a.text.slice(0, 200)}`);
    else if (a.type === 'tool') parts.push(`Agent used ${a.name} (${h.decision})`);
    else if (a.type === 'invalid') parts.push('Agent produced an invalid action');
  }
  return parts.join('\n');
}

export async function spentToday(q: Queryable, agentId: string, now: Date): Promise<number> {
  const [row] = await q.query<{ total: number }>(
    'SELECT COALESCE(SUM(cents), 0)::int AS total FROM spend_ledger WHERE agent_id = $1 AND day = $2',
    [agentId, utcDay(now)],
  );
  return row?.total ?? 0;
}

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A JSON copy fit for jsonb: PostgreSQL rejects NUL and unpaired UTF-16 halves in strings (store/text.ts). */
export function safeJson(v: unknown): unknown {
  return JSON.parse(safeJsonText(v));
}

/** JSON.stringify(safeJson(v)) without the copy: the text a jsonb parameter takes. */
export function safeJsonText(v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v ?? null, (_k, val) => (typeof val === 'string' ? pgSafe(val) : val));
  } catch {
    text = undefined;
  }
  // A value JSON cannot hold (a cycle, a BigInt, a bare function) is kept as its description.
  return text ?? JSON.stringify({ unserializable: String(v) });
}
