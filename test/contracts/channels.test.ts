// The channels' promises, held against every channel (webchat, email, WhatsApp) through a small driver each
// (drivers/*.ts) that plays the customer on the channel's real wire: a WebSocket, SMTP to the listener, a signed
// webhook from the fake Graph API. One database, one app and one server for the file; the agent of each channel is
// of the first registered kind serving it (a channel no kind serves is skipped), answering with a scripted reply in
// production. The outbox is run by hand on the app's manual clock, so backoff is seen without waiting.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kindsServing } from '../../src/agents/registry.ts';
import { type App, createApp } from '../../src/app.ts';
import { handoffText } from '../../src/business/hours.schema.ts';
import type { ChannelName, ChannelSender } from '../../src/channels/channel.ts';
import { outboxDeliverer } from '../../src/channels/outbox.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import { buildServer } from '../../src/server/server.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { TickingClock } from '../support/email.ts';
import { ANSWER, type ChannelDriver, type ChannelFixture, type World } from './drivers/driver.ts';
import { CHANNEL_DRIVERS } from './drivers/index.ts';

const CHANNELS = Object.values(CHANNEL_DRIVERS);
const clock = new TickingClock(new Date());
let db: TestDb;
let app: App;
let server: FastifyInstance;
const fixtures = new Map<ChannelName, ChannelFixture>();
const drivers = new Map<ChannelName, ChannelDriver>();
const senders = new Map<ChannelName, ChannelSender>();

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock, runtime: { modeFor: async () => 'production' } });
  for (const d of CHANNELS) {
    if (!kindsServing(d.channel).length) continue;
    const fixture = await d.open(clock);
    fixtures.set(d.channel, fixture);
    for (const [name, value] of Object.entries(fixture.env)) vi.stubEnv(name, value);
  }
  server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const world: World = {
    app,
    db,
    clock,
    server,
    httpBase: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    async agent(channel, config = {}) {
      const kind = app.kindsServing(channel)[0]!;
      return agentCreator(app, 'user:owner@example.com', {
        kind,
        name: `${channel}-${randomUUID().slice(0, 8)}`,
        brain: 'scripted',
        confidenceThreshold: 0.5,
        config: { ...config, script: [{ type: 'reply', text: ANSWER, confidence: 0.95, final: true }] },
      });
    },
  };
  for (const [channel, fixture] of fixtures) {
    const driver = await fixture.attach(world);
    drivers.set(channel, driver);
    if (driver.sender) senders.set(channel, driver.sender);
  }
});
afterAll(async () => {
  for (const d of drivers.values()) await d.close();
  await server?.close();
  for (const f of fixtures.values()) await f.close();
  vi.unstubAllEnvs();
  await app?.runtime.settle();
  await db?.dispose();
});

/** Runs the outbox once (every channel's sender), as a node's pump would. */
const deliver = () => outboxDeliverer(app, senders);
const providerId = () => `contract-${randomUUID()}`;

async function stored(conversationId: string) {
  const rows = await db.query<{ direction: string; body: string; meta: Record<string, unknown> | null }>(
    'SELECT direction, body, meta FROM messages WHERE conversation_id = $1 ORDER BY created_at, id',
    [conversationId],
  );
  return {
    in: rows.filter((r) => r.direction === 'in'),
    out: rows.filter((r) => r.direction === 'out'),
  };
}

describe.each(CHANNELS.map((d) => [d.channel, d] as const))('channel %s', (channel, factory) => {
  const servedBy = kindsServing(channel);
  const served = servedBy.length > 0;
  const driver = () => drivers.get(channel)!;
  const test = served ? it : it.skip;
  const unserved = served ? '' : ': skipped, no registered kind serves this channel';

  test(`stores and answers a redelivered message once [channel:webhook-idempotent]${unserved}`, async () => {
    const d = driver();
    const customer = await d.customer();
    const id = providerId();
    await d.send(customer, 'When are you open?', id);
    await d.send(customer, 'When are you open?', id);
    await deliver();
    // The provider tries once more after the answer went out.
    await d.send(customer, 'When are you open?', id);
    await deliver();
    const conversation = await stored(await d.conversationId(customer));
    expect(conversation.in.map((m) => m.body)).toEqual(['When are you open?']);
    expect(conversation.out.map((m) => m.body)).toEqual([ANSWER]);
    expect(await d.received(customer)).toEqual([{ text: ANSWER, inThread: true }]);
  });

  test(`tells a customer who asks for a person exactly once, in their thread [runtime:escalate-on-person-request]${unserved}`, async () => {
    const d = driver();
    const customer = await d.customer();
    await d.send(customer, 'Can I talk to a person please?', providerId());
    await deliver();
    const notice = { text: d.handoffNotice ?? handoffText(d.agent.config, clock.now()), inThread: true };
    expect(await d.received(customer)).toEqual([notice]);
    // The person has the conversation: the customer's next message is neither answered nor announced again.
    await d.send(customer, 'Hello? Is anyone there?', providerId());
    await deliver();
    expect(await d.received(customer)).toEqual(d.repeatsHandoff ? [notice, notice] : [notice]);
    const conversationId = await d.conversationId(customer);
    expect((await stored(conversationId)).in).toHaveLength(2);
    const escalations = await db.query('SELECT id FROM escalations WHERE conversation_id = $1', [
      conversationId,
    ]);
    expect(escalations).toHaveLength(1);
  });

  const outboxTest = served && factory.noOutbox === null ? it : it.skip;
  outboxTest(
    factory.noOutbox === null
      ? `retries a failed send with backoff and delivers it once${unserved}`
      : `outbound retry: skipped, ${factory.noOutbox}`,
    async () => {
      const d = driver();
      const customer = await d.customer();
      await d.send(customer, 'Do you ship abroad?', providerId());
      const conversationId = await d.conversationId(customer);
      const answer = async () => {
        const [row] = await db.query<{ delivery: string; delivery_attempts: number; next_attempt_at: Date }>(
          `SELECT delivery, delivery_attempts, next_attempt_at FROM messages WHERE conversation_id = $1 AND direction = 'out'`,
          [conversationId],
        );
        return row!;
      };
      expect(await answer()).toMatchObject({ delivery: 'queued' });

      d.failNextSend!();
      await deliver();
      const failed = await answer();
      expect(failed).toMatchObject({ delivery: 'queued', delivery_attempts: 1 });
      expect(await d.received(customer)).toEqual([]);
      // Backoff: not tried again before its time.
      expect(new Date(failed.next_attempt_at).getTime()).toBeGreaterThan(clock.now().getTime());
      await deliver();
      expect(await answer()).toMatchObject({ delivery_attempts: 1 });
      expect(await d.received(customer)).toEqual([]);

      clock.advance(new Date(failed.next_attempt_at).getTime() - clock.now().getTime() + 1);
      await deliver();
      expect(await answer()).toMatchObject({ delivery: 'sent', delivery_attempts: 2 });
      await deliver();
      expect(await d.received(customer)).toEqual([{ text: ANSWER, inThread: true }]);
    },
  );
});
