// The guarded runtime, scenario by scenario: policy per mode, approvals, budget checkpoints, kill switches, spend
// caps, escalation triggers and hostile brain output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { buildTestRuntime, type TestRuntime } from '../../test/support/runtime.ts';
import { verifyAudit } from '../audit/verify.ts';
import { AppError } from '../errors.ts';
import { agentCreator, agentStatusSetter, agentUpdater, globalKillSetter } from './agents.ts';
import { escalationClaimer, escalationResolver, listEscalations } from './escalations.ts';
import { getRun, listSteps } from './runs.ts';
import { defineTool, ToolRegistry } from './tools.ts';
import type { ActionInput } from './types.ts';

let db: TestDb;
let t: TestRuntime;

beforeAll(async () => {
  db = await openTestDb();
  t = buildTestRuntime(db);
});
afterAll(async () => {
  await db.dispose();
});

const msg = (text: string) => ({ type: 'message', text, conversationId: `c-${Math.random()}` });
const tool = (name: string, args: unknown): ActionInput => ({ type: 'tool', name, args });
const callsOf = (runId: string) => t.effects.calls.filter((c) => c.key.startsWith(runId));

async function pendingApproval(runId: string) {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM approvals WHERE run_id = $1 AND status = 'pending'`,
    [runId],
  );
  return row!.id;
}

describe('policy per mode', () => {
  it('runs read tools in every mode [policy:read-tools-run-in-every-mode]', async () => {
    for (const mode of ['production', 'pilot', 'shadow'] as const) {
      const agent = await t.agent({ mode, script: [tool('lookup', { q: 'x' })] });
      const run = await t.runtime.startRun(agent.id, { type: 'test' });
      expect(run.status).toBe('done');
      expect(callsOf(run.id)).toHaveLength(1);
    }
  });

  it('runs write tools in production [policy:production-write-executes]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('book', { slot: 'mon 9' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('done');
    expect(callsOf(run.id).map((c) => c.tool)).toEqual(['book']);
  });

  it('audits the intent of an effect before the effect and the outcome after it [audit:write-ahead-intent]', async () => {
    let intentSeenByHandler: Promise<boolean> = Promise.resolve(false);
    const probe = buildTestRuntime(db);
    const agent = await probe.agent({ mode: 'production', script: [tool('book', { slot: 'sat' })] });
    // Look for the intent while the handler runs (the query is issued then): it must already be committed.
    const original = probe.effects.calls.push.bind(probe.effects.calls);
    probe.effects.calls.push = (...items) => {
      const key = items[0]?.key ?? '';
      intentSeenByHandler = db
        .query(
          `SELECT 1 FROM audit_events WHERE action = 'tool.intent' AND payload->>'idempotencyKey' = $1`,
          [key],
        )
        .then((rows) => rows.length === 1);
      return original(...items);
    };
    const run = await probe.runtime.startRun(agent.id, { type: 'test' });
    const events = await db.query<{ action: string; seq: number }>(
      `SELECT action, seq FROM audit_events WHERE stream = $1 AND action LIKE 'tool.%' ORDER BY seq`,
      [`run:${run.id}`],
    );
    expect(events.map((e) => e.action)).toEqual(['tool.intent', 'tool.succeeded']);
    expect(await intentSeenByHandler).toBe(true);
  });

  it('suspends write tools in pilot until a human approves [policy:pilot-write-needs-approval] [runtime:approval-suspends-run]', async () => {
    const agent = await t.agent({ mode: 'pilot', script: [tool('book', { slot: 'mon 9' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('suspended');
    expect(callsOf(run.id)).toHaveLength(0);
    await t.runtime.decideApproval(await pendingApproval(run.id), 'approve', 'user:rev@example.com', 'ok');
    expect((await getRun(db, run.id))?.status).toBe('done');
    expect(callsOf(run.id)).toHaveLength(1);
  });

  it('records write, destructive and spend tools in shadow without running them [policy:shadow-never-executes-write]', async () => {
    const agent = await t.agent({
      mode: 'shadow',
      script: [
        tool('book', { slot: 'a' }),
        tool('cancel', { id: '1' }),
        tool('call', { to: '+1', cents: 1 }),
      ],
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('done');
    expect(callsOf(run.id)).toHaveLength(0);
    const steps = await listSteps(db, run.id);
    expect(steps.slice(0, 3).map((s) => s.decision)).toEqual(['record', 'record', 'record']);
    expect(steps[0]?.result).toMatchObject({ recorded: true, wouldHaveDone: { tool: 'book' } });
  });

  it('never runs a destructive tool without an approval, even in production [policy:destructive-needs-approval]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('cancel', { id: '42' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('suspended');
    expect(callsOf(run.id)).toHaveLength(0);
    await t.runtime.decideApproval(await pendingApproval(run.id), 'deny', 'user:rev@example.com', 'no');
    expect(callsOf(run.id)).toHaveLength(0);
    const steps = await listSteps(db, run.id);
    expect(steps[0]?.result).toMatchObject({ error: { id: 'denied', reason: 'no' } });
    expect((await getRun(db, run.id))?.status).toBe('done');
  });

  it('runs spend tools inside the daily cap, asks approval beyond it [policy:spend-within-cap-else-approval] [runtime:spend-cap-per-day]', async () => {
    const agent = await t.agent({
      mode: 'production',
      spendCapCents: 100,
      script: [tool('call', { to: '+1', cents: 60 }), tool('call', { to: '+2', cents: 60 })],
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('suspended');
    expect(callsOf(run.id)).toHaveLength(1);
    const [alert] = await db.query(
      `SELECT payload FROM audit_events WHERE stream = $1 AND action = 'spend.cap_reached'`,
      [`run:${run.id}`],
    );
    expect(alert).toBeDefined();
    // Next day the cap is fresh.
    const tomorrow = buildTestRuntime(db);
    tomorrow.clock.advance(24 * 3600_000);
    const a2 = await tomorrow.agent({
      mode: 'production',
      spendCapCents: 100,
      script: [tool('call', { to: '+3', cents: 100 })],
    });
    expect((await tomorrow.runtime.startRun(a2.id, { type: 'test' })).status).toBe('done');
    // No cap at all: every spend needs a human.
    const uncapped = await t.agent({
      mode: 'production',
      spendCapCents: undefined,
      script: [tool('call', { to: '+1', cents: 1 })],
    });
    await agentUpdater(t.svc, 'user:x', uncapped.id, { spendCapCents: null });
    expect((await t.runtime.startRun(uncapped.id, { type: 'test' })).status).toBe('suspended');
  });

  it('denies human-only actions to every agent in every mode [policy:human-only-actions-denied]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('refund', { amount: 10 })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(callsOf(run.id)).toHaveLength(0);
    expect((await listSteps(db, run.id))[0]).toMatchObject({
      decision: 'deny',
      result: { error: { id: 'forbidden_action' } },
    });
  });

  it('lets configuration require approval but never relax it [policy:config-only-tightens]', async () => {
    const agent = await t.agent({
      mode: 'production',
      toolOverrides: { book: { approval: 'always' } },
      script: [tool('book', { slot: 'x' })],
    });
    expect((await t.runtime.startRun(agent.id, { type: 'test' })).status).toBe('suspended');
    await expect(
      agentCreator(t.svc, 'user:x', {
        kind: 'custom',
        name: 'relaxed-1',
        toolOverrides: { cancel: { approval: 'never' } },
      } as never),
    ).rejects.toThrow(AppError);
  });

  it('ignores anything a brain says about risk or policy [policy:brain-cannot-change-risk]', async () => {
    const hostile = {
      type: 'tool',
      name: 'cancel',
      args: { id: '1' },
      risk: 'read',
      decision: 'execute',
      approved: true,
      mode: 'production',
    };
    const agent = await t.agent({ mode: 'production', script: [hostile as ActionInput] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('suspended');
    expect(callsOf(run.id)).toHaveLength(0);
    const [tc] = await db.query<{ risk: string }>('SELECT risk FROM tool_calls WHERE run_id = $1', [run.id]);
    expect(tc?.risk).toBe('destructive');
  });
});

describe('the end of a run', () => {
  it('ends with `done` in one statement: the step, the run done and released, run.done last on its chain', async () => {
    const agent = await t.agent({
      mode: 'production',
      script: [tool('lookup', { q: 'a' }), { type: 'done', outcome: 'looked it up' }],
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run).toMatchObject({ status: 'done', outcome: 'looked it up', stepsUsed: 2 });
    const [row] = await db.query<{ lease_owner: string | null; lease_until: Date | null }>(
      'SELECT lease_owner, lease_until FROM runs WHERE id = $1',
      [run.id],
    );
    expect(row).toEqual({ lease_owner: null, lease_until: null });
    expect((await listSteps(db, run.id)).map((s) => [s.idx, s.decision])).toEqual([
      [1, 'execute'],
      [2, 'done'],
    ]);
    const events = await db.query<{ action: string; payload: unknown }>(
      'SELECT action, payload FROM audit_events WHERE stream = $1 ORDER BY seq',
      [`run:${run.id}`],
    );
    expect(events.at(-1)).toEqual({ action: 'run.done', payload: { outcome: 'looked it up' } });
    expect((await verifyAudit(db)).ok).toBe(true);
  });
});

describe('replies', () => {
  const reply = (confidence: number): ActionInput => ({
    type: 'reply',
    text: 'Our opening hours are 9–5.',
    confidence,
    sources: ['faq:hours'],
  });

  it('sends confident replies in production and holds low-confidence ones for a human [runtime:escalate-low-confidence]', async () => {
    const ok = await t.agent({ mode: 'production', confidenceThreshold: 0.6, script: [reply(0.9)] });
    expect((await t.runtime.startRun(ok.id, msg('when are you open?'))).status).toBe('done');
    const low = await t.agent({ mode: 'production', confidenceThreshold: 0.6, script: [reply(0.3)] });
    const run = await t.runtime.startRun(low.id, msg('when are you open?'));
    expect(run.status).toBe('escalated');
    const [esc] = await listEscalations(db, { agentId: low.id });
    expect(esc).toMatchObject({ kind: 'review', suggestedReply: 'Our opening hours are 9–5.' });
    expect(esc?.reason).toMatch(/below the threshold/);
  });

  it('sends pilot replies only inside the cohort [policy:pilot-replies-cohort-and-threshold]', async () => {
    const inCohort = await t.agent({ mode: 'pilot', pilotPercent: 100, script: [reply(0.9)] });
    expect((await t.runtime.startRun(inCohort.id, msg('hours?'))).status).toBe('done');
    const outside = await t.agent({ mode: 'pilot', pilotPercent: 0, script: [reply(0.9)] });
    const run = await t.runtime.startRun(outside.id, msg('hours?'));
    expect(run.status).toBe('escalated');
    const [m] = await db.query<{ status: string }>(
      `SELECT status FROM messages WHERE run_id = $1 AND direction = 'out'`,
      [run.id],
    );
    expect(m?.status).toBe('review');
    const allowed = await t.agent({
      mode: 'pilot',
      pilotPercent: 0,
      pilotAllowList: ['cust-7'],
      script: [reply(0.9)],
    });
    expect((await t.runtime.startRun(allowed.id, { ...msg('hours?'), customerId: 'cust-7' })).status).toBe(
      'done',
    );
  });

  it('ends the run with a final reply, with or without a delivery step', async () => {
    const final: ActionInput = { type: 'reply', text: 'We open at 9.', confidence: 0.9, final: true };
    const agent = await t.agent({ mode: 'production', script: [final, tool('lookup', { q: 'never' })] });
    expect(await t.runtime.startRun(agent.id, msg('hours?'))).toMatchObject({
      status: 'done',
      outcome: 'replied',
      stepsUsed: 1,
    });
    const delivered: string[] = [];
    const withSeam = buildTestRuntime(db, { deliver: async (m) => void delivered.push(m.text) });
    const a2 = await withSeam.agent({ mode: 'production', script: [final, tool('lookup', { q: 'never' })] });
    const run = await withSeam.runtime.startRun(a2.id, msg('hours?'));
    expect(run).toMatchObject({ status: 'done', outcome: 'replied', stepsUsed: 1 });
    expect(delivered).toEqual(['We open at 9.']);
    const actions = await db.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE stream = $1 ORDER BY seq',
      [`run:${run.id}`],
    );
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['reply.intent', 'reply.sent']));
  });

  it('only drafts in shadow [policy:shadow-replies-are-drafts]', async () => {
    const agent = await t.agent({ mode: 'shadow', script: [reply(0.99)] });
    const run = await t.runtime.startRun(agent.id, msg('hours?'));
    const [m] = await db.query<{ status: string }>(
      `SELECT status FROM messages WHERE run_id = $1 AND direction = 'out'`,
      [run.id],
    );
    expect(m?.status).toBe('draft');
    expect(run.status).toBe('escalated');
  });

  it('escalates always-human topics and requests for a person before the brain acts [runtime:escalate-always-human-topics] [runtime:escalate-on-person-request]', async () => {
    for (const [text, reason] of [
      ['Someone made a fraudulent charge on my card', /fraud/],
      ['I will take legal action', /legal/],
      ['Can I talk to a human please?', /asked for a person/],
    ] as const) {
      const agent = await t.agent({ mode: 'production', script: [reply(0.99)] });
      const run = await t.runtime.startRun(agent.id, msg(text));
      expect(run.status).toBe('escalated');
      expect(run.stepsUsed).toBe(0);
      expect((await listEscalations(db, { agentId: agent.id }))[0]?.reason).toMatch(reason);
    }
  });

  it('escalates when the brain throws or delivery fails [runtime:escalate-on-error]', async () => {
    const agent = await t.agent({
      mode: 'production',
      script: () => {
        throw new Error('model overloaded');
      },
    });
    const run = await t.runtime.startRun(agent.id, msg('hi'));
    expect(run.status).toBe('escalated');
    expect((await listEscalations(db, { agentId: agent.id }))[0]?.reason).toMatch(/model overloaded/);

    const failing = buildTestRuntime(db, {
      deliver: async () => {
        throw new Error('smtp down');
      },
    });
    const a2 = await failing.agent({ mode: 'production', script: [reply(0.9)] });
    expect((await failing.runtime.startRun(a2.id, msg('hours?'))).status).toBe('escalated');

    // A tool's own failure is a result, not an escalation.
    const a3 = await t.agent({ mode: 'production', script: [tool('flaky', {})] });
    const r3 = await t.runtime.startRun(a3.id, { type: 'test' });
    expect(r3.status).toBe('done');
    expect((await listSteps(db, r3.id))[0]?.result).toMatchObject({
      error: { id: 'tool_failed', message: 'upstream timeout' },
    });
  });
});

describe('hostile brain output', () => {
  it('turns invalid arguments into a typed error the brain reads, with an audit event [runtime:invalid-args-typed-error]', async () => {
    let seen: unknown;
    const agent = await t.agent({
      mode: 'production',
      script: (ctx) => {
        if (ctx.history.length === 0) return tool('book', { slot: 42, extra: 'x' });
        seen = ctx.history[0]?.result;
        return { type: 'done', outcome: 'gave up' };
      },
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(seen).toMatchObject({ error: { id: 'invalid_arguments', tool: 'book' } });
    expect(callsOf(run.id)).toHaveLength(0);
    const events = await db.query(
      `SELECT 1 FROM audit_events WHERE stream = $1 AND action = 'tool.invalid_arguments'`,
      [`run:${run.id}`],
    );
    expect(events).toHaveLength(1);
  });

  it('treats an unknown tool as a structural error and escalates [runtime:unknown-tool-structural-error]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('drop_database', {})] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run.status).toBe('escalated');
    expect(
      await db.query(`SELECT 1 FROM audit_events WHERE stream = $1 AND action = 'tool.unknown'`, [
        `run:${run.id}`,
      ]),
    ).toHaveLength(1);
  });

  it('keeps steps whose text or arguments contain NUL characters (PostgreSQL cannot store them)', async () => {
    const agent = await t.agent({
      mode: 'production',
      script: [tool('lookup', { q: 'a\u0000b' }), { type: 'reply', text: 'hi\u0000there', confidence: 0.9 }],
    });
    const run = await t.runtime.startRun(agent.id, msg('hello'));
    expect(run.status).toBe('done');
    const [m] = await db.query<{ body: string }>(
      `SELECT body FROM messages WHERE run_id = $1 AND direction = 'out'`,
      [run.id],
    );
    expect(m?.body).toBe('hithere');
  });

  it('marks a reply that could not be delivered as failed', async () => {
    const failing = buildTestRuntime(db, {
      deliver: async () => {
        throw new Error('connection refused');
      },
    });
    const agent = await failing.agent({
      mode: 'production',
      script: [{ type: 'reply', text: 'hello', confidence: 0.9 }],
    });
    const run = await failing.runtime.startRun(agent.id, msg('hi'));
    const [m] = await db.query<{ status: string }>(
      `SELECT status FROM messages WHERE run_id = $1 AND direction = 'out'`,
      [run.id],
    );
    expect(m?.status).toBe('failed');
  });

  it('escalates malformed actions without running anything', async () => {
    for (const bad of [
      { type: 'reply' },
      { type: 'teleport' },
      null,
      'rm -rf /',
      { type: 'reply', text: 'x', confidence: 7 },
    ]) {
      const agent = await t.agent({ mode: 'production', script: () => bad as ActionInput });
      const run = await t.runtime.startRun(agent.id, { type: 'test' });
      expect(run.status).toBe('escalated');
      expect((await listSteps(db, run.id))[0]?.decision).toBe('structural_error');
    }
  });
});

describe('budget and checkpoints', () => {
  it('ends at the budget in a checkpoint; a human continues with a fresh budget or closes [runtime:budget-ends-in-checkpoint] [runtime:checkpoint-continue-or-close]', async () => {
    const agent = await t.agent({
      mode: 'production',
      stepBudget: 3,
      script: () => tool('lookup', { q: 'again' }),
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    expect(run).toMatchObject({ status: 'checkpoint', stepsUsed: 3 });
    const [esc] = await listEscalations(db, { agentId: agent.id, kind: 'checkpoint' });
    expect(esc?.state).toBe('open');
    const continued = await t.runtime.resolveCheckpoint(run.id, 'continue', 'user:rev@example.com');
    expect(continued).toMatchObject({ status: 'checkpoint', stepsUsed: 6, budget: 6 });
    const closed = await t.runtime.resolveCheckpoint(run.id, 'close', 'user:rev@example.com');
    expect(closed.status).toBe('closed');
    await expect(t.runtime.resolveCheckpoint(run.id, 'close', 'user:rev@example.com')).rejects.toMatchObject({
      id: 'invalid_state',
    });
  });

  it('refuses budgets above the ceiling of 25 [runtime:budget-ceiling]', async () => {
    await expect(t.agent({ stepBudget: 26 })).rejects.toMatchObject({ id: 'validation_failed' });
    await expect(t.agent({ stepBudget: 0 })).rejects.toMatchObject({ id: 'validation_failed' });
    expect((await t.agent({ stepBudget: 25 })).stepBudget).toBe(25);
  });
});

describe('approvals', () => {
  it('resumes exactly once when two people approve at once, or one approves twice [runtime:approval-resumes-exactly-once]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('cancel', { id: '7' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    const id = await pendingApproval(run.id);
    const other = t.restart({ db: db.openPeer() ?? db, nodeId: 'node-b' });
    const results = await Promise.allSettled([
      t.runtime.decideApproval(id, 'approve', 'user:a@example.com'),
      other.runtime.decideApproval(id, 'approve', 'user:b@example.com'),
      t.runtime.decideApproval(id, 'deny', 'user:c@example.com'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ id: 'already_decided' });
    }
    expect(callsOf(run.id).length).toBeLessThanOrEqual(1);
    expect((await getRun(db, run.id))?.status).toBe('done');
  });

  it('survives a restart between suspend and approve, on another node [runtime:approval-survives-restart]', async () => {
    const agent = await t.agent({
      mode: 'pilot',
      script: [tool('book', { slot: 'tue' }), { type: 'done', outcome: 'booked' }],
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    const restarted = t.restart({ nodeId: 'node-after-restart' });
    await restarted.runtime.decideApproval(await pendingApproval(run.id), 'approve', 'user:rev@example.com');
    expect(await getRun(db, run.id)).toMatchObject({ status: 'done', outcome: 'booked' });
    expect(callsOf(run.id)).toHaveLength(1);
  });

  it('passes the same idempotency key on resume and never repeats the effect [runtime:idempotency-key-per-tool-call]', async () => {
    const agent = await t.agent({ mode: 'pilot', script: [tool('book', { slot: 'wed' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    const [tc] = await db.query<{ idempotency_key: string }>(
      'SELECT idempotency_key FROM tool_calls WHERE run_id = $1',
      [run.id],
    );
    await t.runtime.decideApproval(await pendingApproval(run.id), 'approve', 'user:rev@example.com');
    await t.runtime.drive(run.id);
    await t.restart().runtime.recover();
    expect(callsOf(run.id)).toEqual([expect.objectContaining({ key: tc?.idempotency_key })]);
  });

  it('expires into an escalation; the action never runs [runtime:approval-expiry-escalates]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('cancel', { id: '9' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    const id = await pendingApproval(run.id);
    const later = t.restart();
    later.clock.advance(25 * 3600_000);
    expect(await later.runtime.expireApprovals()).toBeGreaterThanOrEqual(1);
    expect((await getRun(db, run.id))?.status).toBe('escalated');
    await expect(later.runtime.decideApproval(id, 'approve', 'user:late@example.com')).rejects.toMatchObject({
      id: 'already_decided',
    });
    expect(callsOf(run.id)).toHaveLength(0);
    later.clock.advance(-25 * 3600_000);
  });

  it('does not let an agent approve', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('cancel', { id: '9' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    await expect(
      t.runtime.decideApproval(await pendingApproval(run.id), 'approve', `agent:${agent.name}`),
    ).rejects.toMatchObject({ id: 'forbidden' });
  });
});

describe('fail closed', () => {
  it('escalates instead of re-running a tool call interrupted mid-flight [runtime:ambiguous-state-fails-closed]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('book', { slot: 'thu' })] });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    // Simulate a crash after the handler started: the call is 'executing' and the run is 'running' with no driver.
    await db.query(`UPDATE tool_calls SET status = 'executing' WHERE run_id = $1`, [run.id]);
    await db.query(`UPDATE runs SET status = 'running', lease_owner = NULL WHERE id = $1`, [run.id]);
    const before = callsOf(run.id).length;
    await t.restart().runtime.recover();
    expect((await getRun(db, run.id))?.status).toBe('escalated');
    expect(callsOf(run.id).length).toBe(before);
    const [tc] = await db.query<{ status: string }>('SELECT status FROM tool_calls WHERE run_id = $1', [
      run.id,
    ]);
    expect(tc?.status).toBe('ambiguous');
  });

  it('fails closed on a driver that died while its tool ran, and counts the step it had written', async () => {
    const dying = buildTestRuntime(db, { nodeId: 'node-dying' });
    const agent = await dying.agent({
      mode: 'production',
      script: [tool('lookup', { q: '1' }), tool('slow', {})],
    });
    let finish!: () => void;
    const entered = new Promise<void>((handlerStarted) => {
      dying.effects.slow = () => {
        handlerStarted();
        return new Promise<void>((r) => {
          finish = r;
        });
      };
    });
    const driving = dying.runtime.startRun(agent.id, { type: 'test' });
    await entered;
    dying.effects.slow = undefined;
    const [{ run_id: runId }] = (await db.query<{ run_id: string }>(
      `SELECT run_id FROM tool_calls WHERE tool = 'slow' AND status = 'executing' AND run_id IN (SELECT id FROM runs WHERE agent_id = $1)`,
      [agent.id],
    )) as [{ run_id: string }];
    // The driver is inside the handler: step 2's call is executing, and the run counts one step until its outcome.
    const count = async () =>
      (
        await db.query<{ status: string; steps_used: number; steps: number }>(
          `SELECT status, steps_used, (SELECT count(*)::int FROM steps WHERE run_id = runs.id) AS steps
           FROM runs WHERE id = $1`,
          [runId],
        )
      )[0];
    expect(await count()).toEqual({ status: 'running', steps_used: 1, steps: 2 });
    // The driver "dies": its lease runs out and another node drives the run.
    const other = dying.restart({ nodeId: 'node-recovering' });
    other.clock.advance(120_000);
    expect(await other.runtime.drive(runId)).toBe('escalated');
    expect(await count()).toEqual({ status: 'escalated', steps_used: 2, steps: 2 });
    // The handler returns late: its outcome is recorded, the run stays escalated and nothing runs again.
    finish();
    await driving;
    expect(await count()).toEqual({ status: 'escalated', steps_used: 2, steps: 2 });
    expect(dying.effects.calls.filter((c) => c.key.startsWith(runId)).map((c) => c.tool)).toEqual(['lookup']);
    const [call] = await db.query<{ status: string }>(
      'SELECT status FROM tool_calls WHERE run_id = $1 AND step_idx = 2',
      [runId],
    );
    expect(call?.status).toBe('succeeded');
  });

  it('keeps the lease alive while a slow tool runs, so recovery elsewhere leaves the run alone', async () => {
    const slowRt = buildTestRuntime(db, { leaseMs: 1_500 });
    const agent = await slowRt.agent({ mode: 'production', script: [tool('slow', {})] });
    let recovered = -1;
    slowRt.effects.slow = async () => {
      slowRt.clock.advance(2_000); // past the first lease
      await new Promise((r) => setTimeout(r, 1_200)); // the heartbeat renews it meanwhile
      recovered = await slowRt.restart({ nodeId: 'node-recovering' }).runtime.recover();
    };
    const run = await slowRt.runtime.startRun(agent.id, { type: 'test' });
    expect(recovered).toBe(0);
    expect(run.status).toBe('done');
  });

  it('escalates when the step count disagrees with the stored steps', async () => {
    const agent = await t.agent({
      mode: 'production',
      script: [tool('lookup', { q: '1' }), tool('book', { slot: 'x' })],
    });
    const run = await t.runtime.startRun(agent.id, { type: 'test' });
    await db.query(`UPDATE runs SET status = 'running', steps_used = 0, lease_owner = NULL WHERE id = $1`, [
      run.id,
    ]);
    await t.runtime.drive(run.id);
    expect((await getRun(db, run.id))?.status).toBe('escalated');
  });
});

describe('kill switches', () => {
  it('stops a paused agent at its next step and hands the conversation to a human [runtime:kill-switch-agent]', async () => {
    const agent = await t.agent({
      mode: 'pilot',
      script: [tool('book', { slot: 'fri' }), tool('lookup', { q: 'after' })],
    });
    const run = await t.runtime.startRun(agent.id, msg('book me'));
    await agentStatusSetter(t.svc, 'user:admin@example.com', agent.id, 'paused', 'misbehaving');
    await t.runtime.decideApproval(await pendingApproval(run.id), 'approve', 'user:rev@example.com');
    expect(await getRun(db, run.id)).toMatchObject({ status: 'escalated', outcome: 'agent_paused' });
    expect(callsOf(run.id)).toHaveLength(0);
    const fresh = await t.runtime.startRun(agent.id, msg('hello'));
    expect(fresh).toMatchObject({ status: 'escalated', stepsUsed: 0 });
  });

  it('stops every agent when the global switch is engaged [runtime:kill-switch-global]', async () => {
    const agent = await t.agent({ mode: 'production', script: [tool('lookup', { q: 'x' })] });
    await globalKillSetter(t.svc, 'user:admin@example.com', true, 'incident');
    try {
      const run = await t.runtime.startRun(agent.id, { type: 'test' });
      expect(run).toMatchObject({ status: 'escalated', outcome: 'kill_switch' });
      expect(callsOf(run.id)).toHaveLength(0);
    } finally {
      await globalKillSetter(t.svc, 'user:admin@example.com', false);
    }
    expect((await t.runtime.startRun(agent.id, { type: 'test' })).status).toBe('done');
  });
});

describe('escalations', () => {
  it('moves open → claimed → resolved with one winner per transition [runtime:escalation-lifecycle]', async () => {
    const agent = await t.agent({
      mode: 'production',
      script: [{ type: 'escalate', reason: 'unsure', summary: 'needs a human' }],
    });
    await t.runtime.startRun(agent.id, msg('weird question'));
    const [esc] = await listEscalations(db, { agentId: agent.id });
    const claims = await Promise.allSettled([
      escalationClaimer(t.svc, 'user:a@example.com', esc!.id),
      escalationClaimer(t.svc, 'user:b@example.com', esc!.id),
    ]);
    const won = claims.filter((c) => c.status === 'fulfilled');
    expect(won).toHaveLength(1);
    // Only the claimer resolves a claimed escalation.
    const claimer = won[0]!.value.claimedBy!;
    const other = claimer === 'user:a@example.com' ? 'user:b@example.com' : 'user:a@example.com';
    await expect(escalationResolver(t.svc, other, esc!.id, 'not mine')).rejects.toMatchObject({
      id: 'invalid_state',
    });
    const resolved = await escalationResolver(t.svc, claimer, esc!.id, 'answered by phone');
    expect(resolved).toMatchObject({ state: 'resolved', resolution: 'answered by phone' });
    await expect(escalationResolver(t.svc, claimer, esc!.id, 'again')).rejects.toMatchObject({
      id: 'invalid_state',
    });
  });

  it('leaves a verifiable audit trail after all of the above [audit:chain-verifies]', async () => {
    expect((await verifyAudit(db)).ok).toBe(true);
  });
});

describe('a tool that holds while it waits for approval (tools.ts hold/release)', () => {
  it('holds before asking, lapsing at the expiry; the approved handler has the key; a denial or expiry releases; a failed hold asks nobody [policy:pilot-write-needs-approval]', async () => {
    const seen: string[] = [];
    const holds = new Map<string, { until: Date }>();
    const reserve = defineTool({
      name: 'reserve',
      description: 'reserves a table',
      risk: 'write',
      input: z.object({ table: z.number().int() }).strict(),
      hold: async (args, ctx) => {
        if (args.table === 13) throw new AppError('conflict', 'table 13 has gone');
        holds.set(ctx.idempotencyKey, { until: ctx.until });
        seen.push(`hold ${args.table} ${ctx.idempotencyKey}`);
        return { held: args.table };
      },
      release: async (args, ctx, why) => {
        seen.push(`release ${args.table} ${ctx.idempotencyKey} ${why}`);
      },
      handler: async (args, ctx) => {
        seen.push(`handler ${args.table} ${ctx.idempotencyKey} held=${holds.has(ctx.idempotencyKey)}`);
        return { reserved: args.table };
      },
    });
    const h = buildTestRuntime(db, { toolsFor: () => new ToolRegistry([reserve]), approvalTtlMs: 3_600_000 });
    const start = async (table: number) => {
      const agent = await h.agent({
        mode: 'pilot',
        script: [tool('reserve', { table }), { type: 'done', outcome: 'ok' }],
      });
      return h.runtime.startRun(agent.id, { type: 'test' });
    };

    const approved = await start(1);
    expect(approved.status).toBe('suspended');
    const key = `${approved.id}:1`;
    const [pending] = await db.query<{ result: unknown; id: string; expires_at: Date }>(
      `SELECT t.result, a.id, a.expires_at FROM tool_calls t JOIN approvals a ON a.tool_call_id = t.id WHERE t.run_id = $1`,
      [approved.id],
    );
    expect(pending!.result).toEqual({ held: 1 });
    expect(holds.get(key)!.until.toISOString()).toBe(new Date(pending!.expires_at).toISOString());
    await h.runtime.decideApproval(pending!.id, 'approve', 'user:boss@example.com');
    expect(seen).toEqual([`hold 1 ${key}`, `handler 1 ${key} held=true`]);

    seen.length = 0;
    const denied = await start(2);
    await h.runtime.decideApproval(await pendingApproval(denied.id), 'deny', 'user:boss@example.com');
    expect(seen).toEqual([`hold 2 ${denied.id}:1`, `release 2 ${denied.id}:1 denied`]);

    seen.length = 0;
    const expired = await start(3);
    h.clock.advance(3_600_001);
    expect(await h.runtime.expireApprovals()).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual([`hold 3 ${expired.id}:1`, `release 3 ${expired.id}:1 expired`]);

    seen.length = 0;
    const failed = await start(13);
    expect(failed.status).toBe('done');
    expect(seen).toEqual([]);
    const [call] = await db.query<{
      decision: string;
      status: string;
      result: { error: { reason: string } };
    }>('SELECT decision, status, result FROM tool_calls WHERE run_id = $1', [failed.id]);
    expect(call).toMatchObject({
      decision: 'approval',
      status: 'failed',
      result: { error: { reason: 'conflict' } },
    });
    expect(await db.query('SELECT 1 FROM approvals WHERE run_id = $1', [failed.id])).toEqual([]);
    expect((await verifyAudit(db)).ok).toBe(true);
  });
});
