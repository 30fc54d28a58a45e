// Run and step rows, and how they are presented. The loop itself lives in runtime.ts.

import type { Queryable } from '../store/db.ts';
import type { Mode } from './mode.ts';
import { nodeAliveSql } from './presence.ts';
import type { RunTrigger, StepRecord } from './types.ts';

export type RunStatus = 'running' | 'suspended' | 'checkpoint' | 'escalated' | 'done' | 'closed' | 'failed';
export const TERMINAL_STATUSES: readonly RunStatus[] = ['escalated', 'done', 'closed', 'failed'];

export interface Run {
  id: string;
  agentId: string;
  status: RunStatus;
  trigger: RunTrigger;
  conversationId: string | null;
  stepsUsed: number;
  budget: number;
  outcome: string | null;
  mode: Mode;
  inCohort: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function presentRunRow(r: Record<string, unknown>): Run {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    status: r.status as RunStatus,
    trigger: r.trigger as RunTrigger,
    conversationId: (r.conversation_id as string | null) ?? null,
    stepsUsed: Number(r.steps_used),
    budget: Number(r.budget),
    outcome: (r.outcome as string | null) ?? null,
    mode: r.mode as Mode,
    inCohort: Boolean(r.in_cohort),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export async function getRun(q: Queryable, id: string): Promise<Run | null> {
  const [row] = await q.query('SELECT * FROM runs WHERE id = $1', [id]);
  return row ? presentRunRow(row) : null;
}

export async function listSteps(q: Queryable, runId: string): Promise<(StepRecord & { createdAt: Date })[]> {
  const rows = await q.query<{
    idx: number;
    action: StepRecord['action'];
    decision: string;
    result: unknown;
    created_at: Date;
  }>('SELECT idx, action, decision, result, created_at FROM steps WHERE run_id = $1 ORDER BY idx', [runId]);
  return rows.map((r) => ({
    idx: r.idx,
    action: r.action,
    decision: r.decision,
    result: r.result,
    createdAt: r.created_at,
  }));
}

export async function listRuns(
  q: Queryable,
  filter: { agentId?: string; status?: RunStatus; limit?: number } = {},
): Promise<Run[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.agentId) {
    params.push(filter.agentId);
    where.push(`agent_id = $${params.length}`);
  }
  if (filter.status) {
    params.push(filter.status);
    where.push(`status = $${params.length}`);
  }
  params.push(filter.limit ?? 100);
  const rows = await q.query(
    `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(presentRunRow);
}

/**
 * Drives a running run whose driver died (the node holding its lease no longer runs, see presence.ts) now, instead
 * of when its lease runs out and the recovery job comes by: a restarted node that meets the run again (the same
 * customer message redelivered or resent) answers it at once. A run whose driver lives is left to it. Returns the
 * run's status after, or null when there is no such run.
 */
export async function orphanedRunResumer(
  svc: { db: Queryable; nodeId: string },
  runtime: { drive(runId: string): Promise<RunStatus | null> },
  runId: string,
): Promise<RunStatus | null> {
  const [row] = await svc.db.query<{ status: RunStatus; orphaned: boolean }>(
    `WITH freed AS (
       UPDATE runs SET lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'running' AND lease_owner IS NOT NULL AND lease_owner <> $2
         AND NOT ${nodeAliveSql('lease_owner')}
       RETURNING id)
     SELECT r.status, (EXISTS (SELECT 1 FROM freed) OR (r.status = 'running' AND r.lease_owner IS NULL)) AS orphaned
     FROM runs r WHERE r.id = $1`,
    [runId, svc.nodeId],
  );
  if (!row) return null;
  return row.orphaned ? runtime.drive(runId) : row.status;
}
