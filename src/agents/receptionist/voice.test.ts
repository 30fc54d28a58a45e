// The receptionist on the phone, through the fake Vapi against the real server: the caller books in spoken turns
// through the custom LLM endpoint (each turn through customerMessageHandler, the reply made speakable), and Vapi's own
// model books by a tool call (booking_create through Runtime.runRequestedTool and the runtime's policy).
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeVapi, startFakeVapi } from '../../../test/fakes/vapi.ts';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../business/profile.ts';
import { WEBHOOK_PATH } from '../../channels/voice/routes.ts';
import { ManualClock } from '../../clock.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { buildServer } from '../../server/server.ts';

const SECRET = 'receptionist-voice-secret';
const PHONE = 'pn-receptionist';
const ADMIN = 'user:admin@example.com';
// Monday 2 March 2026, 08:00 in London.
const clock = new ManualClock('2026-03-02T08:00:00Z');
let db: TestDb;
let app: App;
let server: FastifyInstance;
let vapi: FakeVapi;
let agent: AgentConfig;

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
    name: 'phone-desk',
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
});
afterAll(async () => {
  await server?.close();
  vi.unstubAllEnvs();
  await app?.runtime.settle();
  await db?.dispose();
});

const bookings = () =>
  db.query<{ code: string; starts_at: Date; channel: string | null; customer: { name: string } }>(
    'SELECT code, starts_at, channel, customer FROM bookings WHERE agent_id = $1 ORDER BY created_at',
    [agent.id],
  );

describe('receptionist on a phone call', () => {
  it('books in spoken turns through the custom LLM endpoint, times said as people say them (speakable: "2:30 pm")', async () => {
    const call = vapi.call({ phoneNumberId: PHONE, customer: '+447700900123' });
    expect((await call.assistantRequest()).status).toBe(200);
    const turn = async (text: string) => {
      clock.advance(30_000);
      const t = await call.say(text);
      expect(t.status).toBe(200);
      return t.text;
    };
    expect(await turn('Hi, can I get a haircut on Wednesday at half two?')).toBe(
      'Wednesday 4 March at 2:30 pm it is. Can I take your name?',
    );
    expect(await turn("It's Sam Jones")).toMatch(/^Thanks, Sam Jones\. And a phone number or email/);
    expect(await turn('07700 900123')).toBe(
      "That's a Haircut on Wednesday 4 March at 2:30 pm for Sam Jones. Shall I book it?",
    );
    const done = await turn('Yes please');
    expect(done).toMatch(
      /^You're booked: Haircut on Wednesday 4 March at 2:30 pm\. Your code is [A-Z0-9]{6}\.$/,
    );
    const [b] = await bookings();
    expect(b).toMatchObject({ channel: 'voice', customer: { name: 'Sam Jones' } });
    expect(new Date(b!.starts_at).toISOString()).toBe('2026-03-04T14:30:00.000Z');
    expect(done).toContain(b!.code);
  });

  it("books through Vapi's tool call (booking_create) once, even when the call is delivered twice", async () => {
    const call = vapi.call({ phoneNumberId: PHONE, customer: '+447700900999' });
    expect((await call.assistantRequest()).status).toBe(200);
    const names = (call.assistant as { model: { tools: { function?: { name: string } }[] } }).model.tools.map(
      (t) => t.function?.name,
    );
    expect(names).toEqual(expect.arrayContaining(['availability_search', 'booking_create']));
    const args = {
      service: 'Haircut',
      start: '2026-03-05T10:00:00Z',
      customer: { name: 'Ada Lovelace', phone: '+447700900999' },
    };
    const res = await call.toolCalls([{ name: 'booking_create', args, id: 'tc-book-1' }]);
    expect(res.status).toBe(200);
    const [r] = (res.body as { results: { result?: string }[] }).results;
    const booked = JSON.parse(r!.result!) as { code: string; status: string };
    expect(booked.status).toBe('confirmed');
    const again = await call.toolCalls([{ name: 'booking_create', args, id: 'tc-book-1' }]);
    expect(again.status).toBe(200);
    const mine = (await bookings()).filter((x) => x.customer.name === 'Ada Lovelace');
    expect(mine.map((x) => x.code)).toEqual([booked.code]);
  });

  it("waits for a person before Vapi's model cancels a booking, even in production [policy:destructive-needs-approval]", async () => {
    const call = vapi.call({ phoneNumberId: PHONE, customer: '+447700900111' });
    expect((await call.assistantRequest()).status).toBe(200);
    const [target] = await bookings();
    const res = await call.toolCalls([
      { name: 'booking_cancel', args: { code: target!.code }, id: 'tc-cancel-1' },
    ]);
    expect(res.status).toBe(200);
    const [r] = (res.body as { results: { result?: string }[] }).results;
    expect(r!.result).toMatch(/person will confirm/);
    const [row] = await db.query<{ status: string }>('SELECT status FROM bookings WHERE code = $1', [
      target!.code,
    ]);
    expect(row!.status).toBe('confirmed');
  });
});
