// Handing a run to a person: the run ends 'escalated' and an escalation opens, in the caller's transaction, so the
// state change and the hand-off commit together. A run that is no longer running is left alone.
import type { Services } from '../context.ts';
import { emitEvent } from '../events/emit.ts';
import type { Queryable } from '../store/db.ts';
import { escalationCreator } from './escalations.ts';
import { type DriveState, summarize } from './run-state.ts';

export interface RunEscalation {
  kind: 'escalation' | 'review';
  reason: string;
  code: string;
  summary?: string | undefined;
  suggestedReply?: string | undefined;
}

export async function runEscalator(
  svc: Services,
  tx: Queryable,
  state: DriveState,
  e: RunEscalation,
): Promise<void> {
  const [row] = await tx.query(
    `UPDATE runs SET status = 'escalated', outcome = $2 WHERE id = $1 AND status = 'running' RETURNING id`,
    [state.run.id, e.code],
  );
  if (!row) return;
  await escalationCreator(svc, tx, `agent:${state.agent.name}`, {
    agentId: state.agent.id,
    runId: state.run.id,
    conversationId: state.run.conversationId,
    kind: e.kind,
    reason: e.reason,
    summary: e.summary || summarize(state.history, state.run.trigger),
    suggestedReply: e.suggestedReply ?? null,
  });
  await emitEvent(tx, { type: 'escalation.opened', agentId: state.agent.id, runId: state.run.id });
}
