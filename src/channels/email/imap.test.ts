// IMAP polling against a real Dovecot on loopback: unseen mail is recorded once, answered, and marked \Seen only after it is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import {
  type Dovecot,
  dovecotAvailable,
  emailSupportAgent,
  type SmtpSink,
  startDovecot,
  startSmtpSink,
  TickingClock,
} from '../../../test/support/email.ts';
import { type App, createApp } from '../../app.ts';
import { silentLog } from '../../events/log.ts';
import { inboundProcessor } from '../inbound.ts';
import { outboxDeliverer } from '../outbox.ts';
import { AddressBook } from './addresses.ts';
import { EMAIL_DEFAULTS, type ImapSettings } from './config.ts';
import { ImapPoller } from './imap.ts';
import { buildEmailSender, startEmailChannel } from './service.ts';

const SUPPORT = 'support@northwind.example';
let db: TestDb;
let app: App;
let dovecot: Dovecot;
let sink: SmtpSink;
let settings: ImapSettings;
const recorded: string[] = [];

if (!dovecotAvailable) console.warn('imap.test.ts skipped: install dovecot-core and dovecot-imapd to run it');

const mail = (id: string, extra = '', body = 'Hello, do you sell gift cards?') =>
  `From: Pat <pat@example.com>\r\nTo: ${SUPPORT}\r\nSubject: Gift cards\r\nMessage-ID: ${id}\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;

describe.skipIf(!dovecotAvailable)('email over IMAP (Dovecot)', () => {
  beforeAll(async () => {
    db = await openTestDb();
    app = createApp(db, { clock: new TickingClock(new Date()) });
    await emailSupportAgent(app, 'imap-support', SUPPORT);
    [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
    settings = {
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      user: dovecot.user,
      pass: dovecot.pass,
      mailbox: 'INBOX',
      agent: 'imap-support',
      pollSeconds: 3600,
    };
  });
  afterAll(async () => {
    await dovecot?.close();
    await sink?.close();
    await db?.dispose();
  });

  const poller = () =>
    new ImapPoller(
      app,
      {
        book: new AddressBook(db),
        config: EMAIL_DEFAULTS,
        log: silentLog,
        onRecorded: (id) => recorded.push(id),
      },
      settings,
    );

  it('records unseen mail once, drops auto-replies, and marks everything \\Seen', async () => {
    await dovecot.append(mail('<q1@example.com>'));
    await dovecot.append(
      mail('<ooo@example.com>', 'Auto-Submitted: auto-replied\r\n', 'I am out of the office.'),
    );
    await dovecot.append(mail('<q1@example.com>')); // the same message delivered twice
    expect(await dovecot.unseen()).toHaveLength(3);

    const report = await poller().pollOnce();
    expect(report).toEqual({ fetched: 3, recorded: 1, dropped: 1, duplicates: 1 });
    // The copy is handed to processing too (its first copy may belong to a process that died); the processor's
    // claim makes that a no-op for a message done or in hand.
    expect(recorded).toEqual(['<q1@example.com>', '<q1@example.com>']);
    expect(await dovecot.unseen()).toEqual([]);
    expect(await poller().pollOnce()).toMatchObject({ fetched: 0 });

    expect(await inboundProcessor(app, 'email', '<q1@example.com>')).toBe('processed');
    const sender = buildEmailSender({
      ...EMAIL_DEFAULTS,
      listen: null,
      smtpUrl: `smtp://127.0.0.1:${sink.port}`,
      fromName: null,
      fromAddress: null,
      imap: settings,
    })!;
    await outboxDeliverer(app, new Map([['email', sender]]));
    sender.close();
    const [reply] = await sink.waitFor(1);
    expect(reply!.mail.inReplyTo).toBe('<q1@example.com>');
    expect(reply!.envelope.to).toEqual(['pat@example.com']);
    expect(reply!.mail.text).toMatch(/[Gg]ift cards/);
  });

  it('leaves a message unseen when recording it fails, and records it on the next poll', async () => {
    await db.exec(`CREATE FUNCTION refuse_inbound() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'database unavailable'; END $$;
      CREATE TRIGGER refuse_inbound BEFORE INSERT ON channel_inbound FOR EACH ROW EXECUTE FUNCTION refuse_inbound();`);
    await dovecot.append(mail('<q2@example.com>', '', 'Can I book a service?'));
    await expect(poller().pollOnce()).rejects.toThrow(/database unavailable/);
    expect(await dovecot.unseen()).toHaveLength(1);

    await db.exec('DROP TRIGGER refuse_inbound ON channel_inbound; DROP FUNCTION refuse_inbound();');
    expect(await poller().pollOnce()).toMatchObject({ fetched: 1, recorded: 1 });
    expect(await dovecot.unseen()).toEqual([]);
  });

  it('records unparseable or oversized mail as dropped instead of leaving it to be fetched forever', async () => {
    await dovecot.append(mail('<big@example.com>', '', 'x'.repeat(4096)));
    const small = new ImapPoller(
      app,
      {
        book: new AddressBook(db),
        config: { ...EMAIL_DEFAULTS, maxMessageBytes: 1024 },
        log: silentLog,
        onRecorded: () => {},
      },
      settings,
    );
    expect(await small.pollOnce()).toMatchObject({ fetched: 1, dropped: 1 });
    const [row] = await db.query<{ status: string; error: string }>(
      `SELECT status, error FROM channel_inbound WHERE external_id = '<big@example.com>'`,
    );
    expect(row?.status).toBe('dropped');
    expect(row?.error).toMatch(/exceeds the 1024-byte limit/);
  });

  it('polls on its own once the channel starts, and answers', async () => {
    await dovecot.append(mail('<q3@example.com>', '', 'When are you open?'));
    const channel = await startEmailChannel(app, {
      ...EMAIL_DEFAULTS,
      listen: null,
      smtpUrl: null,
      fromName: null,
      fromAddress: null,
      imap: settings,
    });
    try {
      for (let i = 0; i < 100 && (await dovecot.unseen()).length > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      await channel.idle();
      const [row] = await db.query<{ status: string }>(
        `SELECT status FROM channel_inbound WHERE external_id = '<q3@example.com>'`,
      );
      expect(row?.status).toBe('processed');
    } finally {
      await channel.stop();
    }
  });
});
