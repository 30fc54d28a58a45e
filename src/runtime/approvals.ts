// The human side of the runtime: deciding approvals, resolving checkpoints, and the fallback when an approval
// expires. Each is one transaction with conditional updates, so two people (or two nodes) can never both win; the
// Runtime resumes the run afterwards.
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { emitEvent } from '../events/emit.ts';
import { presentAgentRow } from './agents.ts';
import { runEscalator } from './escalate.ts';
import type { Mode } from './mode.ts';
import type { DriveState } from './run-state.ts';
import { presentRunRow } from './runs.ts';
import type { AnyTool } from './tools.ts';

export interface ApprovalView {
  id: string;
  runId: string;
  toolCallId: string;
  agentId: string;
  reason: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  decidedBy: string | null;
  decisionReason: string | null;
  decidedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
  tool?: string;
  args?: unknown;
  risk?: string;
}

export function presentApprovalRow(r: Record<string, unknown>): ApprovalView {
  return {
    id: String(r.id),
    runId: String(r.run_id),
    toolCallId: String(r.tool_call_id),
    agentId: String(r.agent_id),
    reason: String(r.reason),
    status: r.status as ApprovalView['status'],
    decidedBy: (r.decided_by as string | null) ?? null,
    decisionReason: (r.decision_reason as string | null) ?? null,
    decidedAt: (r.decided_at as Date | null) ?? null,
    expiresAt: r.expires_at as Date,
    createdAt: r.created_at as Date,
    ...(r.tool ? { tool: String(r.tool), args: r.args, risk: String(r.risk) } : {}),
  };
}

/** Why a human must look, in words the approvals queue shows. */
export function approvalReason(tool: Readonly<AnyTool>, mode: Mode): string {
  if (tool.risk === 'destructive') return `${tool.name} is destructive: a human must approve it`;
  if (tool.risk === 'spend')
    return mode === 'production'
      ? `${tool.name} spends money beyond the daily cap (or no cap is set)`
      : `${tool.name} spends money (${mode} mode)`;
  return `${tool.name} changes data (${mode} mode needs approval)`;
}

/** Records a human's decision on a pending approval. Exactly one decision wins (a conditional update). */
export async function approvalDecider(
  svc: Services,
  approvalId: string,
  decision: 'approve' | 'deny',
  actor: Actor,
  reason = '',
): Promise<ApprovalView> {
  if (actor.startsWith('agent:')) throw new AppError('forbidden', 'agents cannot decide approvals');
  const now = svc.clock.now();
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `UPDATE approvals SET status = $2, decided_by = $3, decision_reason = $4, decided_at = $5
       WHERE id = $1 AND status = 'pending' AND expires_at > $5 RETURNING *`,
      [approvalId, decision === 'approve' ? 'approved' : 'denied', actor, reason, now],
    );
    if (!row) {
      const [existing] = await tx.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
        approvalId,
      ]);
      if (!existing) throw new AppError('not_found', 'no such approval');
      if (existing.status === 'pending') throw new AppError('invalid_state', 'the approval has expired');
      throw new AppError('already_decided', `the approval was already ${existing.status}`);
    }
    const a = presentApprovalRow(row);
    const denied = { error: { id: 'denied', message: 'a human denied this action', reason } };
    const [tc] = await tx.query<{ step_idx: number }>(
      `UPDATE tool_calls SET status = $2, result = $3 WHERE id = $1 AND status = 'pending' RETURNING step_idx`,
      [
        a.toolCallId,
        decision === 'approve' ? 'ready' : 'denied',
        decision === 'approve' ? null : JSON.stringify(denied),
      ],
    );
    const [run] = await tx.query(
      `UPDATE runs SET status = 'running' WHERE id = $1 AND status = 'suspended' RETURNING id`,
      [a.runId],
    );
    if (!tc || !run) throw new AppError('invalid_state', 'the run is no longer waiting for this approval');
    if (decision === 'deny') {
      await tx.query('UPDATE steps SET result = $3 WHERE run_id = $1 AND idx = $2', [
        a.runId,
        tc.step_idx,
        JSON.stringify(denied),
      ]);
    }
    await svc.audit.append(
      {
        stream: `run:${a.runId}`,
        actor,
        action: decision === 'approve' ? 'approval.approved' : 'approval.denied',
        subject: `approval:${a.id}`,
        payload: { reason },
      },
      tx,
    );
    await emitEvent(tx, { type: 'approval.decided', approvalId: a.id, runId: a.runId, agentId: a.agentId });
    return a;
  });
}

/** A human resolves a checkpoint: continue with a fresh step budget, or close the run. */
export async function checkpointResolver(
  svc: Services,
  runId: string,
  choice: 'continue' | 'close',
  actor: Actor,
  note = '',
): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `UPDATE runs r SET status = $2, budget = CASE WHEN $2 = 'running' THEN r.steps_used + a.step_budget ELSE r.budget END,
         outcome = CASE WHEN $2 = 'closed' THEN 'closed_at_checkpoint' ELSE r.outcome END
       FROM agents a WHERE r.id = $1 AND a.id = r.agent_id AND r.status = 'checkpoint' RETURNING r.id`,
      [runId, choice === 'continue' ? 'running' : 'closed'],
    );
    if (!row) throw new AppError('invalid_state', 'the run is not at a checkpoint');
    await tx.query(
      `UPDATE escalations SET state = 'resolved', resolved_by = $2, resolved_at = $3, resolution = $4,
         claimed_by = COALESCE(claimed_by, $2), claimed_at = COALESCE(claimed_at, $3)
       WHERE run_id = $1 AND kind = 'checkpoint' AND state <> 'resolved'`,
      [runId, actor, svc.clock.now(), `${choice}${note ? `: ${note}` : ''}`],
    );
    await svc.audit.append(
      {
        stream: `run:${runId}`,
        actor,
        action: `checkpoint.${choice}`,
        subject: `run:${runId}`,
        payload: { note },
      },
      tx,
    );
  });
}

/** Expired approvals fall back to a human: the run escalates and the action never runs. */
export async function approvalExpirer(
  svc: Services,
  /** Called after each expiry has committed (the runtime releases the call's hold). */
  onExpired?: (a: ApprovalView) => Promise<void>,
): Promise<number> {
  const now = svc.clock.now();
  const due = await svc.db.query<{ id: string }>(
    `SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= $1`,
    [now],
  );
  let n = 0;
  for (const { id } of due) {
    let view: ApprovalView | null = null;
    const expired = await svc.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `UPDATE approvals SET status = 'expired', decided_at = $2 WHERE id = $1 AND status = 'pending' RETURNING *`,
        [id, now],
      );
      if (!row) return false;
      const a = presentApprovalRow(row);
      view = a;
      await tx.query(`UPDATE tool_calls SET status = 'expired' WHERE id = $1 AND status = 'pending'`, [
        a.toolCallId,
      ]);
      const [run] = await tx.query(
        `UPDATE runs SET status = 'running' WHERE id = $1 AND status = 'suspended' RETURNING *`,
        [a.runId],
      );
      const [agentRow] = await tx.query('SELECT * FROM agents WHERE id = $1', [a.agentId]);
      await svc.audit.append(
        {
          stream: `run:${a.runId}`,
          actor: 'system',
          action: 'approval.expired',
          subject: `approval:${id}`,
          payload: {},
        },
        tx,
      );
      if (run && agentRow) {
        const state: DriveState = {
          run: presentRunRow(run),
          agent: presentAgentRow(agentRow),
          history: [],
          head: null,
        };
        await runEscalator(svc, tx, state, {
          kind: 'escalation',
          reason: 'an approval expired before anyone decided',
          code: 'approval_expired',
        });
      }
      return true;
    });
    if (expired) n++;
    if (expired && view && onExpired) await onExpired(view);
  }
  return n;
}
