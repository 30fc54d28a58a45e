// Email end to end over real SMTP on loopback: a customer's mail is answered from the KB (to its Reply-To when it has
// one), threaded both ways, never answered when it is a loop, and recorded once.
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
import { agentUpdater } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { outboxDeliverer } from '../outbox.ts';
import { EMAIL_DEFAULTS, type EmailConfig } from './config.ts';
import { buildEmailSender, type EmailChannel, startEmailChannel } from './service.ts';

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

  it('tells the customer once that a person has the conversation, and when to expect them', async () => {
    await outboxDeliverer(app, senders);
    const before = sink.messages.length;
    await agentUpdater(app, 'test', agent.id, {
      config: { ...agent.config, businessHours: { replyTime: '4 hours' } },
    });
    try {
      clock.advance(60_000);
      await sendTo(channel.port!, {
        from: 'dora@example.com',
        to: SUPPORT,
        subject: 'Goodbye',
        text: 'Please close my account.',
        messageId: '<close.dora@example.com>',
      });
      await channel.idle();
      const conv = (await inboundRow('<close.dora@example.com>'))!.conversation_id!;
      const [held] = await db.query<{ id: string; reason: string }>(
        `SELECT id, reason FROM escalations WHERE conversation_id = $1 AND state <> 'resolved'`,
        [conv],
      );
      expect(held?.reason).toMatch(/account closure/);
      clock.advance(1000);
      expect((await outboxDeliverer(app, senders)).sent).toBe(1);
      const notice = (await sink.waitFor(before + 1))[before]!.mail;
      expect(notice.text?.trim()).toBe('Connecting you to a person. Usual reply time: within 4 hours.');
      expect(notice.subject).toBe(`Re: Goodbye [#${conv}]`);
      expect(notice.inReplyTo).toBe('<close.dora@example.com>');
      expect(notice.headers.get('auto-submitted')).toBe('auto-replied');
      const [stored] = await db.query<{ meta: Record<string, unknown> }>(
        `SELECT meta FROM messages WHERE conversation_id = $1 AND direction = 'out'`,
        [conv],
      );
      expect(stored?.meta).toMatchObject({ intent: 'notice', handoff: held!.id });

      // More mail while the person has it: no second notice, and the message waits for them.
      clock.advance(60_000);
      await sendTo(channel.port!, {
        from: 'dora@example.com',
        to: SUPPORT,
        subject: 'Re: Goodbye',
        text: 'Also, please delete my card details.',
        messageId: '<close2.dora@example.com>',
        inReplyTo: notice.messageId!,
      });
      await channel.idle();
      expect((await inboundRow('<close2.dora@example.com>'))?.conversation_id).toBe(conv);
      expect(await queued()).toBe(0);
      const out = await db.query(`SELECT 1 FROM messages WHERE conversation_id = $1 AND direction = 'out'`, [
        conv,
      ]);
      expect(out).toHaveLength(1);
    } finally {
      await agentUpdater(app, 'test', agent.id, { config: agent.config });
    }
  });
});

describe('Reply-To', () => {
  beforeAll(async () => {
    // Earlier tests leave answers queued; they are not what these tests look at.
    await channel.idle();
    await outboxDeliverer(app, senders);
  });

  async function conversationOf(externalId: string) {
    const row = await inboundRow(externalId);
    expect(row, externalId).toMatchObject({ status: 'processed' });
    const [conv] = await db.query<{ id: string; address: string; customer_id: string }>(
      'SELECT id, address, customer_id FROM conversations WHERE id = $1',
      [row!.conversation_id],
    );
    return conv!;
  }

  /** Delivers what the agent queued and returns the one message the customer's mail server got. */
  async function nextAnswer() {
    const before = sink.messages.length;
    clock.advance(1000);
    expect((await outboxDeliverer(app, senders)).sent).toBe(1);
    return (await sink.waitFor(before + 1))[before]!;
  }

  it('answers to the first Reply-To address, threaded; only the customer moves it, and the token works from there', async () => {
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'Dan Brown <Dan@Work.example>',
      replyTo: 'Dan at home <dan@home.example>, assistant@work.example',
      to: SUPPORT,
      subject: 'Gift cards',
      text: 'Do you sell gift cards?',
      messageId: '<d1@work.example>',
    });
    await channel.idle();
    const conv = await conversationOf('<d1@work.example>');
    expect(conv).toMatchObject({ address: 'dan@home.example', customer_id: 'dan@work.example' });
    const first = await nextAnswer();
    expect(first.envelope.to).toEqual(['dan@home.example']);
    expect(first.mail.to).toMatchObject({ value: [{ address: 'dan@home.example' }] });
    expect(first.mail.inReplyTo).toBe('<d1@work.example>');
    expect(first.mail.subject).toBe(`Re: Gift cards [#${conv.id}]`);
    expect(first.mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(first.mail.text).toMatch(/[Gg]ift cards/);

    // The reply reached Dan at home; he answers from there with only the [#token] left: same conversation.
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'dan@home.example',
      to: SUPPORT,
      subject: `Re: Gift cards [#${conv.id}]`,
      text: 'Do you hire e-bikes?',
      messageId: '<d2@home.example>',
    });
    await channel.idle();
    expect((await conversationOf('<d2@home.example>')).id).toBe(conv.id);
    expect((await nextAnswer()).envelope.to).toEqual(['dan@home.example']);

    // Someone else writing into the thread cannot send the conversation's answers elsewhere.
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'mallory@evil.example',
      replyTo: 'collect@evil.example',
      to: SUPPORT,
      subject: 'Re: Gift cards',
      text: 'When are you open on Saturday?',
      messageId: '<m1@evil.example>',
      inReplyTo: first.mail.messageId!,
      references: ['<d1@work.example>', first.mail.messageId!],
    });
    await channel.idle();
    expect(await conversationOf('<m1@evil.example>')).toMatchObject({
      id: conv.id,
      address: 'dan@home.example',
    });
    expect((await nextAnswer()).envelope.to).toEqual(['dan@home.example']);

    // Dan writes from work without a Reply-To: replies follow his latest message, to From (RFC 5322 §3.6.2).
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'dan@work.example',
      to: SUPPORT,
      subject: 'Re: Gift cards',
      text: 'How much is delivery?',
      messageId: '<d3@work.example>',
      inReplyTo: first.mail.messageId!,
    });
    await channel.idle();
    expect(await conversationOf('<d3@work.example>')).toMatchObject({
      id: conv.id,
      address: 'dan@work.example',
    });
    const last = await nextAnswer();
    expect(last.envelope.to).toEqual(['dan@work.example']);
    expect(last.mail.inReplyTo).toBe('<d3@work.example>');
  });

  it('answers a web form sent from a no-reply address to the person in Reply-To, and never answers a Reply-To of ours or of a machine [channel:no-mail-loops]', async () => {
    clock.advance(60_000);
    await sendTo(channel.port!, {
      from: 'Northwind website <no-reply@forms.example>',
      replyTo: 'carol@example.com',
      to: SUPPORT,
      subject: 'Contact form',
      text: 'Do you sell gift cards?',
      messageId: '<form1@forms.example>',
    });
    await channel.idle();
    expect(await conversationOf('<form1@forms.example>')).toMatchObject({ address: 'carol@example.com' });
    expect((await nextAnswer()).envelope.to).toEqual(['carol@example.com']);

    const before = sink.messages.length;
    const convs = (await db.query('SELECT 1 FROM conversations')).length;
    for (const [messageId, from, replyTo, reason] of [
      ['<rt-own@example.com>', 'erin@example.com', SUPPORT, /^Reply-To is one of our own addresses$/],
      [
        '<rt-plus@example.com>',
        'erin@example.com',
        'Support+x1@Northwind.example',
        /^Reply-To is one of our own addresses$/,
      ],
      [
        '<rt-machine@example.com>',
        'erin@example.com',
        'noreply@example.com',
        /^machine Reply-To \(noreply\)$/,
      ],
      ['<rt-daemon@example.com>', 'MAILER-DAEMON@mx.example.com', 'erin@example.com', /^machine sender/],
    ] as const) {
      await sendTo(channel.port!, {
        from,
        replyTo,
        to: SUPPORT,
        subject: 'Hello',
        text: 'Do you sell gift cards?',
        messageId,
      });
      expect(await inboundRow(messageId), messageId).toMatchObject({
        status: 'dropped',
        conversation_id: null,
      });
      expect((await inboundRow(messageId))!.error, messageId).toMatch(reason);
    }
    await channel.idle();
    expect((await db.query('SELECT 1 FROM conversations')).length).toBe(convs);
    expect(await queued()).toBe(0);
    expect(sink.messages.length).toBe(before);
  });
});
