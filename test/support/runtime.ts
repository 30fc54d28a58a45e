// Factories for runtime tests: agents with overrides, a set of test tools that count their real effects, and a
// runtime wired to a scripted brain.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ManualClock } from '../../src/clock.ts';
import { createServices, type Services } from '../../src/context.ts';
import type { Mode } from '../../src/readiness/model.ts';
import { type AgentCreateInput, agentCreator } from '../../src/runtime/agents.ts';
import { ScriptedBrain } from '../../src/runtime/brains/scripted.ts';
import { Runtime, type RuntimeOptions } from '../../src/runtime/runtime.ts';
import { defineTool, ToolRegistry } from '../../src/runtime/tools.ts';
import type { ActionInput, AgentConfig, BrainContext } from '../../src/runtime/types.ts';
import type { Db } from '../../src/store/db.ts';

export interface Effects {
  /** idempotency keys of executed calls, per tool */
  calls: { tool: string; key: string; args: unknown }[];
  /** What the `slow` tool does while it runs (a test sets it). */
  slow?: () => Promise<void>;
}

export function buildTestTools(effects: Effects): ToolRegistry {
  const record = (tool: string) => async (args: unknown, ctx: { idempotencyKey: string }) => {
    effects.calls.push({ tool, key: ctx.idempotencyKey, args });
    return { ok: true, tool };
  };
  return new ToolRegistry([
    defineTool({
      name: 'lookup',
      description: 'Reads a record',
      risk: 'read',
      input: z.object({ q: z.string() }).strict(),
      handler: record('lookup'),
    }),
    defineTool({
      name: 'book',
      description: 'Books a slot',
      risk: 'write',
      input: z.object({ slot: z.string() }).strict(),
      handler: record('book'),
    }),
    defineTool({
      name: 'cancel',
      description: 'Cancels a booking',
      risk: 'destructive',
      input: z.object({ id: z.string() }).strict(),
      handler: record('cancel'),
    }),
    defineTool({
      name: 'call',
      description: 'Places an outbound call',
      risk: 'spend',
      input: z.object({ to: z.string(), cents: z.number().int().min(0).max(10_000) }).strict(),
      costCents: (a) => a.cents,
      handler: record('call'),
    }),
    defineTool({
      name: 'refund',
      description: 'Refunds a payment',
      risk: 'spend',
      input: z.object({ amount: z.number() }).strict(),
      costCents: () => 0,
      handler: record('refund'),
    }),
    defineTool({
      name: 'slow',
      description: 'Takes as long as the test says',
      risk: 'read',
      input: z.object({}).strict(),
      handler: async () => {
        await effects.slow?.();
        return { ok: true };
      },
    }),
    defineTool({
      name: 'flaky',
      description: 'Always fails',
      risk: 'read',
      input: z.object({}).strict(),
      handler: async () => {
        throw new Error('upstream timeout');
      },
    }),
  ]);
}

export const HUMAN_ONLY_TEST_TOOLS = new Set(['refund']);

export interface TestRuntime {
  svc: Services;
  runtime: Runtime;
  clock: ManualClock;
  effects: Effects;
  agent(
    overrides?: Partial<AgentCreateInput> & {
      mode?: Mode;
      script?: ActionInput[] | ((ctx: BrainContext) => ActionInput);
    },
  ): Promise<AgentConfig>;
  /** A new process on the same database: fresh services, caches and node id; same scripts, modes and effects. */
  restart(options?: { db?: Db; nodeId?: string }): TestRuntime;
}

interface Shared {
  effects: Effects;
  tools: ToolRegistry;
  scripts: Map<string, ActionInput[] | ((ctx: BrainContext) => ActionInput)>;
  modes: Map<string, Mode>;
}

export function buildTestRuntime(
  db: Db,
  options: Partial<RuntimeOptions> & { nodeId?: string; clock?: ManualClock } = {},
  shared?: Shared,
): TestRuntime {
  const clock = options.clock ?? new ManualClock(new Date());
  const svc = createServices(db, clock, options.nodeId);
  const effects: Effects = shared?.effects ?? { calls: [] };
  const tools = shared?.tools ?? buildTestTools(effects);
  const scripts = shared?.scripts ?? new Map<string, ActionInput[] | ((ctx: BrainContext) => ActionInput)>();
  const modes = shared?.modes ?? new Map<string, Mode>();
  const runtime = new Runtime(svc, {
    brainFor: (agent) => new ScriptedBrain(scripts.get(agent.id) ?? []),
    toolsFor: () => tools,
    modeFor: async (_q, agent) => modes.get(agent.id) ?? 'production',
    humanOnlyTools: HUMAN_ONLY_TEST_TOOLS,
    ...options,
  });
  return {
    svc,
    runtime,
    clock,
    effects,
    async agent(overrides = {}) {
      const { mode, script, ...rest } = overrides;
      const agent = await agentCreator(svc, 'user:test@example.com', {
        kind: 'custom',
        name: `agent-${randomUUID().slice(0, 8)}`,
        spendCapCents: 1000,
        alwaysHumanTopics: ['fraud', 'legal'],
        ...rest,
      });
      if (script) scripts.set(agent.id, script);
      modes.set(agent.id, mode ?? 'production');
      return agent;
    },
    restart(opts = {}) {
      return buildTestRuntime(
        opts.db ?? db,
        { ...options, clock, nodeId: opts.nodeId },
        { effects, tools, scripts, modes },
      );
    },
  };
}
