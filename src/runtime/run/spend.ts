// Spend decisions of a `spend` tool (DESIGN §2): the reservation against the agent's daily cap and the ledger line,
// both inside the caller's transaction.
import { emitEvent } from '../../events/emit.ts';
import type { Queryable } from '../../store/db.ts';
import { type DriveState, spentToday, utcDay } from '../run-state.ts';
import type { RunContext } from './context.ts';
import { audit } from './write.ts';

/** Whether `cents` more fit under the agent's cap today; audits and announces a cap that is reached. */
export async function reserveSpend(
  ctx: RunContext,
  tx: Queryable,
  state: DriveState,
  cents: number,
): Promise<boolean> {
  // The agent row lock serializes concurrent spend decisions of one agent, so two calls cannot both fit.
  const [agent] = await tx.query<{ spend_cap_cents: number | null }>(
    'SELECT spend_cap_cents FROM agents WHERE id = $1 FOR UPDATE',
    [state.agent.id],
  );
  const cap = agent?.spend_cap_cents ?? null;
  if (cap === null) return false;
  const spent = await spentToday(tx, state.agent.id, ctx.svc.clock.now());
  if (spent + cents <= cap) return true;
  await audit(ctx, tx, state, 'spend.cap_reached', {
    capCents: cap,
    spentCents: spent,
    requestedCents: cents,
  });
  await emitEvent(tx, { type: 'spend.cap_reached', agentId: state.agent.id });
  return false;
}

export async function recordSpend(
  ctx: RunContext,
  tx: Queryable,
  state: DriveState,
  cents: number,
  tool: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO spend_ledger (agent_id, run_id, category, cents, day, detail) VALUES ($1, $2, 'tool', $3, $4, $5)`,
    [state.agent.id, state.run.id, cents, utcDay(ctx.svc.clock.now()), JSON.stringify({ tool })],
  );
}
