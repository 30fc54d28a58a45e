// The step budget's end (DESIGN §2): the run waits at a checkpoint, and a person continues it with a fresh budget or
// closes it (approvals.ts, checkpointResolver).
import { emitEvent } from '../../events/emit.ts';
import { escalationCreator } from '../escalations.ts';
import { type DriveState, type StepOutcome, summarize } from '../run-state.ts';
import type { RunContext } from './context.ts';
import { audit } from './write.ts';

export async function checkpoint(ctx: RunContext, state: DriveState): Promise<StepOutcome> {
  const { svc } = ctx;
  await svc.db.transaction(async (tx) => {
    await tx.query(`UPDATE runs SET status = 'checkpoint' WHERE id = $1`, [state.run.id]);
    await audit(ctx, tx, state, 'run.checkpoint', {
      stepsUsed: state.run.stepsUsed,
      budget: state.run.budget,
    });
    await escalationCreator(svc, tx, `agent:${state.agent.name}`, {
      agentId: state.agent.id,
      runId: state.run.id,
      conversationId: state.run.conversationId,
      kind: 'checkpoint',
      reason: `step budget of ${state.run.budget} reached: continue with a fresh budget or close`,
      summary: summarize(state.history),
    });
    await emitEvent(tx, { type: 'escalation.opened', agentId: state.agent.id, runId: state.run.id });
  });
  return 'stop';
}
