// The writes every part of a run's driver shares: an audit event on the run's stream, the one-statement fast write
// that folds that event into the step's own statement, a step's record, and the end of a run in a person's hands.
import { AUDIT_CHAIN_CONFLICT, auditRow } from '../../audit/log.ts';
import { type Queryable, sqlState } from '../../store/db.ts';
import { runEscalator } from '../escalate.ts';
import { type DriveState, type StepOutcome, safeJsonText } from '../run-state.ts';
import type { StepRecord } from '../types.ts';
import type { RunContext } from './context.ts';

export function audit(ctx: RunContext, q: Queryable, state: DriveState, action: string, payload: unknown) {
  state.head = null;
  return ctx.svc.audit.append(
    {
      stream: `run:${state.run.id}`,
      actor: `agent:${state.agent.name}`,
      action,
      subject: `run:${state.run.id}`,
      payload,
    },
    q,
  );
}

/**
 * Runs one statement that also appends an event to the run's audit stream, without a transaction or a head read:
 * the driver holds the lease, so it is the stream's only writer and knows the head. If it does not (someone
 * else appended), the trigger refuses the whole statement; re-read the head and try again. The statement's own
 * parameters come first; `sql` places the event's nine after them (auditPlaceholders of its argument).
 */
export async function fastWrite<T = Record<string, unknown>>(
  ctx: RunContext,
  state: DriveState,
  event: { action: string; payload: unknown },
  params: unknown[],
  sql: (firstAuditParam: number) => string,
): Promise<T[]> {
  const { svc } = ctx;
  const stream = `run:${state.run.id}`;
  const text = sql(params.length + 1);
  for (let attempt = 0; ; attempt++) {
    state.head ??= await svc.audit.readHead(svc.db, stream);
    const { values, next } = auditRow(
      {
        stream,
        actor: `agent:${state.agent.name}`,
        action: event.action,
        subject: stream,
        payload: event.payload,
      },
      state.head,
      svc.clock.now(),
    );
    try {
      const rows = await svc.db.query<T>(text, [...params, ...values]);
      state.head = next;
      return rows;
    } catch (err) {
      state.head = null;
      const code = sqlState(err);
      if (attempt >= 3 || code !== AUDIT_CHAIN_CONFLICT) throw err;
    }
  }
}

export async function recordStep(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: StepRecord['action'],
  decision: string,
  result: unknown,
  tx: Queryable = ctx.svc.db,
): Promise<void> {
  await tx.query(
    'INSERT INTO steps (run_id, idx, action, decision, result, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [
      state.run.id,
      idx,
      safeJsonText(action),
      decision,
      result === null ? null : JSON.stringify(result),
      ctx.svc.clock.now(),
    ],
  );
  await tx.query('UPDATE runs SET steps_used = $2 WHERE id = $1', [state.run.id, idx]);
  state.history.push({ idx, action, decision, result });
  state.run.stepsUsed = idx;
}

export async function endEscalated(
  ctx: RunContext,
  state: DriveState,
  reason: string,
  code: string,
  summary?: string,
  suggestedReply?: string,
): Promise<StepOutcome> {
  await ctx.svc.db.transaction((tx) =>
    runEscalator(ctx.svc, tx, state, { kind: 'escalation', reason, code, summary, suggestedReply }),
  );
  return 'stop';
}

export function failClosed(ctx: RunContext, state: DriveState, reason: string): Promise<StepOutcome> {
  return endEscalated(ctx, state, `failed closed: ${reason}`, 'failed_closed');
}
