// The maintenance trap: an agent whose upkeep eats its savings. It is in the trap when its net hours over the last 30
// days are below zero ('negative'), or when they are still positive but falling so fast they reach zero within the
// next 30 days ('trending': over three consecutive 30-day windows w1, w2, w3 ending now, the slope (w3 − w1) / 2 per
// 30 days is negative and w3 + slope < 0). Entering it is recorded once (maintenance_traps: at most one open row per
// agent), audited, and announced on the event bus; the dashboard shows the open record. Leaving it closes the record.
// An agent with no work in the last 30 days (no conversation, no outcome of its kind such as a screened resume) is
// idle, not trapped: nothing it did can be weighed against its upkeep (a new agent's set-up, for one, would otherwise
// put it in the trap before its first customer). Its upkeep still shows in the figures.
import type { Services } from '../context.ts';
import { emitEvent } from '../events/emit.ts';
import type { Queryable } from '../store/db.ts';
import { agentMetrics, type MeasurementKinds } from './measurement.ts';

const DAY = 86_400_000;

export const TRAP_RECOMMENDATION =
  "Narrow the agent's scope to what it resolves on its own, or move it to pilot until its upkeep is below what it saves.";

export interface TrapEvaluation {
  trapped: boolean;
  reason: 'negative' | 'trending' | null;
  /** Net hours of the three 30-day windows ending now, oldest first (the last is the last 30 days). */
  windows: number[];
  slopePerMonth: number;
  /** Net hours the next 30 days would show if the slope held. */
  projectedNetHours: number;
  /** Conversations and outcomes of the agent's kind in the last 30 days; with none the agent is idle, not judged. */
  work: number;
  recommendation: string;
}

export async function trapEvaluator(
  q: Queryable,
  agentId: string,
  now: Date,
  kinds?: MeasurementKinds,
): Promise<TrapEvaluation> {
  const windows: number[] = [];
  let work = 0;
  for (const back of [2, 1, 0]) {
    const to = new Date(now.getTime() - back * 30 * DAY);
    const m = await agentMetrics(q, agentId, { from: new Date(to.getTime() - 30 * DAY), to }, { kinds, now });
    windows.push(m.hours.net);
    if (back === 0) work = m.outcomes.conversations + m.kindOutcomes.reduce((s, o) => s + o.count, 0);
  }
  const [w1, , w3] = windows as [number, number, number];
  const slope = Math.round(((w3 - w1) / 2) * 100) / 100;
  const projected = Math.round((w3 + slope) * 100) / 100;
  const reason = work === 0 ? null : w3 < 0 ? 'negative' : slope < 0 && projected < 0 ? 'trending' : null;
  return {
    trapped: reason !== null,
    reason,
    windows,
    slopePerMonth: slope,
    projectedNetHours: projected,
    work,
    recommendation: TRAP_RECOMMENDATION,
  };
}

export interface TrapRecord {
  id: string;
  reason: 'negative' | 'trending';
  figures: TrapEvaluation;
  enteredAt: string;
}

/** The agent's open trap record, if it is in the trap. */
export async function openTrap(q: Queryable, agentId: string): Promise<TrapRecord | null> {
  const [row] = await q.query<{
    id: string;
    reason: 'negative' | 'trending';
    figures: TrapEvaluation;
    entered_at: Date;
  }>(
    'SELECT id, reason, figures, entered_at FROM maintenance_traps WHERE agent_id = $1 AND cleared_at IS NULL',
    [agentId],
  );
  return row
    ? {
        id: row.id,
        reason: row.reason,
        figures: row.figures,
        enteredAt: new Date(row.entered_at).toISOString(),
      }
    : null;
}

/**
 * Evaluates the trap for an agent and records a change: entering it (a row, an audit event
 * `measurement.trap_entered` with the figures, a `measurement.trap` event for the admins' dashboards) or leaving it
 * (`measurement.trap_cleared`). Safe to run twice or on two nodes: the open row is unique per agent and written
 * under the agent's audit head lock.
 */
export async function maintenanceTrapChecker(
  svc: Services,
  agentId: string,
  kinds?: MeasurementKinds,
): Promise<{ evaluation: TrapEvaluation; changed: 'entered' | 'cleared' | null }> {
  const now = svc.clock.now();
  const evaluation = await trapEvaluator(svc.db, agentId, now, kinds);
  const changed = await svc.db.transaction(async (tx) => {
    // The agent's audit head lock serializes checkers of the same agent.
    await svc.audit.lockHead(tx, `agent:${agentId}`);
    const open = await openTrap(tx, agentId);
    if (evaluation.trapped && !open) {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO maintenance_traps (agent_id, reason, figures, entered_at) VALUES ($1, $2, $3, $4) RETURNING id`,
        [agentId, evaluation.reason, JSON.stringify(evaluation), now],
      );
      await svc.audit.append(
        {
          stream: `agent:${agentId}`,
          actor: 'system',
          action: 'measurement.trap_entered',
          subject: `agent:${agentId}`,
          payload: { trap: row!.id, ...evaluation },
        },
        tx,
      );
      await emitEvent(tx, { type: 'measurement.trap', agentId, trap: row!.id, state: 'entered' });
      return 'entered' as const;
    }
    if (!evaluation.trapped && open) {
      await tx.query('UPDATE maintenance_traps SET cleared_at = $2 WHERE id = $1', [open.id, now]);
      await svc.audit.append(
        {
          stream: `agent:${agentId}`,
          actor: 'system',
          action: 'measurement.trap_cleared',
          subject: `agent:${agentId}`,
          payload: { trap: open.id, windows: evaluation.windows },
        },
        tx,
      );
      await emitEvent(tx, { type: 'measurement.trap', agentId, trap: open.id, state: 'cleared' });
      return 'cleared' as const;
    }
    return null;
  });
  return { evaluation, changed };
}

/** Checks every active agent (the measurement.trap job). */
export async function maintenanceTrapSweeper(
  svc: Services,
  kinds?: MeasurementKinds,
): Promise<{ checked: number; entered: number; cleared: number }> {
  const agents = await svc.db.query<{ id: string }>(`SELECT id FROM agents ORDER BY name`);
  let entered = 0;
  let cleared = 0;
  for (const a of agents) {
    const { changed } = await maintenanceTrapChecker(svc, a.id, kinds);
    if (changed === 'entered') entered++;
    if (changed === 'cleared') cleared++;
  }
  return { checked: agents.length, entered, cleared };
}
