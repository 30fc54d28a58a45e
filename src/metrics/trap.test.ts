// The maintenance trap fires when net hours over the last 30 days are below zero, and when they are positive but
// falling fast enough to reach zero within the next 30 days; entering it is recorded, audited and announced once per
// trigger, and leaving it closes the record. An agent with no work in the last 30 days (a new one being set up) is
// idle, not trapped. (The month of measurement.test.ts, a healthy agent, does not fire it.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { buildMeasurementApp, say } from '../../test/support/measurement.ts';
import type { App } from '../app.ts';
import { type EventBus, openEventBus, type TwelveEvent } from '../events/bus.ts';
import { agentCreator } from '../runtime/agents.ts';
import type { AgentConfig } from '../runtime/types.ts';
import { measurementKindsOf } from './measurement.ts';
import { maintenanceTrapChecker, maintenanceTrapSweeper, openTrap, TRAP_RECOMMENDATION } from './trap.ts';
import { workLogger } from './work-log.ts';

const OWNER = 'user:owner@example.com';
let db: TestDb;
let app: App;
let clock: ReturnType<typeof buildMeasurementApp>['clock'];
let bus: EventBus;
const events: TwelveEvent[] = [];
let heavy: AgentConfig;
let fading: AgentConfig;

const newAgent = (name: string) =>
  agentCreator(app, OWNER, { kind: 'custom', name, displayName: name, config: { testMode: 'production' } });

async function trapAudits(agentId: string): Promise<string[]> {
  const rows = await db.query<{ action: string }>(
    `SELECT action FROM audit_events WHERE stream = $1 AND action LIKE 'measurement.%' ORDER BY seq`,
    [`agent:${agentId}`],
  );
  return rows.map((r) => r.action);
}

beforeAll(async () => {
  db = await openTestDb();
  ({ app, clock } = buildMeasurementApp(db, '2026-08-30T09:00:00.000Z'));
  bus = await openEventBus(db);
  bus.subscribe((e) => {
    if (e.type === 'measurement.trap') events.push(e);
  });
  heavy = await newAgent('heavy');
  fading = await newAgent('fading');
  // fading: six answers that held in September (3 h saved), one in November (0.5 h).
  for (let i = 0; i < 6; i++) {
    clock.set(`2026-09-10T1${i}:00:00.000Z`);
    await say(app, fading.id, `sep-${i}`, 'What are your hours?');
  }
  // heavy: one answer that held in November (0.5 h saved) against two hours of upkeep logged by hand.
  clock.set('2026-11-03T11:00:00.000Z');
  await say(app, heavy.id, 'zed', 'What are your hours?');
  clock.set('2026-11-05T10:00:00.000Z');
  await say(app, fading.id, 'nov-1', 'What are your hours?');
  clock.set('2026-11-20T15:00:00.000Z');
  await workLogger(app, OWNER, heavy.id, { minutes: 120, date: '2026-11-20', note: 'retraining by hand' });
  clock.set('2026-12-01T00:00:00.000Z');
});

afterAll(async () => {
  await bus.close();
  await app.runtime.settle();
  await db.dispose();
});

describe('the maintenance trap', () => {
  it('fires when net hours over the last 30 days are below zero, once per trigger', async () => {
    const kinds = measurementKindsOf(app);
    const first = await maintenanceTrapChecker(app, heavy.id, kinds);
    // Saved 30 min, maintenance 120 min: −1.5 h.
    expect(first.evaluation).toEqual({
      trapped: true,
      reason: 'negative',
      windows: [0, 0, -1.5],
      slopePerMonth: -0.75,
      projectedNetHours: -2.25,
      work: 1,
      recommendation: TRAP_RECOMMENDATION,
    });
    expect(first.changed).toBe('entered');
    const again = await maintenanceTrapChecker(app, heavy.id, kinds);
    expect(again.changed).toBeNull();
    expect(await trapAudits(heavy.id)).toEqual(['measurement.trap_entered']);
    const record = await openTrap(db, heavy.id);
    expect(record).toMatchObject({ reason: 'negative', enteredAt: '2026-12-01T00:00:00.000Z' });
    expect(record!.figures.windows).toEqual([0, 0, -1.5]);
    await expect
      .poll(() => events.filter((e) => e.agentId === heavy.id))
      .toEqual([{ type: 'measurement.trap', agentId: heavy.id, trap: record!.id, state: 'entered' }]);
  });

  it('fires when net hours are positive but trending below zero within a month', async () => {
    // Windows: Sep 2–Oct 2 = 3 h, Oct 2–Nov 1 = 0, Nov 1–Dec 1 = 0.5 h; slope (0.5 − 3) / 2 = −1.25 a month, so
    // the next 30 days would show −0.75 h.
    const { evaluation, changed } = await maintenanceTrapChecker(app, fading.id, measurementKindsOf(app));
    expect(evaluation).toMatchObject({
      trapped: true,
      reason: 'trending',
      windows: [3, 0, 0.5],
      slopePerMonth: -1.25,
      projectedNetHours: -0.75,
    });
    expect(changed).toBe('entered');
  });

  it('clears when the figures recover, and a later fall is a new trigger', async () => {
    // heavy's agent answers four more customers in December: the last 30 days are now positive.
    for (let i = 0; i < 4; i++) {
      clock.set(`2026-12-0${i + 2}T10:00:00.000Z`);
      await say(app, heavy.id, `dec-${i}`, 'What are your hours?');
    }
    clock.set('2026-12-09T00:00:00.000Z');
    // Nov 9–Dec 9: saved (1 + 4) × 30 = 150 min, logged 120: +0.5 h; slope (0.5 − 0) / 2 ≥ 0. fading has had no
    // conversation since Nov 5: idle, not judged, so its trending record is cleared too.
    const sweep = await maintenanceTrapSweeper(app, measurementKindsOf(app));
    expect(sweep).toMatchObject({ checked: 2, cleared: 2 });
    expect(await openTrap(db, fading.id)).toBeNull();
    expect(await openTrap(db, heavy.id)).toBeNull();
    expect(await trapAudits(heavy.id)).toEqual(['measurement.trap_entered', 'measurement.trap_cleared']);
    clock.set('2026-12-10T09:00:00.000Z');
    await workLogger(app, OWNER, heavy.id, { minutes: 200, date: '2026-12-10' });
    expect((await maintenanceTrapChecker(app, heavy.id, measurementKindsOf(app))).changed).toBe('entered');
    expect(await trapAudits(heavy.id)).toEqual([
      'measurement.trap_entered',
      'measurement.trap_cleared',
      'measurement.trap_entered',
    ]);
    const [row] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM maintenance_traps WHERE agent_id = $1',
      [heavy.id],
    );
    expect(row!.n).toBe(2);
  });

  it('does not judge an idle agent: set-up time before the first conversation is no trap, the first work is', async () => {
    clock.set('2026-12-11T09:00:00.000Z');
    const fresh = await newAgent('fresh');
    await workLogger(app, OWNER, fresh.id, {
      minutes: 90,
      date: '2026-12-11',
      note: 'writing the knowledge base',
    });
    const idle = await maintenanceTrapChecker(app, fresh.id, measurementKindsOf(app));
    expect(idle.evaluation).toMatchObject({ trapped: false, reason: null, work: 0, windows: [0, 0, -1.5] });
    expect(idle.changed).toBeNull();
    expect(await openTrap(db, fresh.id)).toBeNull();
    expect(await trapAudits(fresh.id)).toEqual([]);
    // Its first customer (an answer not yet 72 h old: no hours saved yet), and now it is judged.
    clock.set('2026-12-11T15:00:00.000Z');
    await say(app, fresh.id, 'first', 'What are your hours?');
    clock.set('2026-12-12T00:00:00.000Z');
    const judged = await maintenanceTrapChecker(app, fresh.id, measurementKindsOf(app));
    expect(judged.evaluation).toMatchObject({
      trapped: true,
      reason: 'negative',
      work: 1,
      windows: [0, 0, -1.5],
    });
    expect(judged.changed).toBe('entered');
  });
});
