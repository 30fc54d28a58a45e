// Coverage and precision per week from recorded runs, on the example shop: answers, misses (a request to rephrase,
// a hand-off), small talk counted as neither, an answer that did not hold (the same topic answered again), and the
// figures on the support agent's card (the agent JSON's support.weekly).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { supportOf } from '../agents/support/kind.ts';
import { type App, createApp } from '../app.ts';
import { ManualClock } from '../clock.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
} from '../conversations/conversations.ts';
import { kbImporter } from '../knowledge/import.ts';
import { assessmentRecorder, evaluationRecorder } from '../readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../runtime/agents.ts';
import type { AgentConfig } from '../runtime/types.ts';
import { mondayOf, weeklyAnswerFigures } from './weekly.ts';

const EXAMPLES = join(import.meta.dirname, '../../examples/northwind-cycles');
const ADMIN = 'user:admin@example.com';
/** Tuesday 1 December 2026. */
const START = new Date('2026-12-01T10:00:00Z');
let db: TestDb;
let app: App;
let agent: AgentConfig;
const clock = new ManualClock(START);

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock });
  agent = await agentCreator(app, ADMIN, { kind: 'support', name: 'weekly', confidenceThreshold: 0.5 });
  await kbImporter(app, ADMIN, agent.id, EXAMPLES);
  agent = await agentUpdater(app, ADMIN, agent.id, {
    escalationContacts: ['team@example.com'],
    spendCapCents: 0,
  });
  await evaluationRecorder(app, ADMIN, agent.id, { kind: 'support', passed: true, report: {} });
  await assessmentRecorder(app, ADMIN, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
});
afterAll(async () => {
  await db?.dispose();
});

async function say(text: string, conversation?: Conversation): Promise<Conversation> {
  clock.advance(60_000);
  const conv =
    conversation ?? (await conversationOpener(app, { agentId: agent.id, channel: 'webchat' })).conversation;
  await customerMessageHandler(app, { conversation: conv, text });
  return conv;
}

describe('weekly coverage and precision', () => {
  it('counts answers, misses and answers that held, per week', async () => {
    // Week of 30 November: one answer that held, a request to rephrase then a hand-off (two misses), small talk.
    await say('is delivery free?');
    const lost = await say('the quantum flux capacitor on my spaceship broke');
    await say('zorp blip fnord', lost);
    await say('hi');
    // Week of 7 December: an answer asked again in the same conversation (the first did not hold), and one more.
    clock.set('2026-12-08T10:00:00Z');
    const again = await say('what are your opening hours?');
    await say('what are your opening hours please', again);
    await say('do you sell gift cards?');
    const weeks = await weeklyAnswerFigures(db, agent.id, clock.now(), 3);
    expect(weeks.map((w) => w.week)).toEqual(['2026-11-23', '2026-11-30', '2026-12-07']);
    expect(weeks[0]).toEqual({
      week: '2026-11-23',
      answers: 0,
      held: 0,
      misses: 0,
      coverage: null,
      precision: null,
    });
    expect(weeks[1]).toMatchObject({ answers: 1, held: 1, misses: 2 });
    expect(weeks[1]!.coverage).toBeCloseTo(1 / 3);
    expect(weeks[1]!.precision).toBe(1);
    expect(weeks[2]).toMatchObject({ answers: 3, held: 2, misses: 0, coverage: 1 });
    expect(weeks[2]!.precision).toBeCloseTo(2 / 3);
  });

  it('is on the support agent card', async () => {
    const summary = (await supportOf(app).summary!(db, agent)) as { weekly: { week: string }[] };
    expect(summary.weekly).toHaveLength(12);
    expect(summary.weekly.at(-1)!.week).toBe('2026-12-07');
  });

  it('starts weeks on Monday', () => {
    expect(mondayOf(new Date('2026-12-06T23:00:00Z')).toISOString().slice(0, 10)).toBe('2026-11-30');
    expect(mondayOf(new Date('2026-12-07T00:00:00Z')).toISOString().slice(0, 10)).toBe('2026-12-07');
  });
});
