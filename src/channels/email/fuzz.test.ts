// Fuzzing the inbound path with malformed MIME, huge headers, broken encodings, missing headers and binary garbage: a safe drop or a clear rejection, never a crash or a half-written conversation.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { emailSupportAgent, TickingClock } from '../../../test/support/email.ts';
import { type App, createApp } from '../../app.ts';
import { inboundProcessor } from '../inbound.ts';
import { AddressBook, type EmailAgent } from './addresses.ts';
import { EMAIL_DEFAULTS, type EmailConfig } from './config.ts';
import { EmailRejected, emailIntake, type IntakeDeps } from './intake.ts';
import { type EmailChannel, startEmailChannel } from './service.ts';

const SUPPORT = 'support@northwind.example';
let db: TestDb;
let app: App;
let agent: EmailAgent;
let deps: IntakeDeps;
let channel: EmailChannel;

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock: new TickingClock(new Date()) });
  const a = await emailSupportAgent(app, 'fuzz-support', SUPPORT);
  agent = { id: a.id, name: a.name, address: SUPPORT, fromName: null, displayName: a.displayName };
  const config: EmailConfig = {
    ...EMAIL_DEFAULTS,
    maxMessageBytes: 1024 * 1024,
    maxPerSenderPerHour: 1_000_000,
    listen: { host: '127.0.0.1', port: 0 },
    smtpUrl: null,
    fromName: null,
    fromAddress: null,
    imap: null,
  };
  deps = { book: new AddressBook(db), config };
  channel = await startEmailChannel(app, config);
});
afterAll(async () => {
  await channel?.stop();
  await db?.dispose();
});

const HEADER_NAMES = [
  'From',
  'To',
  'Subject',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-Disposition',
  'Auto-Submitted',
  'Precedence',
  'Return-Path',
  'MIME-Version',
  'Date',
];
const NASTY_VALUES = [
  '=?utf-8?B?!!!not-base64?=',
  '=?x-unknown?Q?=FF=FE=00?=',
  '=?utf-8?Q?caf=C3?=',
  'multipart/mixed; boundary=',
  'multipart/alternative; boundary="b"',
  'multipart/mixed; boundary="b"',
  'text/plain; charset=x-nonexistent',
  'text/html; charset=utf-16',
  'base64',
  'quoted-printable',
  'attachment; filename="\u0000evil.exe"',
  '<a@b>',
  '<>',
  '<no-closing@bracket',
  'no-at-sign',
  '"Unclosed <a@b',
  'a@b, c@d, <e@f>',
  'Alice <alice@example.com>',
];

const headerValue = fc.oneof(
  fc.constantFrom(...NASTY_VALUES),
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
);
const header = fc
  .tuple(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ minLength: 1, maxLength: 12 })), headerValue)
  .map(([k, v]) => `${k}: ${v}`);
const part = fc
  .tuple(fc.array(header, { maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 400 }))
  .map(([hs, body]) => `--b\r\n${hs.join('\r\n')}\r\n\r\n${body}\r\n`);
const body = fc.oneof(
  fc.string({ maxLength: 600 }),
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc
    .tuple(fc.array(part, { maxLength: 4 }), fc.boolean())
    .map(([ps, closed]) => ps.join('') + (closed ? '--b--\r\n' : '')),
);
const message = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.option(fc.nat(50)), fc.array(header, { maxLength: 12 }), body)
      .map(([from, hs, b]) =>
        Buffer.from(
          `${from === null ? '' : `From: c${from}@example.com\r\n`}${hs.join('\r\n')}\r\n\r\n${b}`,
          'binary',
        ),
      ),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        `From: a@example.com\r\nSubject: ${'x'.repeat(200_000)}\r\n\r\nhello`,
        `From: a@example.com\r\nReferences: ${'<a@b> '.repeat(20_000)}\r\nMessage-ID: <${'y'.repeat(5000)}@z>\r\n\r\nhello`,
        `From: a@example.com\r\n${'X-Junk: 1\r\n'.repeat(5000)}\r\nhello`,
        'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n--b',
        'From: =?utf-8?B?AAAA?= <a@example.com>\r\nSubject: =?utf-8?B?AA==?=\r\n\r\n\u0000\u0000',
      )
      .map((s) => Buffer.from(s, 'binary')),
  },
);

describe('email intake under fuzzing', () => {
  it('records, drops or rejects every input; whatever it records is processed whole', async () => {
    const seen = { recorded: 0, duplicate: 0, dropped: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(
        message,
        fc.constantFrom('', 'bounce@example.com', 'x@example.org'),
        async (raw, envelopeFrom) => {
          let outcome: Awaited<ReturnType<typeof emailIntake>>;
          try {
            outcome = await emailIntake(app, deps, {
              raw,
              agent,
              recipients: [SUPPORT],
              envelopeFrom,
              source: 'smtp',
            });
          } catch (err) {
            expect(err).toBeInstanceOf(EmailRejected);
            seen.rejected++;
            return;
          }
          seen[outcome.status]++;
          if (outcome.status === 'recorded')
            expect(await inboundProcessor(app, 'email', outcome.externalId)).toBe('processed');
        },
      ),
      { numRuns: 150 },
    );
    // The generator must reach both sides: messages answered and messages refused or dropped.
    expect(seen.recorded).toBeGreaterThan(10);
    expect(seen.dropped).toBeGreaterThan(10);
    const failed = await db.query(
      `SELECT external_id, error FROM channel_inbound WHERE status NOT IN ('processed', 'dropped')`,
    );
    expect(failed).toEqual([]);
    // No half-written conversation: every conversation holds the customer's message that opened it.
    const empty = await db.query(
      `SELECT c.id FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in')`,
    );
    expect(empty).toEqual([]);
  });

  it('keeps the SMTP listener answering through garbage', async () => {
    const { createTransport } = await import('nodemailer');
    const t = createTransport({ host: '127.0.0.1', port: channel.port!, ignoreTLS: true });
    try {
      await fc.assert(
        fc.asyncProperty(message, async (raw) => {
          try {
            const info = await t.sendMail({ envelope: { from: 'x@example.org', to: [SUPPORT] }, raw });
            expect(String(info.response)).toMatch(/^250/);
          } catch (err) {
            expect((err as { responseCode?: number }).responseCode).toBeGreaterThanOrEqual(500);
          }
        }),
        { numRuns: 40 },
      );
      const ok = await t.sendMail({
        from: 'ok@example.com',
        to: SUPPORT,
        subject: 'still there?',
        text: 'When are you open?',
      });
      expect(String(ok.response)).toMatch(/^250/);
    } finally {
      t.close();
    }
    await channel.idle();
  });
});
