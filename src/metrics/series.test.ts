// Weekly volume and resolution for the overview's charts: each conversation counts once, in the week it started,
// with its one outcome, so a week's parts add up to its conversations; every agent is summed; empty weeks are there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { buildMeasurementApp, say } from '../../test/support/measurement.ts';
import type { App } from '../app.ts';
import type { ManualClock } from '../clock.ts';
import { agentCreator } from '../runtime/agents.ts';
import { weeklyOutcomes, weekStart } from './series.ts';

let db: TestDb;
let app: App;
let clock: ManualClock;
const ids: string[] = [];

beforeAll(async () => {
  db = await openTestDb();
  ({ app, clock } = buildMeasurementApp(db, '2026-11-02T09:00:00.000Z'));
  for (const name of ['shop', 'desk']) {
    const agent = await agentCreator(app, 'test', {
      kind: 'custom',
      name,
      displayName: name,
      config: { testMode: 'production' },
    });
    ids.push(agent.id);
  }
  // Week of Nov 2: two answered, one handed off. Week of Nov 9: nothing. Week of Nov 16: one answered by the desk.
  clock.set('2026-11-02T10:00:00Z');
  await say(app, ids[0]!, 'alice', 'What are your hours?');
  clock.set('2026-11-04T10:00:00Z');
  await say(app, ids[0]!, 'bob', 'What is the price?');
  clock.set('2026-11-08T23:00:00Z');
  await say(app, ids[0]!, 'carol', 'Please escalate me');
  clock.set('2026-11-17T10:00:00Z');
  await say(app, ids[1]!, 'dan', 'What are your hours?');
}, 60_000);
afterAll(() => db.dispose());

describe('weekly outcomes', () => {
  it('starts weeks on Monday, UTC', () => {
    expect(weekStart(new Date('2026-11-08T23:00:00Z')).toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(weekStart(new Date('2026-11-09T00:00:00Z')).toISOString()).toBe('2026-11-09T00:00:00.000Z');
  });

  it('counts each conversation once in its week, by outcome, across agents, with empty weeks', async () => {
    const weeks = await weeklyOutcomes(db, ids, 4, new Date('2026-11-25T12:00:00Z'));
    expect(weeks.map((w) => w.week)).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    expect(weeks[0]).toMatchObject({ conversations: 3, resolvedByAi: 2, escalated: 1 });
    expect(weeks[1]).toMatchObject({ conversations: 0 });
    expect(weeks[2]).toMatchObject({ conversations: 1, resolvedByAi: 1 });
    for (const w of weeks)
      expect(w.resolvedByAi + w.clawedBack + w.escalated + w.abandoned + w.open).toBe(w.conversations);
  });
});
