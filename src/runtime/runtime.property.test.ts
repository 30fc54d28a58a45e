// Pins the runtime's guardrail invariants under random brain scripts, modes, budgets, spend caps and human decisions.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { buildTestRuntime, buildTestTools, type TestRuntime } from '../../test/support/runtime.ts';
import { verifyAudit } from '../audit/verify.ts';
import { ManualClock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import type { Mode } from './mode.ts';
import { getRun, type Run, type RunStatus } from './runs.ts';
import type { OutboundMessage } from './runtime.ts';
import { type ToolContext, ToolRegistry } from './tools.ts';
import type { ActionInput, RiskClass } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Instrumentation: every real handler execution and every delivery, with whether its intent was already durable.

interface Execution {
  runId: string;
  tool: string;
  key: string;
  intentWasDurable: boolean;
}
interface Delivery {
  runId: string;
  messageId: string;
  intentWasDurable: boolean;
}
const executions: Execution[] = [];
const deliveries: Delivery[] = [];

function instrumentedTools(db: Db): ToolRegistry {
  const inner = buildTestTools({ calls: [] });
  return new ToolRegistry(
    inner.list().map((tool) => ({
      ...tool,
      handler: async (args: unknown, ctx: ToolContext): Promise<unknown> => {
        const intent = await db.query(
          `SELECT 1 FROM audit_events WHERE stream = $1 AND action = 'tool.intent' AND payload->>'idempotencyKey' = $2`,
          [`run:${ctx.runId}`, ctx.idempotencyKey],
        );
        executions.push({
          runId: ctx.runId,
          tool: tool.name,
          key: ctx.idempotencyKey,
          intentWasDurable: intent.length > 0,
        });
        return tool.handler(args, ctx);
      },
    })),
  );
}

function instrumentedDelivery(db: Db) {
  return async (msg: OutboundMessage): Promise<void> => {
    const intent = await db.query(
      `SELECT 1 FROM audit_events WHERE stream = $1 AND action = 'reply.intent' AND payload->>'message' = $2`,
      [`run:${msg.runId}`, msg.messageId],
    );
    deliveries.push({ runId: msg.runId, messageId: msg.messageId, intentWasDurable: intent.length > 0 });
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const MODES: readonly Mode[] = ['production', 'pilot', 'shadow'];
const REGISTRY_RISK: Record<string, RiskClass> = {
  lookup: 'read',
  book: 'write',
  cancel: 'destructive',
  call: 'spend',
  refund: 'spend',
  flaky: 'read',
};
const TOOL_NAMES = Object.keys(REGISTRY_RISK);
const HUMAN_ONLY = new Set(['refund']);

const word = fc.string({ minLength: 1, maxLength: 8 });
const validArgs: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  lookup: fc.record({ q: word }),
  book: fc.record({ slot: word }),
  cancel: fc.record({ id: word }),
  call: fc.record({
    to: fc.constantFrom('+15550100', '+442071838750'),
    cents: fc.integer({ min: 0, max: 150 }),
  }),
  refund: fc.record({ amount: fc.integer({ min: 0, max: 5_000 }) }),
  flaky: fc.constant({}),
};
const invalidArgs: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, 7, 'x', true, []),
  fc.record({ q: fc.integer() }),
  fc.record({ slot: fc.boolean() }),
  fc.record({ id: fc.constant(null) }),
  fc.record({
    to: fc.constant('+1'),
    cents: fc.oneof(fc.constant(-1), fc.constant(1.5), fc.constant('12'), fc.constant(10_001)),
  }),
  fc.record({ amount: fc.string() }),
);
/** What a hostile or confused brain adds to an action; the runtime must ignore all of it. */
const hostileExtras = fc.record(
  {
    risk: fc.constantFrom<RiskClass>('read', 'write', 'destructive', 'spend'),
    decision: fc.constantFrom('execute', 'send', 'approval'),
    approved: fc.boolean(),
    mode: fc.constantFrom(...MODES),
    humanOnly: fc.constant(false),
  },
  { requiredKeys: [] },
);

const toolAction = (opts: { extras: boolean; names?: readonly string[] }): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      fc.constantFrom(...(opts.names ?? TOOL_NAMES)),
      fc.nat(9),
      opts.extras ? hostileExtras : fc.option(hostileExtras, { nil: undefined, freq: 3 }),
    )
    .chain(([name, roll, extras]) => {
      // 6 in 10 valid, 2 valid plus an extra key (strict schemas refuse it), 2 wrongly typed.
      const args =
        roll < 6
          ? validArgs[name]!
          : roll < 8
            ? validArgs[name]!.map((a) => ({ ...a, extra: 'x' }))
            : invalidArgs;
      return args.map((a) => ({ type: 'tool', name, args: a, ...extras }));
    });

const unknownTool = fc
  .tuple(
    fc.constantFrom('drop_database', 'Lookup', 'refund ', 'toString', '__proto__', 'hire'),
    fc.anything(),
  )
  .map(([name, args]) => ({ type: 'tool', name, args }));

const reply = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 30 }),
    // Any double in [0, 1] (fast-check favours tiny and extreme ones), evenly spread percentages, confident ones.
    fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
      fc.double({ min: 0.7, max: 1, noNaN: true }),
    ),
    fc.option(hostileExtras, { nil: undefined, freq: 3 }),
  )
  .map(([text, confidence, extras]) => ({ type: 'reply', text, confidence, sources: ['faq:1'], ...extras }));

const escalate = word.map((reason) => ({ type: 'escalate', reason, summary: 'unsure' }));
const done = word.map((outcome) => ({ type: 'done', outcome }));

const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 42, 'rm -rf /', true, [], [{ type: 'done', outcome: 'x' }]),
  fc.constantFrom<unknown>(
    {},
    { type: 'reply' },
    { type: 'tool' },
    { type: 'tool', name: '', args: {} },
    { type: 'teleport' },
    { type: 'escalate' },
    { type: 'done' },
    { type: 'done', outcome: '' },
    { type: 'reply', text: 'x', confidence: 7 },
    { type: 'reply', text: '', confidence: 0.5 },
    { type: 'reply', text: 'x', confidence: Number.NaN },
  ),
  fc.record({
    type: fc.constantFrom('reply', 'tool', 'execute', 'approve'),
    risk: fc.constant('read'),
    decision: fc.constant('execute'),
  }),
  fc.anything({ maxDepth: 2 }),
);

interface ActionWeights {
  tool?: number;
  unknown?: number;
  reply?: number;
  escalate?: number;
  done?: number;
  garbage?: number;
}

function actionArb(w: ActionWeights = {}, names?: readonly string[], extras = false): fc.Arbitrary<unknown> {
  const parts: { arbitrary: fc.Arbitrary<unknown>; weight: number }[] = [
    { arbitrary: toolAction({ extras, ...(names ? { names } : {}) }), weight: w.tool ?? 16 },
    { arbitrary: unknownTool, weight: w.unknown ?? 1 },
    { arbitrary: reply, weight: w.reply ?? 4 },
    { arbitrary: escalate, weight: w.escalate ?? 1 },
    { arbitrary: done, weight: w.done ?? 1 },
    { arbitrary: garbage, weight: w.garbage ?? 1 },
  ];
  return fc.oneof(...parts.filter((p) => p.weight > 0));
}

type Party = 'approve' | 'deny';
type HumanDecision =
  | { kind: 'approve' | 'deny' | 'duplicate' | 'expire'; restartFirst: boolean }
  /** Two or three people decide at once, on two nodes; optionally a third node sweeps for stale runs meanwhile. */
  | { kind: 'race'; parties: Party[]; restartFirst: boolean; withRecovery: boolean };

const decisionArb = (o: { kinds?: HumanDecision['kind'][]; restart?: boolean } = {}) => {
  const kinds = o.kinds ?? ['approve', 'approve', 'deny', 'duplicate', 'race', 'expire'];
  const restart = o.restart === undefined ? fc.boolean() : fc.constant(o.restart);
  return fc
    .tuple(
      fc.constantFrom(...kinds),
      restart,
      fc.array(fc.constantFrom<Party>('approve', 'deny'), { minLength: 2, maxLength: 3 }),
      fc.boolean(),
    )
    .map(
      ([kind, restartFirst, parties, withRecovery]): HumanDecision =>
        kind === 'race' ? { kind, parties, restartFirst, withRecovery } : { kind, restartFirst },
    );
};

interface Scenario {
  mode: Mode;
  stepBudget: number;
  spendCapCents: number | null;
  pilotPercent: number;
  script: unknown[];
  decisions: HumanDecision[];
  checkpoints: ('continue' | 'close')[];
}

interface ScenarioOptions {
  modes?: readonly Mode[];
  actions?: fc.Arbitrary<unknown>;
  decisions?: fc.Arbitrary<HumanDecision>;
  spendCap?: fc.Arbitrary<number | null>;
}

const scenarioArb = (o: ScenarioOptions = {}): fc.Arbitrary<Scenario> =>
  fc.record({
    mode: fc.constantFrom(...(o.modes ?? MODES)),
    stepBudget: fc.integer({ min: 1, max: 6 }),
    spendCapCents: o.spendCap ?? fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
    pilotPercent: fc.constantFrom(0, 50, 100),
    script: fc.array(o.actions ?? actionArb(), { minLength: 1, maxLength: 10 }),
    decisions: fc.array(o.decisions ?? decisionArb(), { minLength: 1, maxLength: 5 }),
    checkpoints: fc.array(fc.constantFrom<'continue' | 'close'>('continue', 'close'), { maxLength: 2 }),
  });

// ---------------------------------------------------------------------------------------------------------------
// Driving a scenario to rest

interface DecisionLog {
  approvalId: string;
  toolCallId: string;
  decision: HumanDecision;
  restarted: boolean;
  succeeded: ('approve' | 'deny')[];
  /** Error ids of the decisions that lost (duplicates and races). */
  refused: string[];
  expired: boolean;
  statusAfter: RunStatus | undefined;
}

interface Outcome {
  scenario: Scenario;
  agentId: string;
  run: Run;
  decisions: DecisionLog[];
  closedAtCheckpoint: boolean;
}

let db: TestDb;
let peer: Db | null;
let tools: ToolRegistry;
const clock = new ManualClock(new Date());
const DONE: ActionInput = { type: 'done', outcome: 'script finished' };

const use = (name: string, args: unknown, extra: object = {}) => ({ type: 'tool', name, args, ...extra });
const say = (confidence: number) => ({ type: 'reply', text: 'We open at 9.', confidence, sources: [] });
const approve: HumanDecision = { kind: 'approve', restartFirst: false };
/** A hand-written scenario: production, budget 6, cap 100, everyone in the pilot cohort, approve everything. */
const example = (s: Partial<Scenario> & Pick<Scenario, 'script'>): Scenario => ({
  mode: 'production',
  stepBudget: 6,
  spendCapCents: 100,
  pilotPercent: 100,
  decisions: [approve],
  checkpoints: [],
  ...s,
});
const MAX_HUMAN_ROUNDS = 30;

async function decideOnce(
  rt: TestRuntime,
  approvalId: string,
  decision: Party,
  actor: string,
): Promise<{ ok: true } | { ok: false; id: string }> {
  try {
    await rt.runtime.decideApproval(approvalId, decision, actor, 'property test');
    return { ok: true };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, id: err.id };
    throw err;
  }
}

async function runScenario(s: Scenario): Promise<Outcome> {
  let current = buildTestRuntime(db, { clock, toolsFor: () => tools, deliver: instrumentedDelivery(db) });
  const script = s.script;
  const agent = await current.agent({
    mode: s.mode,
    stepBudget: s.stepBudget,
    spendCapCents: s.spendCapCents,
    pilotPercent: s.pilotPercent,
    script: (ctx) => (ctx.history.length < script.length ? script[ctx.history.length] : DONE) as ActionInput,
  });
  let run = await current.runtime.startRun(agent.id, { type: 'test', conversationId: `c-${randomUUID()}` });
  const logs: DecisionLog[] = [];
  let restarts = 0;
  let checkpointsUsed = 0;
  let closedAtCheckpoint = false;
  for (let round = 0; ; round++) {
    if (round >= MAX_HUMAN_ROUNDS) throw new Error(`run ${run.id} did not come to rest: ${run.status}`);
    if (run.status === 'checkpoint' && checkpointsUsed < s.checkpoints.length) {
      const choice = s.checkpoints[checkpointsUsed++]!;
      closedAtCheckpoint ||= choice === 'close';
      run = await current.runtime.resolveCheckpoint(run.id, choice, 'user:lead@example.com');
      continue;
    }
    if (run.status !== 'suspended') break;
    const d = s.decisions[logs.length % s.decisions.length]!;
    if (d.restartFirst) {
      restarts++;
      current = current.restart({
        nodeId: `node-restart-${restarts}`,
        db: restarts % 2 === 1 && peer ? peer : db,
      });
    }
    const [approval] = await db.query<{ id: string; tool_call_id: string }>(
      `SELECT id, tool_call_id FROM approvals WHERE run_id = $1 AND status = 'pending'`,
      [run.id],
    );
    if (!approval) throw new Error(`run ${run.id} is suspended without a pending approval`);
    const log: DecisionLog = {
      approvalId: approval.id,
      toolCallId: approval.tool_call_id,
      decision: d,
      restarted: d.restartFirst,
      succeeded: [],
      refused: [],
      expired: false,
      statusAfter: undefined,
    };
    const note = (party: Party, r: { ok: true } | { ok: false; id: string }) => {
      if (r.ok) log.succeeded.push(party);
      else log.refused.push(r.id);
    };
    switch (d.kind) {
      case 'approve':
      case 'deny':
        note(d.kind, await decideOnce(current, approval.id, d.kind, 'user:rev@example.com'));
        break;
      case 'duplicate':
        note('approve', await decideOnce(current, approval.id, 'approve', 'user:rev@example.com'));
        note('approve', await decideOnce(current, approval.id, 'approve', 'user:rev@example.com'));
        break;
      case 'race': {
        const other = current.restart({ nodeId: 'node-peer', db: peer ?? db });
        const sweeper = current.restart({ nodeId: 'node-sweeper', db: peer ?? db });
        const [settled] = await Promise.all([
          Promise.allSettled(
            d.parties.map((p, i) =>
              decideOnce(i % 2 === 0 ? current : other, approval.id, p, `user:p${i}@example.com`),
            ),
          ),
          d.withRecovery ? sweeper.runtime.recover() : 0,
        ]);
        settled.forEach((r, i) => {
          if (r.status === 'rejected') throw r.reason;
          note(d.parties[i]!, r.value);
        });
        break;
      }
      case 'expire': {
        clock.advance(24 * 3600_000 + 60_000);
        await current.runtime.expireApprovals();
        const [row] = await db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
          approval.id,
        ]);
        log.expired = row?.status === 'expired';
        break;
      }
    }
    run = (await getRun(db, run.id))!;
    log.statusAfter = run.status;
    logs.push(log);
  }
  return { scenario: s, agentId: agent.id, run, decisions: logs, closedAtCheckpoint };
}

// ---------------------------------------------------------------------------------------------------------------
// Facts read back from the database

interface ToolCallRow {
  id: string;
  step_idx: number;
  tool: string;
  risk: string;
  decision: string;
  status: string;
  idempotency_key: string;
  cost_cents: number;
  approval_status: string | null;
}

const toolCallsOf = (runId: string) =>
  db.query<ToolCallRow>(
    `SELECT tc.id, tc.step_idx, tc.tool, tc.risk, tc.decision, tc.status, tc.idempotency_key, tc.cost_cents,
            a.status AS approval_status
     FROM tool_calls tc LEFT JOIN approvals a ON a.tool_call_id = tc.id WHERE tc.run_id = $1 ORDER BY tc.step_idx`,
    [runId],
  );
const executionsOf = (runId: string) => executions.filter((e) => e.runId === runId);
const RESTING: readonly RunStatus[] = ['done', 'escalated', 'checkpoint', 'closed'];

/**
 * Runs the examples, then random scenarios, and checks one invariant after each. No fault is injected here, so a
 * run that failed closed means the runtime hit an error of its own. `seen` counts what the scenarios exercised:
 * each test asserts that its subject was reached (the examples guarantee it), so it cannot pass vacuously.
 */
async function property(
  arb: fc.Arbitrary<Scenario>,
  check: (o: Outcome, seen: (what: string) => void) => Promise<void>,
  numRuns: number,
  examples: Scenario[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const seen = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  await fc.assert(
    fc.asyncProperty(arb, async (s) => {
      const o = await runScenario(s);
      expect(RESTING, `run ${o.run.id} came to rest`).toContain(o.run.status);
      expect(o.run.outcome, `run ${o.run.id} did not fail closed`).not.toBe('failed_closed');
      for (const log of o.decisions.filter((l) => l.decision.kind === 'expire'))
        expect([log.expired, log.statusAfter], 'an approval left to expire escalates').toEqual([
          true,
          'escalated',
        ]);
      await check(o, seen);
    }),
    { numRuns, examples: examples.map((e): [Scenario] => [e]) },
  );
  return counts;
}

beforeAll(async () => {
  db = await openTestDb();
  peer = db.openPeer();
  tools = instrumentedTools(db);
});
afterAll(async () => {
  await peer?.close();
  await db.dispose();
});

const SLOW = 120_000;

describe('runtime invariants over random scripts, modes and human decisions', () => {
  it(
    'never exceeds the step budget and ends an unfinished run in a checkpoint [runtime:budget-ends-in-checkpoint]',
    async () => {
      const seen = await property(
        scenarioArb({ actions: actionArb({ escalate: 0, done: 0, unknown: 0, garbage: 0, reply: 1 }) }),
        async (o, seen) => {
          const { run } = o;
          const steps = await db.query<{ idx: number; decision: string }>(
            'SELECT idx, decision FROM steps WHERE run_id = $1 ORDER BY idx',
            [run.id],
          );
          expect(run.stepsUsed).toBeLessThanOrEqual(run.budget);
          expect(steps.map((st) => st.idx)).toEqual(Array.from({ length: run.stepsUsed }, (_, i) => i + 1));
          if (run.status === 'checkpoint') expect(run.stepsUsed).toBe(run.budget);
          const last = steps.at(-1);
          if (run.stepsUsed !== run.budget || !last) return;
          const lastCall = (await toolCallsOf(run.id)).find((c) => c.step_idx === last.idx);
          // The last step let the run go on (nothing ended it): then only the budget stopped it.
          const carriedOn =
            ['execute', 'record', 'deny', 'invalid_arguments', 'send'].includes(last.decision) ||
            (last.decision === 'approval' &&
              (lastCall?.approval_status === 'approved' || lastCall?.approval_status === 'denied'));
          if (!carriedOn) return;
          seen(o.closedAtCheckpoint ? 'closed' : 'checkpoint');
          if (run.budget > o.scenario.stepBudget) seen('continued');
          expect(run.status).toBe(o.closedAtCheckpoint ? 'closed' : 'checkpoint');
        },
        35,
        [
          example({
            stepBudget: 2,
            script: [use('lookup', { q: 'a' }), use('lookup', { q: 'b' }), say(0.9)],
          }),
          example({
            mode: 'pilot',
            stepBudget: 1,
            script: [use('book', { slot: 'a' }), use('lookup', { q: 'b' })],
            checkpoints: ['continue', 'close'],
          }),
        ],
      );
      expect(seen.get('checkpoint')).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'never executes a write, destructive or spend tool in shadow mode [policy:shadow-never-executes-write]',
    async () => {
      const seen = await property(
        scenarioArb({ modes: ['shadow'] }),
        async (o, seen) => {
          const ran = executionsOf(o.run.id).map((e) => e.tool);
          expect(ran.filter((name) => name !== 'lookup' && name !== 'flaky')).toEqual([]);
          for (const c of await toolCallsOf(o.run.id)) {
            if (c.risk === 'read') continue;
            seen('not read');
            expect(['record', 'deny']).toContain(c.decision);
            expect(['recorded', 'denied']).toContain(c.status);
          }
          const [spent] = await db.query<{ n: number }>(
            'SELECT COUNT(*)::int AS n FROM spend_ledger WHERE agent_id = $1',
            [o.agentId],
          );
          expect(spent?.n).toBe(0);
        },
        20,
        [
          example({
            mode: 'shadow',
            script: [
              use('book', { slot: 'a' }),
              use('cancel', { id: '1' }),
              use('call', { to: '+1', cents: 5 }),
            ],
          }),
        ],
      );
      expect(seen.get('not read')).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'executes destructive tools, and anything that needed approval, only after a human approved it [policy:destructive-needs-approval]',
    async () => {
      const seen = await property(
        scenarioArb({
          modes: ['production', 'pilot'],
          actions: actionArb({}, ['cancel', 'cancel', 'book', 'call', 'lookup', 'flaky', 'refund']),
        }),
        async (o, seen) => {
          const calls = await toolCallsOf(o.run.id);
          const byKey = new Map(calls.map((c) => [c.idempotency_key, c]));
          for (const e of executionsOf(o.run.id)) {
            const c = byKey.get(e.key);
            expect(c, `execution ${e.key} has a tool call`).toBeDefined();
            if (e.tool === 'cancel' || c?.decision === 'approval') {
              seen(e.tool);
              expect(c?.decision).toBe('approval');
              expect(c?.approval_status).toBe('approved');
            } else expect(c?.decision).toBe('execute');
          }
          for (const c of calls) {
            if (c.risk === 'destructive') expect(['approval', 'deny']).toContain(c.decision);
            if (c.decision === 'approval' && c.approval_status !== 'approved') {
              expect(executionsOf(o.run.id).filter((e) => e.key === c.idempotency_key)).toEqual([]);
              expect(['pending', 'denied', 'expired']).toContain(c.status);
            }
          }
        },
        35,
        [
          example({ script: [use('cancel', { id: '1' }), use('cancel', { id: '2' })], decisions: [approve] }),
          example({
            mode: 'pilot',
            script: [use('cancel', { id: '3' }, { risk: 'read', decision: 'execute' })],
            decisions: [{ kind: 'deny', restartFirst: false }],
          }),
        ],
      );
      expect(seen.get('cancel')).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'audits the intent of every effect before the effect [audit:write-ahead-intent]',
    async () => {
      const seen = await property(
        scenarioArb(),
        async (o, seen) => {
          for (const e of executionsOf(o.run.id)) expect(e.intentWasDurable, `intent of ${e.key}`).toBe(true);
          for (const d of deliveries.filter((x) => x.runId === o.run.id))
            expect(d.intentWasDurable, `intent of message ${d.messageId}`).toBe(true);
          const events = await db.query<{ seq: number; action: string; payload: Record<string, unknown> }>(
            'SELECT seq, action, payload FROM audit_events WHERE stream = $1 ORDER BY seq',
            [`run:${o.run.id}`],
          );
          const seqsOf = (action: string, field: string, value: string, decision?: string) =>
            events
              .filter(
                (ev) =>
                  ev.action === action &&
                  ev.payload[field] === value &&
                  (decision === undefined || ev.payload.decision === decision),
              )
              .map((ev) => ev.seq);
          for (const c of await toolCallsOf(o.run.id)) {
            if (c.status !== 'succeeded' && c.status !== 'failed') continue;
            seen(c.decision === 'approval' ? 'approved effect' : 'effect');
            const outcomes = seqsOf(`tool.${c.status}`, 'idempotencyKey', c.idempotency_key);
            expect(outcomes, `one outcome event for ${c.idempotency_key}`).toHaveLength(1);
            // The intent of the effect itself: the decision to execute, or the claim of an approved call.
            const intents = seqsOf(
              'tool.intent',
              'idempotencyKey',
              c.idempotency_key,
              c.decision === 'approval' ? 'approved' : 'execute',
            );
            expect(intents, `one intent for ${c.idempotency_key}`).toHaveLength(1);
            expect(intents[0]!).toBeLessThan(outcomes[0]!);
          }
          const sent = await db.query<{ id: string }>(
            `SELECT id FROM messages WHERE run_id = $1 AND direction = 'out' AND status = 'sent'`,
            [o.run.id],
          );
          for (const m of sent) {
            seen('reply');
            const intents = seqsOf('reply.intent', 'message', m.id);
            const sentEvents = seqsOf('reply.sent', 'message', m.id);
            expect(intents).toHaveLength(1);
            expect(sentEvents).toHaveLength(1);
            expect(intents[0]!).toBeLessThan(sentEvents[0]!);
          }
        },
        35,
        [
          example({
            script: [use('lookup', { q: 'a' }), say(0.9), use('cancel', { id: '1' }), use('flaky', {})],
          }),
        ],
      );
      for (const what of ['effect', 'approved effect', 'reply'])
        expect(seen.get(what), what).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'resumes exactly once under duplicate and concurrent decisions [runtime:approval-resumes-exactly-once]',
    async () => {
      const seen = await property(
        scenarioArb({
          modes: ['pilot', 'pilot', 'production'],
          actions: actionArb({ reply: 1, escalate: 0, garbage: 0, unknown: 0 }, ['book', 'cancel', 'call']),
          decisions: decisionArb({ kinds: ['race', 'race', 'duplicate'] }),
        }),
        async (o, seen) => {
          const keys = executionsOf(o.run.id).map((e) => e.key);
          expect(new Set(keys).size, `no handler ran twice: ${keys.join(', ')}`).toBe(keys.length);
          for (const log of o.decisions) {
            expect(log.succeeded, `exactly one decision of ${log.approvalId} won`).toHaveLength(1);
            expect(log.refused).toEqual(Array(log.refused.length).fill('already_decided'));
            expect(log.statusAfter).not.toBe('running');
            const [row] = await db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
              log.approvalId,
            ]);
            const approved = log.succeeded[0] === 'approve';
            expect(row?.status).toBe(approved ? 'approved' : 'denied');
            const [tc] = await db.query<{ idempotency_key: string }>(
              'SELECT idempotency_key FROM tool_calls WHERE id = $1',
              [log.toolCallId],
            );
            expect(keys.filter((k) => k === tc?.idempotency_key)).toHaveLength(approved ? 1 : 0);
            seen(`${log.decision.kind} ${log.succeeded[0]}`);
            if (log.decision.kind === 'race' && log.decision.withRecovery) seen('race with recovery');
          }
        },
        30,
        [
          example({
            mode: 'pilot',
            script: [use('book', { slot: 'a' }), use('cancel', { id: '1' }), use('book', { slot: 'b' })],
            decisions: [
              {
                kind: 'race',
                parties: ['approve', 'approve', 'deny'],
                restartFirst: false,
                withRecovery: true,
              },
              { kind: 'race', parties: ['deny', 'deny'], restartFirst: false, withRecovery: false },
              { kind: 'duplicate', restartFirst: false },
            ],
          }),
          example({
            script: [use('cancel', { id: '1' })],
            decisions: [
              { kind: 'race', parties: ['approve', 'approve'], restartFirst: true, withRecovery: true },
            ],
          }),
        ],
      );
      for (const what of ['race approve', 'race deny', 'duplicate approve', 'race with recovery'])
        expect(seen.get(what), what).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'loses nothing when the process restarts between suspend and decision [runtime:approval-survives-restart]',
    async () => {
      const seen = await property(
        scenarioArb({
          modes: ['pilot', 'pilot', 'production'],
          actions: actionArb({ reply: 1, garbage: 0, unknown: 0, escalate: 0 }, [
            'book',
            'cancel',
            'call',
            'lookup',
          ]),
          decisions: decisionArb({
            kinds: ['approve', 'approve', 'deny', 'race', 'duplicate'],
            restart: true,
          }),
        }),
        async (o, seen) => {
          const keys = executionsOf(o.run.id).map((e) => e.key);
          for (const log of o.decisions) {
            expect(log.restarted).toBe(true);
            expect(['done', 'escalated', 'checkpoint', 'suspended']).toContain(log.statusAfter);
            const [tc] = await db.query<{ idempotency_key: string; status: string }>(
              'SELECT idempotency_key, status FROM tool_calls WHERE id = $1',
              [log.toolCallId],
            );
            const approved = log.succeeded[0] === 'approve';
            if (approved) seen('approved after restart');
            expect(keys.filter((k) => k === tc?.idempotency_key)).toHaveLength(approved ? 1 : 0);
            expect(tc?.status).toMatch(approved ? /^(succeeded|failed)$/ : /^denied$/);
          }
        },
        25,
        [
          example({
            mode: 'pilot',
            script: [use('book', { slot: 'a' }), use('cancel', { id: '1' })],
            decisions: [{ kind: 'approve', restartFirst: true }],
          }),
        ],
      );
      expect(seen.get('approved after restart')).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'never runs a human-only action and keeps the registry risk whatever the brain says [policy:human-only-actions-denied] [policy:brain-cannot-change-risk]',
    async () => {
      const seen = await property(
        scenarioArb({
          actions: actionArb({ garbage: 0, unknown: 0, escalate: 0, done: 0 }, undefined, true),
        }),
        async (o, seen) => {
          expect(executionsOf(o.run.id).filter((e) => e.tool === 'refund')).toEqual([]);
          const mode = o.run.mode;
          for (const c of await toolCallsOf(o.run.id)) {
            seen(c.tool);
            expect(c.risk).toBe(REGISTRY_RISK[c.tool]);
            // DESIGN §1, written out independently of policy.ts.
            const allowed = HUMAN_ONLY.has(c.tool)
              ? ['deny']
              : mode === 'shadow'
                ? [c.risk === 'read' ? 'execute' : 'record']
                : c.risk === 'read'
                  ? ['execute']
                  : c.risk === 'write'
                    ? [mode === 'production' ? 'execute' : 'approval']
                    : c.risk === 'destructive' || mode === 'pilot'
                      ? ['approval']
                      : ['execute', 'approval'];
            expect(allowed, `${c.tool} (${c.risk}) in ${mode}`).toContain(c.decision);
            if (HUMAN_ONLY.has(c.tool)) expect(c.status).toBe('denied');
          }
        },
        30,
        [
          example({
            script: [
              use('refund', { amount: 10 }, { risk: 'read', decision: 'execute', approved: true }),
              use(
                'cancel',
                { id: '1' },
                { risk: 'read', decision: 'execute', approved: true, mode: 'production' },
              ),
            ],
          }),
        ],
      );
      expect(seen.get('refund')).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'keeps autonomous spend inside the daily cap; only approved calls go beyond it [runtime:spend-cap-per-day]',
    async () => {
      const seen = await property(
        scenarioArb({
          modes: ['production', 'production', 'pilot'],
          actions: actionArb({ garbage: 0, unknown: 0, escalate: 0, done: 0, reply: 0 }, [
            'call',
            'call',
            'call',
            'lookup',
          ]),
          decisions: decisionArb({ kinds: ['approve', 'deny', 'approve', 'expire'] }),
        }),
        async (o, seen) => {
          const cap = o.scenario.spendCapCents;
          const executed = (await toolCallsOf(o.run.id)).filter(
            (c) => c.risk === 'spend' && (c.status === 'succeeded' || c.status === 'failed'),
          );
          const autonomous = executed.filter((c) => c.decision === 'execute');
          const approved = executed.filter((c) => c.decision === 'approval');
          expect(autonomous.length + approved.length).toBe(executed.length);
          for (const c of approved) expect(c.approval_status).toBe('approved');
          const sum = (cs: ToolCallRow[]) => cs.reduce((total, c) => total + c.cost_cents, 0);
          if (cap === null) expect(autonomous).toEqual([]);
          expect(sum(autonomous)).toBeLessThanOrEqual(cap ?? 0);
          const days = await db.query<{ day: string; total: number }>(
            'SELECT day::text AS day, SUM(cents)::int AS total FROM spend_ledger WHERE agent_id = $1 GROUP BY day',
            [o.agentId],
          );
          for (const d of days)
            expect(d.total, `spend on ${d.day}`).toBeLessThanOrEqual((cap ?? 0) + sum(approved));
          expect(days.reduce((total, d) => total + d.total, 0)).toBe(sum(executed));
          if (autonomous.some((c) => c.cost_cents > 0)) seen('autonomous spend');
          if (cap !== null && days.some((d) => d.total > cap)) seen('approved beyond the cap');
        },
        30,
        [
          example({
            script: [use('call', { to: '+1', cents: 60 }), use('call', { to: '+2', cents: 60 })],
            decisions: [approve],
          }),
          example({ spendCapCents: null, script: [use('call', { to: '+1', cents: 1 })] }),
        ],
      );
      for (const what of ['autonomous spend', 'approved beyond the cap'])
        expect(seen.get(what), what).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'records every reply as a step and hands a low-confidence one to a human, never a runtime error [runtime:escalate-low-confidence]',
    async () => {
      const seen = await property(
        scenarioArb({
          modes: ['production', 'pilot'],
          actions: actionArb({ tool: 3, reply: 6, garbage: 0, unknown: 0 }),
        }),
        async (o, seen) => {
          const escalations = await db.query<{
            kind: string;
            reason: string;
            suggested_reply: string | null;
          }>('SELECT kind, reason, suggested_reply FROM escalations WHERE run_id = $1', [o.run.id]);
          expect(escalations.map((e) => e.reason).filter((r) => /runtime error/.test(r))).toEqual([]);
          const [agent] = await db.query<{ confidence_threshold: number }>(
            'SELECT confidence_threshold FROM agents WHERE id = $1',
            [o.agentId],
          );
          const threshold = Math.round(agent!.confidence_threshold * 1e6) / 1e6;
          const steps = await db.query<{
            idx: number;
            action: { type: string; text?: string; confidence?: number };
            decision: string;
          }>('SELECT idx, action, decision FROM steps WHERE run_id = $1 ORDER BY idx', [o.run.id]);
          for (const step of steps) {
            if (step.action.type !== 'reply' || (step.action.confidence ?? 1) >= threshold) continue;
            seen(step.action.confidence! < 1e-30 ? 'tiny confidence' : 'low confidence');
            expect(step.decision).toBe('review');
            expect(step.idx).toBe(o.run.stepsUsed);
            expect(o.run.status).toBe('escalated');
            expect(escalations).toContainEqual(
              expect.objectContaining({ kind: 'review', suggested_reply: step.action.text }),
            );
          }
        },
        25,
        [
          example({ script: [say(0.9), say(0.3)] }),
          example({ script: [say(1e-50)] }),
          example({ mode: 'pilot', script: [say(5e-324)] }),
        ],
      );
      expect(seen.get('low confidence')).toBeGreaterThan(0);
    },
    SLOW,
  );

  it('leaves a verifiable audit chain after all of the above [audit:chain-verifies]', async () => {
    const report = await verifyAudit(db);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
