// Outbound email failures and human replies, attachments within limits, and the size and flood limits, over real SMTP on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import {
  emailSupportAgent,
  type SmtpSink,
  sendTo,
  startSmtpSink,
  TickingClock,
} from '../../../test/support/email.ts';
import { type App, createApp } from '../../app.ts';
import { escalationReplier } from '../../runtime/escalations.ts';
import { PermanentDeliveryError } from '../channel.ts';
import { outboxDeliverer } from '../outbox.ts';
import { EMAIL_DEFAULTS, type EmailConfig } from './config.ts';
import { composeReply, emailSender } from './sender.ts';
import { buildEmailSender, type EmailChannel, startEmailChannel } from './service.ts';

const SUPPORT = 'help@northwind.example';
let db: TestDb;
let app: App;
let sink: SmtpSink;
let channel: EmailChannel;
let config: EmailConfig;
let senders: Map<'email', NonNullable<ReturnType<typeof buildEmailSender>>>;
const clock = new TickingClock(new Date());

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock });
  await emailSupportAgent(app, 'help-desk', SUPPORT);
  sink = await startSmtpSink();
  config = {
    ...EMAIL_DEFAULTS,
    attachments: { maxFiles: 3, maxTotalBytes: 64 * 1024 },
    maxMessageBytes: 512 * 1024,
    maxPerSenderPerHour: 4,
    listen: { host: '127.0.0.1', port: 0 },
    smtpUrl: `smtp://127.0.0.1:${sink.port}`,
    fromName: null,
    fromAddress: null,
    imap: null,
  };
  channel = await startEmailChannel(app, config);
  senders = new Map([['email', buildEmailSender(config)!]]);
});
afterAll(async () => {
  await channel?.stop();
  senders?.get('email')?.close();
  await sink?.close();
  await db?.dispose();
});

async function ask(from: string, text: string, extra: Partial<Parameters<typeof sendTo>[1]> = {}) {
  const messageId = `<${Math.random().toString(36).slice(2)}@example.com>`;
  await sendTo(channel.port!, { from, to: SUPPORT, subject: 'Question', text, messageId, ...extra });
  await channel.idle();
  const [row] = await db.query<{
    status: string;
    error: string | null;
    conversation_id: string;
    payload: { meta: Record<string, unknown> };
  }>(`SELECT status, error, conversation_id, payload FROM channel_inbound WHERE external_id = $1`, [
    messageId,
  ]);
  return { messageId, ...row! };
}

const outState = async (conversationId: string) =>
  db.query<{ delivery: string; delivery_error: string | null }>(
    `SELECT delivery, delivery_error FROM messages WHERE conversation_id = $1 AND direction = 'out' ORDER BY created_at`,
    [conversationId],
  );

describe('email delivery and limits', () => {
  it('fails a message at once on SMTP 5xx and retries 4xx and refused connections', async () => {
    const a = await ask('dave@example.com', 'When are you open?');
    sink.refuse(550);
    expect(await outboxDeliverer(app, senders)).toMatchObject({ failed: 1 });
    expect((await outState(a.conversation_id))[0]).toMatchObject({ delivery: 'failed' });
    expect((await outState(a.conversation_id))[0]!.delivery_error).toMatch(/^SMTP 550/);

    const b = await ask('erin@example.com', 'When are you open?');
    sink.refuse(451);
    expect(await outboxDeliverer(app, senders)).toMatchObject({ retried: 1 });
    clock.advance(6_000);
    const before = sink.messages.length;
    expect(await outboxDeliverer(app, senders)).toMatchObject({ sent: 1 });
    expect(sink.messages.length).toBe(before + 1);
    expect((await outState(b.conversation_id))[0]).toMatchObject({ delivery: 'sent' });

    const dead = emailSender({ smtpUrl: 'smtp://127.0.0.1:1', fromName: null, fromAddress: null });
    const c = await ask('frank@example.com', 'When are you open?');
    const report = await outboxDeliverer(app, new Map([['email', dead]]));
    dead.close();
    expect(report).toMatchObject({ retried: 1, failed: 0 });
    clock.advance(6_000);
    await outboxDeliverer(app, senders);
    expect((await outState(c.conversation_id))[0]).toMatchObject({ delivery: 'sent' });
  });

  it('sends an email with only attachments to a person, stores them within limits, and mails the human reply unmarked', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({
      filename: `photo-${i + 1}.jpg`,
      content: Buffer.alloc(i === 1 ? 70 * 1024 : 1024, i),
      contentType: 'image/jpeg',
    }));
    const a = await ask('gina@example.com', '', { subject: 'Broken wheel', attachments: files });
    const [esc] = await db.query<{ id: string; reason: string }>(
      'SELECT id, reason FROM escalations WHERE conversation_id = $1',
      [a.conversation_id],
    );
    expect(esc?.reason).toBe('the customer sent only attachments');
    const meta = a.payload.meta.attachments as { filename: string; stored: boolean; skipped?: string }[];
    expect(meta.map((m) => [m.filename, m.stored])).toEqual([
      ['photo-1.jpg', true],
      ['photo-2.jpg', false],
      ['photo-3.jpg', true],
      ['photo-4.jpg', true],
      ['photo-5.jpg', false],
    ]);
    expect(meta[1]!.skipped).toMatch(/bytes/);
    expect(meta[4]!.skipped).toMatch(/more than 3/);
    const stored = await db.query<{ filename: string; size: number }>(
      'SELECT filename, size FROM email_attachments WHERE external_id = $1 ORDER BY idx',
      [a.messageId],
    );
    expect(stored.map((s) => s.filename)).toEqual(['photo-1.jpg', 'photo-3.jpg', 'photo-4.jpg']);

    await outboxDeliverer(app, senders); // the polite notice
    const notice = sink.messages.at(-1)!.mail;
    expect(notice.headers.get('auto-submitted')).toBe('auto-replied');
    await escalationReplier(app, 'user:h@example.com', esc!.id, 'Thanks Gina, we will send a new wheel.');
    await outboxDeliverer(app, senders);
    const human = sink.messages.at(-1)!.mail;
    expect(human.text).toMatch(/new wheel/);
    expect(human.headers.has('auto-submitted')).toBe(false);
    expect(human.inReplyTo).toBe(notice.messageId);
    expect(human.references).toEqual([a.messageId, notice.messageId]);
    expect(human.subject).toBe(`Re: Broken wheel [#${a.conversation_id}]`);
  });

  it('refuses messages over the size limit with 552', async () => {
    const big = { filename: 'big.bin', content: Buffer.alloc(600 * 1024, 7) };
    await expect(
      sendTo(channel.port!, {
        from: 'hal@example.com',
        to: SUPPORT,
        text: 'see attached',
        attachments: [big],
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
  });

  it('stops answering a sender that floods the agent (a loop without headers)', async () => {
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(await ask('robot@example.org', `Ticket ${i}: when are you open?`));
    expect(results.map((r) => r.status)).toEqual([
      'processed',
      'processed',
      'processed',
      'processed',
      'dropped',
      'dropped',
    ]);
    expect(results[4]!.error).toMatch(/more than 4 messages/);
  });

  it('refuses to send for an agent without an address, permanently', async () => {
    const delivery = {
      messageId: '00000000-0000-4000-8000-000000000000',
      agentId: '00000000-0000-4000-8000-000000000001',
      conversationId: 'e_x',
      channel: 'email' as const,
      to: 'a@example.com',
      text: 'hi',
      subject: null,
      thread: [],
      lastInboundAt: null,
      author: 'agent' as const,
    };
    await expect(composeReply(delivery, db, config)).rejects.toBeInstanceOf(PermanentDeliveryError);
    const fallback = await composeReply(delivery, db, {
      ...config,
      fromAddress: 'desk@northwind.example',
      fromName: 'Desk',
    });
    expect(fallback).toMatchObject({
      from: { name: 'Desk', address: 'desk@northwind.example' },
      subject: 'Re: your message [#e_x]',
      messageId: '<twelve.00000000-0000-4000-8000-000000000000@northwind.example>',
    });
    expect(fallback.inReplyTo).toBeUndefined();
  });
});
