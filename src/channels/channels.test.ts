// The shared channel machinery: inbound deduplication and processing, conversation threading, the outbox with
// retries and backoff, and delivery states that only move forward.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kbImporter, SUPPORT_KIND } from '../../test/support/agents.ts';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { ManualClock } from '../clock.ts';
import { assessmentRecorder, evaluationRecorder } from '../readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../runtime/agents.ts';
import type { AgentConfig } from '../runtime/types.ts';
import {
  type ChannelSender,
  type InboundMessage,
  type OutboundDelivery,
  PermanentDeliveryError,
} from './channel.ts';
import { inboundProcessor, inboundRecorder, inboundSweeper } from './inbound.ts';
import { deliveryStatusRecorder, outboxDeliverer } from './outbox.ts';

let db: TestDb;
let app: App;
let agent: AgentConfig;
const clock = new ManualClock(new Date());
const sent: OutboundDelivery[] = [];
let failNext = 0;
let permanent = false;
const sender: ChannelSender = {
  channel: 'whatsapp',
  async send(d) {
    if (permanent) throw new PermanentDeliveryError('invalid recipient');
    if (failNext > 0) {
      failNext--;
      throw new Error('503 from provider');
    }
    sent.push(d);
    return { externalId: `wamid.out.${sent.length}.${d.messageId.slice(0, 8)}` };
  },
};
const senders = new Map([['whatsapp' as const, sender]]);

function inbound(over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: 'whatsapp',
    agentId: agent.id,
    externalId: `wamid.${Math.random().toString(36).slice(2)}`,
    from: '+447700900123',
    text: 'When are you open?',
    receivedAt: clock.now().toISOString(),
    ...over,
  };
}

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock });
  agent = await agentCreator(app, 'user:a@example.com', {
    kind: SUPPORT_KIND,
    name: 'wa-support',
    confidenceThreshold: 0.5,
  });
  await kbImporter(
    app,
    'user:a@example.com',
    agent.id,
    join(import.meta.dirname, '../../examples/northwind-cycles/faq.json'),
  );
  agent = await agentUpdater(app, 'user:a@example.com', agent.id, {
    escalationContacts: ['t@example.com'],
    spendCapCents: 0,
  });
  await evaluationRecorder(app, 'user:a@example.com', agent.id, {
    kind: SUPPORT_KIND,
    passed: true,
    report: {},
  });
  await assessmentRecorder(app, 'user:a@example.com', agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
});
afterAll(async () => {
  await db.dispose();
});

describe('channels', () => {
  it('records a redelivered message once and answers it once', async () => {
    const msg = inbound();
    const results = await Promise.all(Array.from({ length: 5 }, () => inboundRecorder(app, msg)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => inboundProcessor(app, 'whatsapp', msg.externalId)),
    );
    expect(outcomes.filter((o) => o === 'processed')).toHaveLength(1);
    const [conv] = await db.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM channel_inbound WHERE external_id = $1',
      [msg.externalId],
    );
    const out = await db.query<{ body: string; delivery: string }>(
      `SELECT body, delivery FROM messages WHERE conversation_id = $1 AND direction = 'out'`,
      [conv!.conversation_id],
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ delivery: 'queued' });
    expect(out[0]?.body).toMatch(/Monday to Friday/);
  });

  it('keeps one WhatsApp conversation per sender and delivers through the outbox with retries', async () => {
    const first = inbound({ from: '+447700900999', text: 'How much is delivery?' });
    await inboundRecorder(app, first);
    await inboundProcessor(app, 'whatsapp', first.externalId);
    const second = inbound({ from: '+447700900999', text: 'Do you sell gift cards?' });
    await inboundRecorder(app, second);
    await inboundProcessor(app, 'whatsapp', second.externalId);
    const convs = await db.query(
      `SELECT DISTINCT conversation_id FROM channel_inbound WHERE external_id IN ($1, $2)`,
      [first.externalId, second.externalId],
    );
    expect(convs).toHaveLength(1);

    failNext = 1;
    const r1 = await outboxDeliverer(app, senders);
    expect(r1.retried).toBeGreaterThanOrEqual(1);
    const before = sent.length;
    expect((await outboxDeliverer(app, senders)).sent).toBe(0); // backoff: not due yet
    clock.advance(6_000);
    const r2 = await outboxDeliverer(app, senders);
    expect(r2.sent).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeGreaterThan(before);
    expect(sent.filter((d) => d.to === '+447700900999')).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'whatsapp', author: 'agent' })]),
    );
  });

  it('fails a message at once on a permanent error, and moves delivery states only forward', async () => {
    const msg = inbound({ from: '+447700900555', text: 'Do you hire e-bikes?' });
    await inboundRecorder(app, msg);
    await inboundProcessor(app, 'whatsapp', msg.externalId);
    permanent = true;
    expect((await outboxDeliverer(app, senders)).failed).toBe(1);
    permanent = false;
    const [row] = await db.query<{ delivery: string; delivery_error: string }>(
      `SELECT m.delivery, m.delivery_error FROM messages m JOIN channel_inbound c ON c.conversation_id = m.conversation_id
       WHERE c.external_id = $1 AND m.direction = 'out'`,
      [msg.externalId],
    );
    expect(row).toMatchObject({ delivery: 'failed', delivery_error: 'invalid recipient' });

    const [ok] = await db.query<{ external_id: string }>(
      `SELECT external_id FROM messages WHERE delivery = 'sent' LIMIT 1`,
    );
    expect(await deliveryStatusRecorder(app, 'whatsapp', ok!.external_id, 'read')).toBe(true);
    expect(await deliveryStatusRecorder(app, 'whatsapp', ok!.external_id, 'delivered')).toBe(false);
    const [after] = await db.query<{ delivery: string }>(
      'SELECT delivery FROM messages WHERE external_id = $1',
      [ok!.external_id],
    );
    expect(after?.delivery).toBe('read');
  });

  it('hands unreadable messages to a person with a polite text reply', async () => {
    const msg = inbound({
      text: '[image]',
      needsHuman: {
        reason: 'the customer sent an image',
        autoReply: 'Thanks! I can only read text; a person will look at this.',
      },
    });
    await inboundRecorder(app, msg);
    expect(await inboundProcessor(app, 'whatsapp', msg.externalId)).toBe('processed');
    const [conv] = await db.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM channel_inbound WHERE external_id = $1',
      [msg.externalId],
    );
    const [esc] = await db.query<{ reason: string }>(
      `SELECT reason FROM escalations WHERE conversation_id = $1`,
      [conv!.conversation_id],
    );
    expect(esc?.reason).toBe('the customer sent an image');
  });

  it('tells the customer once when the agent hands over, and stays silent for a shadow draft', async () => {
    const outOf = async (externalId: string) => {
      const [row] = await db.query<{ conversation_id: string }>(
        'SELECT conversation_id FROM channel_inbound WHERE external_id = $1',
        [externalId],
      );
      return db.query<{ body: string; meta: Record<string, unknown> }>(
        `SELECT body, meta FROM messages WHERE conversation_id = $1 AND direction = 'out'`,
        [row!.conversation_id],
      );
    };
    const ask = inbound({ from: '+447700900565', text: 'Can I talk to a person please?' });
    await inboundRecorder(app, ask);
    expect(await inboundProcessor(app, 'whatsapp', ask.externalId)).toBe('processed');
    expect(await outOf(ask.externalId)).toEqual([
      {
        body: 'Connecting you to a person. They will reply here as soon as they can.',
        meta: expect.objectContaining({ intent: 'notice', handoff: expect.any(String) }),
      },
    ]);

    // Not assessed: shadow mode. Its draft waits for a person (a review), and the customer is told nothing.
    const shadow = await agentCreator(app, 'user:a@example.com', {
      kind: SUPPORT_KIND,
      name: 'wa-shadow',
      confidenceThreshold: 0.5,
    });
    await kbImporter(
      app,
      'user:a@example.com',
      shadow.id,
      join(import.meta.dirname, '../../examples/northwind-cycles/faq.json'),
    );
    const drafted = inbound({ agentId: shadow.id, from: '+447700900566', text: 'When are you open?' });
    await inboundRecorder(app, drafted);
    expect(await inboundProcessor(app, 'whatsapp', drafted.externalId)).toBe('processed');
    const [review] = await db.query<{ kind: string }>(
      `SELECT e.kind FROM escalations e JOIN channel_inbound i ON i.conversation_id = e.conversation_id WHERE i.external_id = $1`,
      [drafted.externalId],
    );
    expect(review?.kind).toBe('review');
    expect((await outOf(drafted.externalId)).filter((m) => m.meta.intent === 'notice')).toEqual([]);
  });

  it('retries messages that were recorded but never processed', async () => {
    const msg = inbound({ from: '+447700900777' });
    await inboundRecorder(app, msg);
    clock.advance(60_000);
    expect(await inboundSweeper(app)).toBeGreaterThanOrEqual(1);
    const [row] = await db.query<{ status: string }>(
      'SELECT status FROM channel_inbound WHERE external_id = $1',
      [msg.externalId],
    );
    expect(row?.status).toBe('processed');
  });
});
