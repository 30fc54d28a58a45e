// The receptionist answers questions from its knowledge base (src/knowledge, the engine and threshold support uses):
// in chat, through customerMessageHandler (the path every channel takes), after what its business profile knows, the
// entry recorded as the reply's source (the inbox's "From …"); on the phone, by Vapi's model calling kb_question
// through the real server. What neither the profile nor the KB answers confidently goes to a person.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeVapi, startFakeVapi } from '../../../test/fakes/vapi.ts';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../business/profile.ts';
import { WEBHOOK_PATH } from '../../channels/voice/routes.ts';
import { SPOKEN } from '../../channels/voice/tools.ts';
import { ManualClock } from '../../clock.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
} from '../../conversations/conversations.ts';
import { type FaqEntry, faqCreator } from '../../knowledge/kb.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { buildServer } from '../../server/server.ts';
import { KB_NO_ANSWER } from './tools.ts';

const SECRET = 'receptionist-kb-secret';
const PHONE = 'pn-receptionist-kb';
const ADMIN = 'user:admin@example.com';
const clock = new ManualClock('2026-03-02T08:00:00Z');
let db: TestDb;
let app: App;
let server: FastifyInstance;
let vapi: FakeVapi;
let agent: AgentConfig;
let parking: FaqEntry;

const FAQ = [
  {
    title: 'Parking',
    answer: 'There is free parking behind the salon, and a pay car park on Mill Lane.',
    phrasings: ['is there parking', 'where can I park', 'can I park nearby', 'do you have a car park'],
  },
  {
    title: 'Payment methods',
    answer: 'We take cash, all major cards and Apple Pay or Google Pay.',
    phrasings: [
      'do you take cards',
      'can I pay by card',
      'what payment methods do you accept',
      'do you take cash',
    ],
  },
  {
    title: 'Gift vouchers',
    answer: 'Yes, we sell gift vouchers from £10, in the salon or by phone.',
    phrasings: ['do you sell gift vouchers', 'can I buy a gift card', 'gift voucher', 'do you do gift cards'],
  },
  {
    title: 'Children',
    answer: 'Children are very welcome; a child’s cut (under 12) is half price.',
    phrasings: ['do you cut children’s hair', 'are kids welcome', 'do you do kids haircuts', 'children'],
  },
];

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock, runtime: { modeFor: async () => 'production' } });
  vi.stubEnv('TWELVE_VAPI_SECRET', SECRET);
  vi.stubEnv('TWELVE_PUBLIC_URL', '');
  server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  vapi = startFakeVapi({
    serverUrl: url,
    auth: { type: 'secret', secret: SECRET },
    now: () => clock.now().getTime(),
  });
  agent = await agentCreator(app, ADMIN, {
    kind: 'receptionist',
    name: 'kb-desk',
    displayName: 'Willow Salon',
    confidenceThreshold: 0.5,
    config: { voice: { phoneNumberId: PHONE } },
  });
  await profileSaver(app, ADMIN, agent.id, {
    timezone: 'Europe/London',
    hours: { days: [1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
    rules: { minNoticeMin: 60, slotStepMin: 30 },
  });
  const maya = await resourceCreator(app, ADMIN, agent.id, { name: 'Maya' });
  await serviceCreator(app, ADMIN, agent.id, {
    name: 'Haircut',
    durationMin: 45,
    priceCents: 3800,
    resourceIds: [maya.id],
  });
  const created = [];
  for (const entry of FAQ) created.push(await faqCreator(app, ADMIN, agent.id, entry));
  parking = created[0]!;
});
afterAll(async () => {
  await server?.close();
  vi.unstubAllEnvs();
  await app?.runtime.settle();
  await db?.dispose();
});

async function chat() {
  const { conversation } = await conversationOpener(app, { agentId: agent.id, channel: 'webchat' });
  return async (text: string) => {
    clock.advance(60_000);
    const r = await customerMessageHandler(app, { conversation: conversation as Conversation, text });
    return {
      ...r,
      conversationId: conversation.id,
      out: (r.written ?? []).filter((m) => m.direction === 'out'),
    };
  };
}

describe('the receptionist answers from its knowledge base', () => {
  it('in chat: a KB question gets the entry, recorded as its source; the profile still answers what it knows', async () => {
    const say = await chat();
    const parked = await say('Is there parking near you?');
    expect(parked.handledBy).toBe('agent');
    expect(parked.out.map((m) => m.body)).toEqual([FAQ[0]!.answer]);
    const [row] = await db.query<{ sources: string[]; confidence: number }>(
      `SELECT sources, confidence FROM messages WHERE conversation_id = $1 AND direction = 'out'
       ORDER BY created_at DESC LIMIT 1`,
      [parked.conversationId],
    );
    expect(row!.sources).toEqual([`faq:${parking.id}`]);
    expect(Number(row!.confidence)).toBeGreaterThanOrEqual(agent.confidenceThreshold);
    // The inbox names the source as the kind names it: the entry's title.
    const titles = await app.kinds.get('receptionist')!.sources!.titles(db, agent.id, row!.sources);
    expect([...titles.values()]).toEqual(['Parking']);

    // Other entries, asked another way; the profile's own answers come first, as before.
    expect((await say('Do you take cards?')).out.map((m) => m.body)).toEqual([FAQ[1]!.answer]);
    expect((await say('How much is a haircut?')).out[0]!.body).toMatch(/Haircut is 38/);
    expect((await say('Do you sell gift vouchers?')).out.map((m) => m.body)).toEqual([FAQ[2]!.answer]);
  });

  it('in chat: a message the dialogue does not read as a booking or a question still gets a confident KB answer', async () => {
    const say = await chat();
    // "Is the salon…" / "Are children…" are neither a booking nor one of the dialogue's question forms ('other').
    expect((await say('Are children welcome at the salon?')).out.map((m) => m.body)).toEqual([
      FAQ[3]!.answer,
    ]);
    // Nothing the KB knows: the greeting, as before.
    expect((await say('hmm, let me think')).out[0]!.body).toMatch(/^Hello! I can book, move or cancel/);
    // A thank-you ends the conversation politely.
    expect((await say('thanks!')).out[0]!.body).toBe("You're welcome. Goodbye!");
  });

  it('in chat: a question neither the profile nor the KB answers confidently goes to a person', async () => {
    const say = await chat();
    const r = await say('Do you offer a discount for nurses?');
    expect(r.handledBy).not.toBe('agent');
    const [esc] = await db.query<{ reason: string; summary: string }>(
      'SELECT reason, summary FROM escalations WHERE agent_id = $1 ORDER BY created_at DESC LIMIT 1',
      [agent.id],
    );
    expect(esc!.reason).toMatch(/knowledge base cannot answer/);
    expect(esc!.summary).toContain('discount for nurses');
  });

  it('in chat: a question the KB knows, mid-booking, is answered and the booking picks up where it was', async () => {
    const say = await chat();
    expect((await say('I would like a haircut')).out[0]!.body).toMatch(
      /What day would you like your Haircut/,
    );
    expect((await say('Where can I park?')).out.map((m) => m.body)).toEqual([FAQ[0]!.answer]);
    expect((await say('Wednesday please')).out[0]!.body).toMatch(/Wednesday 4 March/);
  });

  it("on the phone: Vapi's model asks kb_question and gets the entry to say, or a hand-off line", async () => {
    const call = vapi.call({ phoneNumberId: PHONE, customer: '+447700900555' });
    expect((await call.assistantRequest()).status).toBe(200);
    const names = (call.assistant as { model: { tools: { function?: { name: string } }[] } }).model.tools.map(
      (t) => t.function?.name,
    );
    expect(names).toContain('kb_question');
    const res = await call.toolCalls([
      { name: 'kb_question', args: { question: 'are kids welcome?' }, id: 'tc-kb-1' },
      { name: 'kb_question', args: { question: 'do you have a discount for nurses?' }, id: 'tc-kb-2' },
    ]);
    expect(res.status).toBe(200);
    const results = (res.body as { results: { toolCallId: string; result?: string; error?: string }[] })
      .results;
    expect(results).toEqual([
      { toolCallId: 'tc-kb-1', name: 'kb_question', result: FAQ[3]!.answer },
      { toolCallId: 'tc-kb-2', name: 'kb_question', result: KB_NO_ANSWER },
    ]);
    // Each call is a run of the agent through the runtime's policy, the tool's result kept with it.
    const calls = await db.query<{
      question: string;
      status: string;
      result: { answered: boolean; sources?: string[] };
    }>(
      `SELECT t.args->>'question' AS question, t.status, t.result FROM tool_calls t JOIN runs r ON r.id = t.run_id
       WHERE r.agent_id = $1 AND t.tool = 'kb.question' ORDER BY t.args->>'question'`,
      [agent.id],
    );
    expect(calls).toEqual([
      {
        question: 'are kids welcome?',
        status: 'succeeded',
        result: expect.objectContaining({ answered: true, sources: [expect.stringMatching(/^faq:/)] }),
      },
      {
        question: 'do you have a discount for nurses?',
        status: 'succeeded',
        result: expect.objectContaining({ answered: false }),
      },
    ]);
  });

  it('the tool refuses what is not a question', async () => {
    const call = vapi.call({ phoneNumberId: PHONE, customer: '+447700900556' });
    expect((await call.assistantRequest()).status).toBe(200);
    const res = await call.toolCalls([{ name: 'kb_question', args: { question: '' }, id: 'tc-kb-bad' }]);
    expect(res.status).toBe(200);
    expect((res.body as { results: unknown[] }).results).toEqual([
      { toolCallId: 'tc-kb-bad', name: 'kb_question', error: SPOKEN.badArguments },
    ]);
  });
});
