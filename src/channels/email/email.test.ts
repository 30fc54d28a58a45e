// Email end to end over real SMTP on loopback: a customer's mail is answered from the KB, threaded both ways, never answered when it is a loop, and recorded once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { outboxDeliverer } from '../outbox.ts';
import { EMAIL_DEFAULTS, type EmailConfig } from './config.ts';
import { buildEmailSender, type EmailChannel, startEmailChannel } from './service.ts';
import { emailSupportAgent, type SmtpSink, sendTo, startSmtpSink, TickingClock } from './testing.ts';

const SUPPORT = 'support@northwind.example';
let db: TestDb;
let app: App;
let agent: AgentConfig;
let sink: SmtpSink;
let channel: EmailChannel;
let senders: Map<'email', NonNullable<ReturnType<typeof buildEmailSender>>>;
const clock = new TickingClock(new Date());

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock });
  agent = await emailSupportAgent(app, 'mail-support', SUPPORT);
  sink = await startSmtpSink();
  const config: EmailConfig = {
    ...EMAIL_DEFAULTS,
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

async function inboundRow(externalId: string) {
  const [row] = await db.query<{ status: string; error: string | null; conversation_id: string | null }>(
    `SELECT status, error, conversation_id FROM channel_inbound WHERE channel = 'email' AND external_id = $1`,
    [externalId],
  );
  return row;
}

async function customerTexts(conversationId: string): Promise<string[]> {
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM messages WHERE conversation_id = $1 AND direction = 'in' ORDER BY created_at, id`,
    [conversationId],
  );
  return rows.map((r) => r.body);
}

const queued = async () =>
  (await db.query(`SELECT 1 FROM messages WHERE channel = 'email' AND delivery = 'queued'`)).length;

describe('email channel', () => {
  let conversationId = '';
  let ourFirstId = '';

  it('answers a new email from the knowledge base with threading headers', async () => {
    const reply = await sendTo(channel.port!, {
      from: 'Alice Smith <Alice@Example.com>',
      to: SUPPORT,
      subject: 'Opening hours',
      text: 'Hi,\n\nWhen are you open on Saturday?\n\nThanks, Alice\n-- \nAlice Smith | ACME Ltd\n+44 20 7946 0000\n',
      messageId: '<m1.alice@example.com>',
    });
    expect(reply).toMatch(/^250/);
    await channel.idle();
    const row = await inboundRow('<m1.alice@example.com>');
    expect(row).toMatchObject({ status: 'processed' });
    conversationId = row!.conversation_id!;
    expect(await customerTexts(conversationId)).toEqual([
      'Hi,\n\nWhen are you open on Saturday?\n\nThanks, Alice',
    ]);

    clock.advance(1000);
    expect((await outboxDeliverer(app, senders)).sent).toBe(1);
    const [sent] = await sink.waitFor(1);
    const mail = sent!.mail;
    expect(mail.from?.value[0]).toMatchObject({ address: SUPPORT, name: 'Northwind Support' });
    expect(sent!.envelope.to).toEqual(['alice@example.com']);
    expect(mail.subject).toBe(`Re: Opening hours [#${conversationId}]`);
    expect(mail.inReplyTo).toBe('<m1.alice@example.com>');
    expect(mail.references).toBe('<m1.alice@example.com>');
    expect(mail.messageId).toMatch(/^<twelve\.[0-9a-f-]{36}@northwind\.example>$/);
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.headers.get('x-twelve-message')).toBeTruthy();
    expect(mail.text).toMatch(/Saturday 10:00/);
    ourFirstId = mail.messageId!;
    const [stored] = await db.query<{ external_id: string; delivery: string }>(
      `SELECT external_id, delivery FROM messages WHERE conversation_id = $1 AND direction = 'out'`,
      [conversationId],
    );
    expect(stored).toEqual({ external_id: ourFirstId, delivery: 'sent' });
  });

  it("threads the customer's reply into the same conversation, quote stripped", async () => {
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'alice@example.com',
      to: SUPPORT,
      subject: 'Re: Opening hours',
      text: `Great. Do you sell gift cards?\n\nOn Mon, 3 Mar 2025 at 10:00, Northwind Support <${SUPPORT}> wrote:\n> Our shop is open Monday to Friday.\n>\n> -- \n> Northwind\n`,
      messageId: '<m2.alice@example.com>',
      inReplyTo: ourFirstId,
      references: ['<m1.alice@example.com>', ourFirstId],
    });
    await channel.idle();
    expect((await inboundRow('<m2.alice@example.com>'))?.conversation_id).toBe(conversationId);
    expect((await customerTexts(conversationId)).at(-1)).toBe('Great. Do you sell gift cards?');

    clock.advance(1000);
    expect((await outboxDeliverer(app, senders)).sent).toBe(1);
    const mail = (await sink.waitFor(2))[1]!.mail;
    expect(mail.inReplyTo).toBe('<m2.alice@example.com>');
    expect(mail.references).toEqual(['<m1.alice@example.com>', ourFirstId, '<m2.alice@example.com>']);
    expect(mail.subject).toBe(`Re: Opening hours [#${conversationId}]`);
    expect(mail.text).toMatch(/[Gg]ift cards/);
  });

  it('finds the conversation by the [#token] in the subject when the headers are gone, for the same sender only', async () => {
    clock.advance(60_000);
    const base = {
      to: SUPPORT,
      subject: `Re: Opening hours [#${conversationId}]`,
      text: 'Do you hire e-bikes?',
    };
    await sendTo(channel.port!, { ...base, from: 'alice@example.com', messageId: '<m3.alice@example.com>' });
    await sendTo(channel.port!, {
      ...base,
      from: 'mallory@example.net',
      messageId: '<m1.mallory@example.net>',
    });
    await channel.idle();
    expect((await inboundRow('<m3.alice@example.com>'))?.conversation_id).toBe(conversationId);
    const other = await inboundRow('<m1.mallory@example.net>');
    expect(other?.conversation_id).toBeTruthy();
    expect(other?.conversation_id).not.toBe(conversationId);
    await outboxDeliverer(app, senders);
  });

  it('records the same Message-ID once, however often it is delivered [channel:webhook-idempotent]', async () => {
    const mail = {
      from: 'bob@example.com',
      to: SUPPORT,
      text: 'Do you sell gift cards?',
      messageId: '<dup@example.com>',
    };
    expect(await sendTo(channel.port!, mail)).toMatch(/^250/);
    expect(await sendTo(channel.port!, mail)).toMatch(/already received/);
    await channel.idle();
    const rows = await db.query(`SELECT 1 FROM channel_inbound WHERE external_id = '<dup@example.com>'`);
    expect(rows).toHaveLength(1);
    const conv = (await inboundRow('<dup@example.com>'))!.conversation_id!;
    expect(await customerTexts(conv)).toHaveLength(1);
    await outboxDeliverer(app, senders);
  });

  it('never answers auto-replies, bulk or list mail, bounces, or our own replies coming back [channel:no-mail-loops]', async () => {
    const before = sink.messages.length;
    const convs = async () => (await db.query('SELECT 1 FROM conversations')).length;
    const convsBefore = await convs();
    const cases: [string, Parameters<typeof sendTo>[1], RegExp][] = [
      [
        '<ooo@example.com>',
        {
          from: 'alice@example.com',
          to: SUPPORT,
          subject: 'Out of office',
          inReplyTo: ourFirstId,
          headers: { 'Auto-Submitted': 'auto-replied' },
        },
        /Auto-Submitted/,
      ],
      [
        '<bulk@example.com>',
        { from: 'news@shop.example', to: SUPPORT, subject: 'Deals', headers: { Precedence: 'bulk' } },
        /Precedence/,
      ],
      [
        '<list@example.com>',
        {
          from: 'dev@lists.example',
          to: SUPPORT,
          subject: 'Digest',
          headers: { 'List-Id': '<dev.lists.example>' },
        },
        /list-id/,
      ],
      [
        '<oof@example.com>',
        {
          from: 'carol@example.com',
          to: SUPPORT,
          subject: 'Away',
          headers: { 'X-Auto-Response-Suppress': 'All' },
        },
        /X-Auto-Response-Suppress/,
      ],
      [
        '<dsn@example.com>',
        {
          from: 'carol@example.com',
          to: SUPPORT,
          subject: 'Undeliverable',
          envelope: { from: '', to: [SUPPORT] },
        },
        /bounce/,
      ],
      [
        '<daemon@example.com>',
        { from: 'MAILER-DAEMON@mx.example.com', to: SUPPORT, subject: 'failure' },
        /machine sender/,
      ],
    ];
    for (const [messageId, mail, reason] of cases) {
      await sendTo(channel.port!, { text: 'I am away until Monday.', ...mail, messageId });
      expect(await inboundRow(messageId), messageId).toMatchObject({
        status: 'dropped',
        conversation_id: null,
      });
      expect((await inboundRow(messageId))!.error).toMatch(reason);
    }
    // Our own first reply, looping back to the listener as is.
    const ours = sink.messages[0]!.raw;
    const { createTransport } = await import('nodemailer');
    const t = createTransport({ host: '127.0.0.1', port: channel.port!, ignoreTLS: true });
    await t.sendMail({ envelope: { from: SUPPORT, to: [SUPPORT] }, raw: ours });
    t.close();
    expect(await inboundRow(ourFirstId)).toMatchObject({ status: 'dropped' });
    await channel.idle();
    expect(await convs()).toBe(convsBefore);
    expect(await queued()).toBe(0);
    expect(sink.messages.length).toBe(before);
  });

  it('refuses unknown recipients with 550', async () => {
    await expect(
      sendTo(channel.port!, { from: 'alice@example.com', to: 'sales@northwind.example', text: 'hi' }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });

  it('accepts plus-addressed recipients and finds the conversation from the token', async () => {
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'alice@example.com',
      to: `support+${conversationId}@northwind.example`,
      subject: 'One more thing',
      text: 'How much is delivery?',
      messageId: '<m4.alice@example.com>',
    });
    await channel.idle();
    expect((await inboundRow('<m4.alice@example.com>'))?.conversation_id).toBe(conversationId);
    expect(agent.id).toBeTruthy();
  });
});
