// The conversations people actually have (issue 23, part 3), each as a test on the example shop, with both brains
// where it applies (the LLM brain over the Anthropic fake: none of these may cost a model call), and the rules
// under them: small talk, upset customers, other languages, follow-ups, opening times from the business hours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fakes/anthropic.ts';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import type { BusinessHours } from '../../business/hours.ts';
import { ManualClock } from '../../clock.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
  transcript,
} from '../../conversations/conversations.ts';
import { kbImporter } from '../../knowledge/import.ts';
import { conversationOutcomeList } from '../../metrics/outcomes.ts';
import { assessmentRecorder, evaluationRecorder } from '../../readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { CLARIFY_TEXT } from './brain.ts';
import {
  CALM_REPLY,
  hoursAnswer,
  isFollowUp,
  isUpset,
  otherLanguageOf,
  otherLanguageReply,
  SMALL_TALK_REPLIES,
  smallTalkOf,
  weekText,
} from './talk.ts';

const EXAMPLES = join(import.meta.dirname, '../../../examples/northwind-cycles');
const ADMIN = 'user:admin@example.com';
const HOURS = (
  JSON.parse(readFileSync(join(EXAMPLES, 'agent-config.json'), 'utf8')) as { businessHours: BusinessHours }
).businessHours;
/** Monday 7 December 2026, 10:00 in London: the shop is open. */
const MONDAY = new Date('2026-12-07T10:00:00Z');

describe('small talk', () => {
  it('knows greetings, thanks, goodbyes and "are you a bot?", alone or together', () => {
    for (const [text, kind] of [
      ['hi', 'greeting'],
      ['Hello there!', 'greeting'],
      ['good morning', 'greeting'],
      ['thanks!', 'thanks'],
      ['Thank you so much 🙂', 'thanks'],
      ['ok great, thanks', 'thanks'],
      ['cheers, bye!', 'goodbye'],
      ['have a nice day', 'goodbye'],
      ['are you a bot?', 'bot'],
      ['Am I talking to a robot', 'bot'],
    ] as const)
      expect(smallTalkOf(text), text).toBe(kind);
  });

  it('is not small talk when a question comes with it', () => {
    for (const text of ['hi, where is my order?', 'thanks, and how much is a service?', 'hire', 'bike', ''])
      expect(smallTalkOf(text), text).toBeNull();
  });

  it('tells upset customers from questions', () => {
    expect(isUpset('This is useless, you stupid bot')).toBe(true);
    expect(isUpset('I want to make a complaint about my repair')).toBe(true);
    expect(isUpset('how much is a full service?')).toBe(false);
    expect(isUpset('my gears are slipping')).toBe(false);
  });

  it('detects another language only when it is clear', () => {
    expect(otherLanguageOf('Wann habt ihr geöffnet?')).toBe('de');
    expect(otherLanguageOf('¿Cuándo abren la tienda?')).toBe('es');
    expect(otherLanguageOf('Is the shop open on Christmas Day?')).toBeNull();
    expect(otherLanguageOf('do you repair cars')).toBeNull();
    expect(otherLanguageOf('ok')).toBeNull();
    expect(otherLanguageReply('de')).toMatch(/Mitarbeiter/);
    expect(otherLanguageReply('xx')).toMatch(/a person on the team will reply/);
  });

  it('knows a follow-up', () => {
    expect(isFollowUp('and on bank holidays?')).toBe(true);
    expect(isFollowUp('What about Sundays?')).toBe(true);
    expect(isFollowUp('and how do I book a service for my e-bike with the broken motor today')).toBe(false);
    expect(isFollowUp('when are you open?')).toBe(false);
  });
});

describe('opening times from the business hours', () => {
  it('answers a named day, a date, a weekday, today and holidays', () => {
    expect(hoursAnswer('Is the shop open on Christmas Day?', HOURS, MONDAY)).toBe(
      "We're closed on Christmas Day, Friday 25 December. We're open again on Saturday 26 December, 10:00–16:00.",
    );
    expect(hoursAnswer('are you open on boxing day', HOURS, MONDAY)).toBe(
      "On Boxing Day, Saturday 26 December we're open 10:00–16:00.",
    );
    expect(hoursAnswer('open on 28 December?', HOURS, MONDAY)).toMatch(
      /^We're closed on Monday 28 December\./,
    );
    expect(hoursAnswer('what time do you close on sunday', HOURS, MONDAY)).toMatch(
      /^We're closed on Sunday 13 December: we don't open on Sundays\./,
    );
    expect(hoursAnswer('are you open today?', HOURS, MONDAY)).toBe(
      "Today (Monday 7 December) we're open 9:00–18:00.",
    );
    expect(hoursAnswer('are you open on bank holidays?', HOURS, MONDAY)).toBe(
      "We're closed on bank holidays. The next closed dates are Friday 25 December, Monday 28 December, Friday 1 January and Friday 26 March. Otherwise our hours are Monday to Friday 9:00–18:00, Saturday 10:00–16:00.",
    );
    // Easter 2027 is 28 March: Good Friday is in the closed list.
    expect(hoursAnswer('open on good friday?', HOURS, MONDAY)).toMatch(
      /^We're closed on Good Friday, Friday 26 March\./,
    );
  });

  it('leaves other questions alone', () => {
    expect(hoursAnswer('when are you open?', HOURS, MONDAY)).toBeNull();
    expect(hoursAnswer('how much is a service on monday', HOURS, MONDAY)).toBeNull();
    expect(hoursAnswer('Is the shop open on Christmas Day?', null, MONDAY)).toBeNull();
    expect(weekText({ mon: '09:00-18:00', sat: '10:00-16:00' })).toBe(
      'Monday 9:00–18:00, Saturday 10:00–16:00',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The example shop, as a new user tried it.

let db: TestDb;
let fake: FakeAnthropic;
const clock = new ManualClock(MONDAY);
const shops: Record<'local' | 'llm', { app: App; agent: AgentConfig }> = {} as never;

async function shop(name: string, app: App, brain: 'local' | 'llm') {
  let agent = await agentCreator(app, ADMIN, {
    kind: 'support',
    name,
    brain,
    confidenceThreshold: 0.5,
    config: { businessHours: HOURS },
  });
  await kbImporter(app, ADMIN, agent.id, EXAMPLES);
  agent = await agentUpdater(app, ADMIN, agent.id, {
    escalationContacts: ['team@example.com'],
    spendCapCents: 10_000,
  });
  await evaluationRecorder(app, ADMIN, agent.id, { kind: 'support', passed: true, report: {} });
  await assessmentRecorder(app, ADMIN, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
  return { app, agent };
}

beforeAll(async () => {
  db = await openTestDb();
  fake = await startFakeAnthropic();
  shops.local = await shop('northwind-talk', createApp(db, { clock }), 'local');
  shops.llm = await shop(
    'northwind-talk-llm',
    createApp(db, {
      clock,
      llm: {
        provider: 'anthropic',
        model: 'fake-model-1',
        apiKey: fake.apiKey,
        baseURL: fake.baseURL,
        timeoutMs: 10_000,
        maxRetries: 0,
        prices: { 'fake-model-1': { input: 300, output: 1500 } },
      },
    }),
    'llm',
  );
});

afterAll(async () => {
  await fake?.close();
  await db?.dispose();
});

async function say(brain: 'local' | 'llm', text: string, conversation?: Conversation) {
  const { app, agent } = shops[brain];
  // Each message a few seconds after the last, so the transcript and "the last reply" have an order.
  clock.advance(5_000);
  const conv =
    conversation ?? (await conversationOpener(app, { agentId: agent.id, channel: 'webchat' })).conversation;
  const result = await customerMessageHandler(app, { conversation: conv, text });
  const messages = await transcript(db, conv.id);
  const agentSaid = messages.filter((m) => m.author === 'agent');
  // A reply stored at the same instant as the message it answers may list before it: the agent's last word.
  return { conv, result, messages, last: agentSaid.at(-1)!, agentSaid };
}

async function escalationOf(conv: Conversation) {
  const [row] = await db.query<{ reason: string; summary: string }>(
    'SELECT reason, summary FROM escalations WHERE conversation_id = $1',
    [conv.id],
  );
  return row ?? null;
}

describe.each(['local', 'llm'] as const)('the example shop (%s brain)', (brain) => {
  it('"hi" and "thanks!" get short replies, never a request to rephrase, and are not misses', async () => {
    const hi = await say(brain, 'hi');
    expect(hi.result.handledBy).toBe('agent');
    expect(hi.last).toMatchObject({ author: 'agent', body: SMALL_TALK_REPLIES.greeting });
    expect(hi.last.meta.intent).toBe('talk');
    // "thanks!" after a request to rephrase is thanks, not a second misunderstanding.
    const first = await say(brain, 'the quantum flux capacitor on my spaceship broke', hi.conv);
    expect(first.last.body).toBe(CLARIFY_TEXT);
    const thanks = await say(brain, 'thanks!', hi.conv);
    expect(thanks.result.handledBy).toBe('agent');
    expect(thanks.last.body).toBe(SMALL_TALK_REPLIES.thanks);
    expect(await escalationOf(hi.conv)).toBeNull();
    const bot = await say(brain, 'are you a bot?');
    expect(bot.last.body).toMatch(/automated assistant/);
    const bye = await say(brain, 'ok thanks, bye!', bot.conv);
    expect(bye.last.body).toBe(SMALL_TALK_REPLIES.goodbye);
    expect(fake.requests).toHaveLength(0);
  });

  it('"This is useless, you stupid bot" gets a calm reply and goes to a person', async () => {
    const { result, agentSaid, conv } = await say(brain, 'This is useless, you stupid bot');
    expect(result.handledBy).toBe('human');
    expect(agentSaid.map((m) => m.body)).toContain(CALM_REPLY);
    expect(await escalationOf(conv)).toMatchObject({ reason: 'the customer is upset or complaining' });
    expect(fake.requests).toHaveLength(0);
  });

  it('"Is the shop open on Christmas Day?" is answered from the business hours', async () => {
    const { last, result } = await say(brain, 'Is the shop open on Christmas Day?');
    expect(result.handledBy).toBe('agent');
    expect(last.body).toMatch(/^We're closed on Christmas Day, Friday 25 December\./);
    expect(fake.requests).toHaveLength(0);
  });

  it('"Wann habt ihr geöffnet?" gets a German reply saying a person will answer', async () => {
    const { result, agentSaid, conv } = await say(brain, 'Wann habt ihr geöffnet?');
    expect(result.handledBy).toBe('human');
    expect(agentSaid.map((m) => m.body)).toContain(otherLanguageReply('de'));
    expect((await escalationOf(conv))?.reason).toBe('a message in another language (de)');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('the example shop: follow-ups and measurement (local brain)', () => {
  it('"and on bank holidays?" after an opening-hours answer is answered from the business hours', async () => {
    const open = await say('local', 'when are you open?');
    expect(open.last.body).toMatch(/Monday to Friday 9:00–18:00/);
    const holidays = await say('local', 'and on bank holidays?', open.conv);
    expect(holidays.result.handledBy).toBe('agent');
    expect(holidays.last.body).toMatch(
      /^We're closed on bank holidays\. The next closed dates are Friday 25 December/,
    );
    // Alone, with no answer before it, a follow-up has nothing to lean on: a request to rephrase, as before.
    const alone = await say('local', 'what about Sundays?');
    expect(alone.last.body).toBe(CLARIFY_TEXT);
  });

  it('a follow-up leans on the question before it for knowledge-base answers too', async () => {
    const service = await say('local', 'how much is a bike service?');
    expect(service.last.body).toMatch(/£65/);
    const followUp = await say('local', 'and how do I book it?', service.conv);
    expect(followUp.last.body).toMatch(/northwind\.example\/service/);
  });

  it('an answer followed by "thanks!" stays resolved by AI; small talk alone is not a miss', async () => {
    const q = await say('local', 'is delivery free?');
    await say('local', 'thanks!', q.conv);
    const hello = await say('local', 'hello');
    clock.advance(25 * 3_600_000);
    const outcomes = await conversationOutcomeList(
      db,
      shops.local.agent.id,
      { from: new Date(MONDAY.getTime() - 3_600_000), to: new Date(MONDAY.getTime() + 3_600_000) },
      clock.now(),
    );
    const of = (c: Conversation) => outcomes.find((o) => o.id === c.id)?.outcome;
    expect(of(q.conv)).toBe('resolvedByAi');
    expect(of(hello.conv)).not.toBe('escalated');
  });
});
