// What a model call costs an agent, in one place for every caller (the LLM brain's answers, phrasing suggestions):
// whether its daily spend cap is used up, and the spend-ledger line each call leaves, even at 0 cents (the token
// counts are the record).

import { spentToday, utcDay } from '../../runtime/run-state.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import type { LlmBackend } from './backend.ts';
import type { LlmUsage } from './provider.ts';
import { tokenCost } from './settings.ts';

/** Whether a paid call would go past the agent's cap today (a model that costs nothing never does). */
export async function llmCapReached(
  q: Queryable,
  agent: Pick<AgentConfig, 'id' | 'spendCapCents'>,
  { client, prices }: LlmBackend,
  now: Date,
): Promise<boolean> {
  if (agent.spendCapCents === null) return false;
  const price = prices[client.model];
  if (!price || (price.input === 0 && price.output === 0)) return false;
  return (await spentToday(q, agent.id, now)) >= agent.spendCapCents;
}

/** The call's line in the spend ledger (category llm_tokens); `detail` adds to the token counts. Returns its cost. */
export async function recordLlmSpend(
  q: Queryable,
  call: {
    agentId: string;
    runId: string | null;
    backend: LlmBackend;
    usage: LlmUsage;
    now: Date;
    detail?: Record<string, unknown>;
  },
): Promise<{ cents: number; exactCents: number }> {
  const { client, prices } = call.backend;
  const cost = tokenCost(prices, client.model, call.usage);
  await q.query(
    `INSERT INTO spend_ledger (agent_id, run_id, category, cents, day, detail) VALUES ($1, $2, 'llm_tokens', $3, $4, $5)`,
    [
      call.agentId,
      call.runId,
      cost.cents,
      utcDay(call.now),
      JSON.stringify({
        ...call.detail,
        provider: client.provider,
        model: client.model,
        inputTokens: call.usage.inputTokens,
        outputTokens: call.usage.outputTokens,
        exactCents: cost.exactCents,
      }),
    ],
  );
  return cost;
}
