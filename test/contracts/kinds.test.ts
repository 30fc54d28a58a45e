// The runtime's promises, held against every registered agent kind (agents/registry.ts): a kind gets this suite by
// registering. Each kind runs in an app from createApp on a real database, driven by the scripted brain so that the
// kind's own tools are exercised without knowing them (arguments sampled from each tool's schema, sample-args.ts).
// The kind's tool registry is extended for the test only: a synthetic tool of each risk class the kind lacks, and a
// tool under each human-only name; every handler (the kind's own ones included) counts its calls before it runs.
// Readiness modes are set through the app's mode resolver (the `modeFor` runtime option of createApp).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentKind, KindInstance } from '../../src/agents/kind.ts';
import { AGENT_KINDS } from '../../src/agents/registry.ts';
import { type App, createApp, HUMAN_ONLY_TOOLS } from '../../src/app.ts';
import type { Mode } from '../../src/readiness/model.ts';
import {
  type AgentCreateInput,
  agentCreator,
  agentStatusSetter,
  globalKillSetter,
} from '../../src/runtime/agents.ts';
import { listEscalations } from '../../src/runtime/escalations.ts';
import { getRun, listSteps } from '../../src/runtime/runs.ts';
import { type AnyTool, defineTool, ToolRegistry } from '../../src/runtime/tools.ts';
import {
  type ActionInput,
  type AgentConfig,
  type Brain,
  RISK_CLASSES,
  type RiskClass,
} from '../../src/runtime/types.ts';
import type { Db } from '../../src/store/db.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { sampleArgs } from './sample-args.ts';

const ADMIN = 'user:admin@example.com';
const REVIEWER = 'user:rev@example.com';
const MODES: readonly Mode[] = ['production', 'pilot', 'shadow'];

/** The policy table (DESIGN §1), written out here rather than read from runtime/policy.ts. */
const EXPECTED: Record<RiskClass, Record<Mode, 'execute' | 'approval' | 'record'>> = {
  read: { production: 'execute', pilot: 'execute', shadow: 'execute' },
  write: { production: 'execute', pilot: 'approval', shadow: 'record' },
  destructive: { production: 'approval', pilot: 'approval', shadow: 'record' },
  // Within the daily cap; beyond it production asks for approval too (checked separately).
  spend: { production: 'execute', pilot: 'approval', shadow: 'record' },
};
const CITES: Record<RiskClass, string> = {
  read: '[policy:read-tools-run-in-every-mode]',
  write:
    '[policy:production-write-executes] [policy:pilot-write-needs-approval] [policy:shadow-never-executes-write]',
  destructive: '[policy:destructive-needs-approval] [policy:shadow-never-executes-write]',
  spend:
    '[policy:spend-within-cap-else-approval] [runtime:spend-cap-per-day] [policy:shadow-never-executes-write]',
};

/** What the instrumented kinds saw: tool handler calls (by run) and brain decisions (by agent). */
const calls: { tool: string; runId: string }[] = [];
const decisions: string[] = [];
const callsOf = (runId: string) => calls.filter((c) => c.runId === runId);

const SYNTHETIC_PREFIX = 'contract.';
function syntheticTool(risk: RiskClass): AnyTool {
  return defineTool({
    name: `${SYNTHETIC_PREFIX}${risk}`,
    description: `A ${risk} tool registered by the contract suite`,
    risk,
    input: z.object({ n: z.number().int().min(0).max(100) }).strict(),
    ...(risk === 'spend' ? { costCents: () => 60 } : {}),
    handler: async () => ({ ok: true }),
  });
}

function counted(tool: Readonly<AnyTool>): AnyTool {
  // A tool's hold (a kind's provisional effect while an approval waits: the receptionist's tentative booking) is left
  // out: sampled arguments name nothing a kind could hold. Holds are proven in runtime.test.ts and beside the kind.
  const { hold: _hold, release: _release, ...plain } = tool;
  return {
    ...plain,
    handler: async (args, ctx) => {
      calls.push({ tool: tool.name, runId: ctx.runId });
      return tool.handler(args, ctx);
    },
  };
}

/**
 * The kind as registered, with its tool registry extended for the test (a synthetic tool of each risk class it
 * lacks; a read tool under each human-only name) and its handlers and brain decisions counted.
 */
function instrumented(kind: AgentKind): AgentKind {
  const extended = new WeakMap<ToolRegistry, ToolRegistry>();
  const extend = (own: ToolRegistry): ToolRegistry => {
    let registry = extended.get(own);
    if (registry) return registry;
    const tools = own.list();
    const missing = RISK_CLASSES.filter((risk) => !tools.some((t) => t.risk === risk));
    const humanOnly = [...HUMAN_ONLY_TOOLS]
      .filter((name) => !own.get(name))
      .map((name) => defineTool({ ...syntheticTool('read'), name }));
    registry = new ToolRegistry([...tools, ...missing.map(syntheticTool), ...humanOnly].map(counted));
    extended.set(own, registry);
    return registry;
  };
  const countedBrain = (agent: AgentConfig, brain: Brain): Brain => ({
    decide: async (ctx) => {
      decisions.push(agent.id);
      return brain.decide(ctx);
    },
  });
  return {
    ...kind,
    create(ctx) {
      const inner: KindInstance = kind.create(ctx);
      return {
        ...inner,
        tools: (agent) => extend(inner.tools(agent)),
        brain: (agent) => countedBrain(agent, inner.brain(agent)),
      };
    },
  };
}

const modes = new Map<string, Mode>();
const build = (db: Db, nodeId?: string) =>
  createApp(db, {
    ...(nodeId ? { nodeId } : {}),
    kinds: AGENT_KINDS.map(instrumented),
    runtime: { modeFor: async (_q, agent) => modes.get(agent.id) ?? 'production' },
  });

let db: TestDb;
let app: App;
/** Another node on the same database (a second pool on a PostgreSQL server). */
let peer: App;
let peerDb: Db | null;

beforeAll(async () => {
  db = await openTestDb();
  app = build(db);
  peerDb = db.openPeer();
  peer = build(peerDb ?? db, 'node-b');
});
afterAll(async () => {
  for (const a of [app, peer]) {
    await a?.runtime.settle();
    await Promise.allSettled([...(a?.kinds.values() ?? [])].map((k) => k.close?.()));
  }
  await peerDb?.close();
  await db?.dispose();
});

async function agentOf(
  kind: AgentKind,
  options: { mode?: Mode; script?: ActionInput[] } & Partial<AgentCreateInput> = {},
): Promise<AgentConfig> {
  const { mode = 'production', script = [], ...rest } = options;
  const agent = await agentCreator(app, ADMIN, {
    kind: kind.kind,
    name: `${kind.kind}-${randomUUID().slice(0, 8)}`,
    brain: 'scripted',
    spendCapCents: 1000,
    ...rest,
    config: { script, ...rest.config },
  });
  modes.set(agent.id, mode);
  return agent;
}

const call = (tool: Pick<AnyTool, 'name' | 'input'>): ActionInput => ({
  type: 'tool',
  name: tool.name,
  args: sampleArgs(tool),
});
const message = (text: string) => ({ type: 'message', text, conversationId: `c-${randomUUID()}` });

async function toolCall(runId: string) {
  const rows = await db.query<{ tool: string; decision: string; status: string }>(
    'SELECT tool, decision, status FROM tool_calls WHERE run_id = $1 ORDER BY step_idx',
    [runId],
  );
  return rows;
}
async function pendingApproval(runId: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM approvals WHERE run_id = $1 AND status = 'pending'`,
    [runId],
  );
  if (!row) throw new Error(`run ${runId} has no pending approval`);
  return row.id;
}

/** The kind's tools as the app gives them to its agents (with the synthetic ones), human-only names left out. */
function toolsOf(agent: AgentConfig): Readonly<AnyTool>[] {
  return app
    .toolsFor(agent)
    .list()
    .filter((t) => !HUMAN_ONLY_TOOLS.has(t.name));
}
function firstOf(agent: AgentConfig, risk: RiskClass): Readonly<AnyTool> {
  const tool = toolsOf(agent).find((t) => t.risk === risk);
  if (!tool) throw new Error(`no ${risk} tool for ${agent.kind}`);
  return tool;
}
/** What one call of a spend tool costs, as the runtime will count it. */
const costOf = (tool: Readonly<AnyTool>, args: unknown) =>
  Math.max(0, Math.ceil(tool.costCents?.(tool.input.parse(args)) ?? 0));

describe.each(AGENT_KINDS.map((k) => [k.kind, k] as const))('agent kind %s', (_name, kind) => {
  it('gives each of its tools one of the four risk classes', async () => {
    expect(app.kinds.get(kind.kind)).toBeDefined();
    for (const t of toolsOf(await agentOf(kind))) expect(RISK_CLASSES, t.name).toContain(t.risk);
  });

  it.each(RISK_CLASSES.map((risk) => [risk, CITES[risk]] as const))(
    'holds the policy table for every %s tool in production, pilot and shadow %s',
    async (risk) => {
      const probe = await agentOf(kind);
      const tools = toolsOf(probe).filter((t) => t.risk === risk);
      expect(tools.length).toBeGreaterThan(0);
      for (const tool of tools) {
        for (const mode of MODES) {
          const step = call(tool);
          const expected = EXPECTED[risk][mode];
          const agent = await agentOf(kind, {
            mode,
            script: [step],
            // Exactly what the call costs: inside the cap.
            ...(risk === 'spend' ? { spendCapCents: costOf(tool, (step as { args: unknown }).args) } : {}),
          });
          const run = await app.runtime.startRun(agent.id, { type: 'test' });
          const where = `${tool.name} in ${mode}`;
          expect(
            (await toolCall(run.id)).map((c) => c.decision),
            where,
          ).toEqual([expected]);
          if (expected === 'approval') {
            expect(run.status, where).toBe('suspended');
            expect(callsOf(run.id), where).toHaveLength(0);
            await app.runtime.decideApproval(await pendingApproval(run.id), 'approve', REVIEWER);
            expect((await getRun(db, run.id))?.status, where).toBe('done');
            expect(callsOf(run.id), `${where}, approved`).toHaveLength(1);
          } else {
            expect(run.status, where).toBe('done');
            expect(callsOf(run.id), where).toHaveLength(expected === 'execute' ? 1 : 0);
          }
        }
      }
    },
  );

  it('asks approval for a spend tool beyond the daily cap in production [policy:spend-within-cap-else-approval] [runtime:spend-cap-per-day]', async () => {
    const probe = await agentOf(kind);
    for (const tool of toolsOf(probe).filter((t) => t.risk === 'spend')) {
      const step = call(tool);
      const cost = costOf(tool, (step as { args: unknown }).args);
      // One cent short of the call; a free call exceeds no cap, so it meets an agent without one (every spend asks).
      const agent = await agentOf(kind, { script: [step], spendCapCents: cost > 0 ? cost - 1 : null });
      const run = await app.runtime.startRun(agent.id, { type: 'test' });
      expect(run.status, tool.name).toBe('suspended');
      expect(
        (await toolCall(run.id)).map((c) => c.decision),
        tool.name,
      ).toEqual(['approval']);
      expect(callsOf(run.id), tool.name).toHaveLength(0);
    }
  });

  it('ends a script longer than the step budget in a checkpoint, never a step more [runtime:budget-ends-in-checkpoint]', async () => {
    const probe = await agentOf(kind);
    const read = firstOf(probe, 'read');
    const agent = await agentOf(kind, { stepBudget: 3, script: Array.from({ length: 6 }, () => call(read)) });
    const run = await app.runtime.startRun(agent.id, { type: 'test' });
    expect(run).toMatchObject({ status: 'checkpoint', stepsUsed: 3 });
    expect(await listSteps(db, run.id)).toHaveLength(3);
    expect(callsOf(run.id)).toHaveLength(3);
    const [checkpoint] = await listEscalations(db, { agentId: agent.id, kind: 'checkpoint' });
    expect(checkpoint).toMatchObject({ runId: run.id, state: 'open' });
  });

  it('denies the human-only actions in every mode, even when its registry has a tool of that name [policy:human-only-actions-denied]', async () => {
    const names = [...HUMAN_ONLY_TOOLS];
    for (const mode of MODES) {
      const probe = await agentOf(kind);
      const script = names.map((name) => call(app.toolsFor(probe).get(name)!));
      const agent = await agentOf(kind, { mode, script });
      const run = await app.runtime.startRun(agent.id, { type: 'test' });
      expect(run.status, mode).toBe('done');
      expect(callsOf(run.id), mode).toHaveLength(0);
      const steps = await listSteps(db, run.id);
      expect(
        steps
          .slice(0, names.length)
          .map((s) => [s.decision, (s.result as { error?: { id?: string } }).error?.id]),
        mode,
      ).toEqual(names.map(() => ['deny', 'forbidden_action']));
    }
  });

  it('runs an approved call exactly once when approvals race on two nodes [runtime:approval-resumes-exactly-once]', async () => {
    const probe = await agentOf(kind);
    const agent = await agentOf(kind, { script: [call(firstOf(probe, 'destructive'))] });
    const run = await app.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('suspended');
    const id = await pendingApproval(run.id);
    const results = await Promise.allSettled([
      app.runtime.decideApproval(id, 'approve', 'user:a@example.com'),
      peer.runtime.decideApproval(id, 'approve', 'user:b@example.com'),
      app.runtime.decideApproval(id, 'approve', 'user:a@example.com'),
    ]);
    await Promise.all([app.runtime.settle(), peer.runtime.settle()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ id: 'already_decided' });
    expect(callsOf(run.id)).toHaveLength(1);
    expect((await getRun(db, run.id))?.status).toBe('done');
  });

  it('stops a paused agent at its next step and hands to a human [runtime:kill-switch-agent]', async () => {
    const probe = await agentOf(kind);
    const agent = await agentOf(kind, {
      mode: 'pilot',
      script: [call(firstOf(probe, 'write')), call(firstOf(probe, 'read'))],
    });
    const run = await app.runtime.startRun(agent.id, message('please book it'));
    expect(run.status).toBe('suspended');
    await agentStatusSetter(app, ADMIN, agent.id, 'paused', 'contract suite');
    await app.runtime.decideApproval(await pendingApproval(run.id), 'approve', REVIEWER);
    expect(await getRun(db, run.id)).toMatchObject({ status: 'escalated', outcome: 'agent_paused' });
    expect(callsOf(run.id)).toHaveLength(0);
    expect(await listEscalations(db, { agentId: agent.id, state: 'open' })).toEqual([
      expect.objectContaining({ runId: run.id, kind: 'escalation' }),
    ]);
    const fresh = await app.runtime.startRun(agent.id, message('hello again'));
    expect(fresh).toMatchObject({ status: 'escalated', stepsUsed: 0 });
    expect(callsOf(fresh.id)).toHaveLength(0);
  });

  it('stops at the next step while the global kill switch is engaged [runtime:kill-switch-global]', async () => {
    const probe = await agentOf(kind);
    const agent = await agentOf(kind, { script: [call(firstOf(probe, 'read'))] });
    await globalKillSetter(app, ADMIN, true, 'contract suite');
    try {
      const run = await app.runtime.startRun(agent.id, message('hello'));
      expect(run).toMatchObject({ status: 'escalated', outcome: 'kill_switch', stepsUsed: 0 });
      expect(callsOf(run.id)).toHaveLength(0);
      expect(await listEscalations(db, { agentId: agent.id, state: 'open' })).toEqual([
        expect.objectContaining({ runId: run.id }),
      ]);
    } finally {
      await globalKillSetter(app, ADMIN, false);
    }
    const after = await app.runtime.startRun(agent.id, { type: 'test' });
    expect(after.status).toBe('done');
    expect(callsOf(after.id)).toHaveLength(1);
  });

  const serves = kind.channels.length > 0;
  (serves ? it : it.skip)(
    serves
      ? 'hands always-human topics and requests for a person to a human before its own brain decides [runtime:escalate-always-human-topics] [runtime:escalate-on-person-request]'
      : `always-human topics and person requests: skipped, kind ${kind.kind} serves no channel (no customer writes to its brain)`,
    async () => {
      for (const [text, reason] of [
        ['Someone made a fraudulent charge on my card', /fraud/],
        ['I will take legal action against you', /legal/],
        ['Can I talk to a human please?', /asked for a person/],
      ] as const) {
        const agent = await agentOf(kind, { brain: 'local' });
        const run = await app.runtime.startRun(agent.id, message(text));
        expect(run, text).toMatchObject({ status: 'escalated', stepsUsed: 0 });
        expect(
          decisions.filter((id) => id === agent.id),
          text,
        ).toHaveLength(0);
        expect((await listEscalations(db, { agentId: agent.id }))[0]?.reason, text).toMatch(reason);
      }
      // The same agent's brain does see an ordinary message: the count above is not blind.
      const agent = await agentOf(kind, { brain: 'local' });
      await app.runtime.startRun(agent.id, message('hello, a quick question'));
      expect(decisions.filter((id) => id === agent.id).length).toBeGreaterThan(0);
    },
  );
});
