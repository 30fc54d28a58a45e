// The job handlers, called directly: expiry turns stale approvals into escalations, recovery finishes runs whose
// driver died, checkpoints seal moved heads, and reminders go out after 30 min, at most hourly, once across nodes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pilotAgent, suspendedRun } from '../../test/multinode/fixtures.ts';
import { driverName, openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { verifyAudit } from '../audit/verify.ts';
import { ManualClock } from '../clock.ts';
import { createServices } from '../context.ts';
import { type EventBus, openEventBus, type TwelveEvent } from '../events/bus.ts';
import { silentLog } from '../events/log.ts';
import { escalationClaimer, escalationCreator } from '../runtime/escalations.ts';
import { JOB_DEFINITIONS, jobNamed } from './definitions.ts';
import { escalationReminder } from './reminders.ts';

let db: TestDb;
let clock: ManualClock;
let app: App;
let bus: EventBus;
const events: TwelveEvent[] = [];
beforeAll(async () => {
  db = await openTestDb();
  clock = new ManualClock(new Date());
  app = createApp(db, { clock });
  bus = await openEventBus(db);
  bus.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await bus.close();
  await db.dispose();
});

const run = (name: string) => jobNamed(name).run({ app, log: silentLog });
const HOUR = 3600_000;

async function openEscalation(at: Date): Promise<string> {
  const agent = await pilotAgent(app);
  clock.set(at);
  const esc = await db.transaction((tx) =>
    escalationCreator(app, tx, 'system', { agentId: agent.id, runId: null, reason: 'needs a human' }),
  );
  return esc.id;
}

async function reminders(escalationId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE action = 'escalation.reminder' AND subject = $1`,
    [`escalation:${escalationId}`],
  );
  return row!.n;
}

describe(`jobs (${driverName})`, () => {
  it("defines the platform's periodic jobs with their cadence", () => {
    expect(JOB_DEFINITIONS.map((j) => [j.name, j.cron])).toEqual([
      ['approvals.expire', '* * * * *'],
      ['runs.recover', '* * * * *'],
      ['audit.checkpoint', '*/5 * * * *'],
      ['escalations.remind', '*/15 * * * *'],
      ['measurement.trap', '17 * * * *'],
    ]);
  });

  it('approvals.expire escalates approvals nobody decided in time, and the action never runs', async () => {
    clock.set(new Date());
    const { runId, approvalId, noteId } = await suspendedRun(app);
    expect(await run('approvals.expire')).toEqual({ expired: 0 });
    clock.advance(25 * HOUR);
    expect(await run('approvals.expire')).toEqual({ expired: 1 });
    const [approval] = await db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
      approvalId,
    ]);
    const [runRow] = await db.query<{ status: string; outcome: string }>(
      'SELECT status, outcome FROM runs WHERE id = $1',
      [runId],
    );
    expect(approval!.status).toBe('expired');
    expect(runRow).toMatchObject({ status: 'escalated', outcome: 'approval_expired' });
    expect(await db.query('SELECT id FROM demo_notes WHERE id = $1', [noteId])).toHaveLength(1);
    expect(await run('approvals.expire')).toEqual({ expired: 0 });
  });

  it('runs.recover drives a run whose lease ran out on a dead node', async () => {
    const agent = await pilotAgent(app);
    const now = clock.now();
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO runs (agent_id, status, trigger, budget, mode, lease_owner, lease_until, created_at, updated_at)
       VALUES ($1, 'running', '{"type":"manual"}', 10, 'pilot', 'node-dead', $2, $3, $3) RETURNING id`,
      [agent.id, new Date(now.getTime() - 1000), now],
    );
    const result = await run('runs.recover');
    expect(result.recovered).toBeGreaterThanOrEqual(1);
    const [after] = await db.query<{ status: string; lease_owner: string | null }>(
      'SELECT status, lease_owner FROM runs WHERE id = $1',
      [row!.id],
    );
    expect(after).toEqual({ status: 'done', lease_owner: null });
  });

  it('audit.checkpoint seals the heads that moved, then has nothing to do', async () => {
    await app.audit.append({ stream: 'system', actor: 'test', action: 'test.event', subject: 'test:1' });
    const first = await run('audit.checkpoint');
    expect(first.checkpoint).toEqual(expect.any(Number));
    expect(first.streams).toBeGreaterThanOrEqual(1);
    expect(await run('audit.checkpoint')).toEqual({ checkpoint: null });
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('escalations.remind: after 30 minutes unclaimed, at most hourly, never once claimed', async () => {
    const t0 = new Date('2030-01-01T10:00:00Z');
    const id = await openEscalation(t0);
    clock.set(new Date(t0.getTime() + 10 * 60_000));
    await run('escalations.remind');
    expect(await reminders(id)).toBe(0);

    clock.set(new Date(t0.getTime() + 31 * 60_000));
    expect((await run('escalations.remind')).reminded).toBeGreaterThanOrEqual(1);
    expect(await reminders(id)).toBe(1);
    await expect
      .poll(() => events.find((e) => e.type === 'escalation.reminder' && e.escalationId === id))
      .toMatchObject({ escalationId: id, runId: null });

    clock.set(new Date(t0.getTime() + 80 * 60_000));
    await run('escalations.remind');
    expect(await reminders(id)).toBe(1);

    clock.set(new Date(t0.getTime() + 92 * 60_000));
    await run('escalations.remind');
    expect(await reminders(id)).toBe(2);

    await escalationClaimer(app, 'user:test@example.com', id);
    clock.set(new Date(t0.getTime() + 10 * HOUR));
    await run('escalations.remind');
    expect(await reminders(id)).toBe(2);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('escalations.remind run by two nodes at the same moment reminds once', async () => {
    const t0 = new Date('2031-01-01T10:00:00Z');
    const ids = await Promise.all([openEscalation(t0), openEscalation(t0), openEscalation(t0)]);
    clock.set(new Date(t0.getTime() + 40 * 60_000));
    const peer = db.openPeer();
    try {
      // Two nodes: separate services (audit head caches) and, on a server, separate pools.
      const nodeA = createServices(db, clock, `node-a-${randomUUID().slice(0, 4)}`);
      const nodeB = createServices(peer ?? db, clock, `node-b-${randomUUID().slice(0, 4)}`);
      const [a, b] = await Promise.all([escalationReminder(nodeA), escalationReminder(nodeB)]);
      expect(a.failed + b.failed).toBe(0);
      for (const id of ids) expect(await reminders(id)).toBe(1);
    } finally {
      await peer?.close();
    }
  });
});
