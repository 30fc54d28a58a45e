// Test-only harness for measurement (src/metrics/): an app on a manual clock whose only kind is a test kind serving
// web chat and voice, with the demo tools and a brain that answers by keyword (hours and price answers with a topic,
// a clarifying question, a hand-off, a delete that waits for approval, a paid SMS), a kind outcome of its own (notes
// deleted) and a default of 30 minutes per task; modes come from each agent's config.testMode.
import { customKind } from '../../src/agents/custom/kind.ts';
import { buildDemoTools } from '../../src/agents/custom/tools.ts';
import type { AgentKind } from '../../src/agents/kind.ts';
import { type App, createApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
} from '../../src/conversations/conversations.ts';
import type { LlmBackend } from '../../src/engines/llm/backend.ts';
import { recordLlmSpend } from '../../src/engines/llm/spend.ts';
import type { Mode } from '../../src/runtime/mode.ts';
import type { ActionInput, BrainContext } from '../../src/runtime/types.ts';
import type { Db } from '../../src/store/db.ts';

export const TEST_MINUTES_PER_TASK = 30;
export const DELETE_MINUTES = 3;

function decide(c: BrainContext): ActionInput {
  const done = c.history.find((h) => h.action.type === 'tool');
  if (done) return { type: 'reply', text: 'Done.', confidence: 0.95, final: true };
  const text = String(c.run.trigger.text ?? '').toLowerCase();
  if (text.includes('delete'))
    return { type: 'tool', name: 'notes.delete', args: { id: '00000000-0000-4000-8000-000000000001' } };
  if (text.includes('sms'))
    return { type: 'tool', name: 'demo.send_sms', args: { to: '+441234567890', text: 'Your bike is ready' } };
  if (text.includes('escalate')) return { type: 'escalate', reason: 'the customer asked for a manager' };
  if (text.includes('which'))
    return {
      type: 'reply',
      text: 'Which bike do you mean?',
      confidence: 0.9,
      intent: 'clarify',
      final: true,
    };
  if (text.includes('price'))
    return { type: 'reply', text: 'A service is $60.', confidence: 0.95, topic: 'price', final: true };
  return { type: 'reply', text: 'We open at 9:00 every day.', confidence: 0.95, topic: 'hours', final: true };
}

export const measurementTestKind: AgentKind = {
  ...customKind,
  channels: ['webchat', 'voice'],
  measurement: { minutesPerTask: TEST_MINUTES_PER_TASK, source: 'test kind default' },
  create(ctx) {
    const tools = buildDemoTools(ctx.db);
    return {
      tools: () => tools,
      brain: () => ({ decide: async (c) => decide(c) }),
      outcomes: async (q, agent, range) => {
        const [row] = await q.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM tool_calls tc JOIN runs r ON r.id = tc.run_id
           WHERE r.agent_id = $1 AND tc.tool = 'notes.delete' AND tc.status = 'succeeded'
             AND tc.created_at >= $2 AND tc.created_at < $3`,
          [agent.id, range.from, range.to],
        );
        return [
          {
            name: 'deleted',
            label: 'Notes deleted',
            count: row!.n,
            minutesEach: DELETE_MINUTES,
            source: 'test',
          },
        ];
      },
    };
  },
};

export function buildMeasurementApp(db: Db, start: string): { app: App; clock: ManualClock } {
  const clock = new ManualClock(start);
  const app = createApp(db, {
    clock,
    kinds: [measurementTestKind],
    runtime: { modeFor: async (_q, agent) => (agent.config.testMode as Mode | undefined) ?? 'production' },
  });
  return { app, clock };
}

/** A customer writes on the web chat: a new conversation unless one is given. */
export async function say(
  app: App,
  agentId: string,
  customerId: string,
  text: string,
  conversation?: Conversation,
) {
  const conv =
    conversation ?? (await conversationOpener(app, { agentId, channel: 'webchat', customerId })).conversation;
  const result = await customerMessageHandler(app, { conversation: conv, text });
  return { conversation: conv, ...result };
}

/** A model call's line in the spend ledger, through the real command, at `input`/`output` cents per million tokens. */
export async function spendTokens(
  app: App,
  agentId: string,
  usage: { inputTokens: number; outputTokens: number },
  price = { input: 300, output: 1500 },
): Promise<number> {
  const backend = {
    client: { provider: 'anthropic', model: 'test-model', complete: async () => ({}) },
    prices: { 'test-model': price },
  } as unknown as LlmBackend;
  const { cents } = await recordLlmSpend(app.db, {
    agentId,
    runId: null,
    backend,
    usage,
    now: app.clock.now(),
  });
  return cents;
}
