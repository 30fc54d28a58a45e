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
let pilot: AgentConfig;
const PILOT_PHONE = 'pn-receptionist-pilot';

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, {
    clock,
    runtime: { modeFor: async (_q, a) => (a.name === 'phone-pilot' ? 'pilot' : 'production') },
  });
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
  pilot = await agentCreator(app, ADMIN, {
    kind: 'receptionist',
    name: 'phone-pilot',
    displayName: 'Willow Salon (pilot)',
    confidenceThreshold: 0.5,
    pilotPercent: 100,
    config: { voice: { phoneNumberId: PILOT_PHONE } },
  });
  await profileSaver(app, ADMIN, pilot.id, {
    timezone: 'Europe/London',
    hours: { days: [1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
    rules: { minNoticeMin: 60, slotStepMin: 30 },
  });
  const ines = await resourceCreator(app, ADMIN, pilot.id, { name: 'Ines' });
  await serviceCreator(app, ADMIN, pilot.id, {
    name: 'Haircut',
    durationMin: 45,
    priceCents: 3800,
    resourceIds: [ines.id],
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

  it('streams each turn as it is produced, sentence by sentence: a pilot hold is announced while it is being written [policy:pilot-write-needs-approval]', async () => {
    const call = vapi.call({ phoneNumberId: PILOT_PHONE, customer: '+447700900222' });
    expect((await call.assistantRequest()).status).toBe(200);
    const turn = async (text: string, onChunk?: (c: Record<string, unknown>) => void) => {
      clock.advance(30_000);
      const t = await call.say(text, onChunk ? { onChunk } : {});
      expect(t.status).toBe(200);
      return t;
    };
    const content = (t: { chunks: Record<string, unknown>[] }) =>
      t.chunks
        .map((c) => (c.choices as { delta: { content?: string } }[])[0]!.delta.content)
        .filter((x): x is string => !!x);
    const first = await turn('Can I get a haircut on Thursday at 11?');
    // One chunk per sentence, not the whole reply in one.
    expect(content(first)).toEqual(['Thursday 5 March at 11 am it is. ', 'Can I take your name?']);
    await turn('Grace Hopper');
    await turn('07700 900222');
    // The hold (booking.create's tentative booking) waits at its resource lock until the caller has heard the notice:
    // had the turn been sent only when finished, the notice would never come and the gate would open by timeout.
    let open!: (by: string) => void;
    const opened = new Promise<string>((resolve) => {
      open = resolve;
    });
    const timer = setTimeout(() => open('timeout'), 5_000);
    let gated = false;
    const original = db.transaction;
    db.transaction = (fn) =>
      original.call(db, (tx) =>
        fn({
          ...tx,
          query: async (sql: string, params?: unknown[]) => {
            if (sql.includes('hashtextextended($1, 21)')) {
              gated = true;
              await opened;
            }
            return tx.query(sql, params);
          },
        } as typeof tx),
      ) as never;
    let held: Awaited<ReturnType<typeof turn>>;
    try {
      held = await turn('Yes please', (c) => {
        const text = (c.choices as { delta: { content?: string } }[])[0]!.delta.content ?? '';
        if (text.includes('pending confirmation')) open('chunk');
      });
    } finally {
      db.transaction = original;
      clearTimeout(timer);
    }
    expect(gated).toBe(true);
    expect(await opened).toBe('chunk');
    expect(held.text).toBe(
      "Thanks. I'm holding Thursday 5 March at 11 am for you: it is pending confirmation by the business, and we'll let you know as soon as it's confirmed.",
    );
    expect(content(held).length).toBe(2);
    expect(held.finishReason).toBe('stop');
    expect(held.done).toBe(true);
    const [row] = await db.query<{ status: string; channel: string }>(
      'SELECT status, channel FROM bookings WHERE agent_id = $1',
      [pilot.id],
    );
    expect(row).toEqual({ status: 'tentative', channel: 'voice' });
  });
});
