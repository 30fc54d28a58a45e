// Normalizing parsed MIME (ids, threading, tokens, text for the engine) and the RFC 3834 loop rules, without a database.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { pgSafe } from '../../store/text.ts';
import { type HeaderMap, loopReason } from './loop.ts';
import {
  baseAddress,
  baseSubject,
  engineInput,
  type NormalizedEmail,
  normalizeEmail,
  PARSER_OPTIONS,
} from './normalize.ts';

const limits = { maxFiles: 10, maxTotalBytes: 10 * 1024 * 1024 };
async function normalize(raw: string, recipients: string[] = [], envelopeFrom?: string) {
  const buf = Buffer.from(raw.replace(/\r?\n/g, '\r\n'), 'binary');
  return normalizeEmail(await simpleParser(buf, PARSER_OPTIONS), buf, { recipients, envelopeFrom, limits });
}

const OUTLOOK = `Received: from mail.contoso.com by mx.northwind.example; Mon, 3 Mar 2025 10:05:00 +0000
From: "Jones, Bob" <Bob.Jones@Contoso.com>
To: Northwind Support <support@northwind.example>
Subject: RE: Returns [#e_0b7c3a52-3f4e-4b8e-9d7a-1c2d3e4f5a6b]
Date: Mon, 3 Mar 2025 10:04:51 +0000
Message-ID: <DB9PR01MB1234.eurprd01.prod.outlook.com>
In-Reply-To: <twelve.11111111-2222-4333-8444-555555555555@northwind.example>
References: <first@contoso.com>
 <twelve.11111111-2222-4333-8444-555555555555@northwind.example>
Content-Type: multipart/alternative; boundary="_000_b_"
MIME-Version: 1.0

--_000_b_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Can I return a helmet? It cost =A345.

________________________________
From: Northwind Support <support@northwind.example>
Sent: Monday, March 3, 2025 10:02 AM
To: Jones, Bob <bob.jones@contoso.com>
Subject: Re: Returns

You can return unused items within 30 days.

--_000_b_
Content-Type: text/html; charset="iso-8859-1"

<html><body><p>Can I return a helmet?</p></body></html>
--_000_b_--
`;

describe('normalizeEmail', () => {
  it('reads ids, threading and the reply token from an Outlook reply', async () => {
    const n = await normalize(OUTLOOK, ['support@northwind.example']);
    expect(n).toMatchObject({
      externalId: '<DB9PR01MB1234.eurprd01.prod.outlook.com>',
      messageIdGenerated: false,
      from: 'bob.jones@contoso.com',
      fromName: 'Jones, Bob',
      subject: 'RE: Returns [#e_0b7c3a52-3f4e-4b8e-9d7a-1c2d3e4f5a6b]',
      text: 'Can I return a helmet? It cost £45.',
      inReplyTo: ['<twelve.11111111-2222-4333-8444-555555555555@northwind.example>', '<first@contoso.com>'],
      replyToken: { token: 'e_0b7c3a52-3f4e-4b8e-9d7a-1c2d3e4f5a6b', source: 'subject' },
    });
    expect(n.fullText).toMatch(/30 days/);
  });

  it('prefers a plus-address token, and finds recipients in the headers when there is no envelope', async () => {
    const raw = OUTLOOK.replace(
      'To: Northwind Support <support@northwind.example>',
      'To: "Support" <support+e_abc123@northwind.example>',
    );
    expect((await normalize(raw)).replyToken).toEqual({ token: 'e_abc123', source: 'address' });
    expect(baseAddress('Support+e_abc123@Northwind.Example')).toBe('support@northwind.example');
  });

  it('mints a stable Message-ID from the raw bytes when the header is missing', async () => {
    const raw = 'From: a@example.com\nTo: support@northwind.example\nSubject: hi\n\nWhen are you open?\n';
    const a = await normalize(raw);
    const b = await normalize(raw);
    const c = await normalize(raw.replace('open', 'closed'));
    expect(a.externalId).toMatch(/^<[0-9a-f]{40}@hash\.twelve\.invalid>$/);
    expect(a).toMatchObject({ messageIdGenerated: true, externalId: b.externalId });
    expect(c.externalId).not.toBe(a.externalId);
  });

  it('converts an HTML-only body and caps the engine text at 4000 characters', async () => {
    const long = 'word '.repeat(2000);
    const n = await normalize(
      `From: a@example.com\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n<p>Hello <b>there</b></p><p>${long}</p>`,
    );
    expect(n.text.startsWith('Hello there\n\nword word')).toBe(true);
    expect(n.text.length).toBeLessThanOrEqual(4000);
    expect(n.text.endsWith('…')).toBe(true);
  });

  it('uses the envelope sender when From is missing, and has no sender when both are', async () => {
    expect((await normalize('Subject: x\n\nhello\n', [], 'Env@Example.com')).from).toBe('env@example.com');
    expect((await normalize('Subject: x\n\nhello\n')).from).toBe('');
  });

  it('reads where replies go: the first valid Reply-To address, else none (From)', async () => {
    const reply = async (header: string) =>
      (await normalize(`From: Dan <dan@work.example>\n${header}Subject: x\n\nhello\n`)).replyTo;
    expect(await reply('')).toBe('');
    expect(await reply('Reply-To: Dan at home <Dan@Home.example>, other@example.com\n')).toBe(
      'dan@home.example',
    );
    expect(await reply('Reply-To: undisclosed-recipients:;, "x" <bad address>, ok@example.com\n')).toBe(
      'ok@example.com',
    );
    expect(await reply('Reply-To: Team: lead@example.com, b@example.com;\n')).toBe('lead@example.com');
    expect(await reply('Reply-To: not an address\n')).toBe('');
  });

  it('removes what PostgreSQL refuses (NUL, lone surrogates)', async () => {
    expect(pgSafe('a\u0000b\ud800c\udc00d😀')).toBe('ab\ufffdc\ufffdd😀');
    const n = await normalize('From: a@example.com\nSubject: nul\u0000here\n\nhello\u0000world\n');
    expect(n.text).toBe('helloworld');
    expect(n.subject).toBe('nulhere');
  });

  it('strips reply prefixes and tokens from subjects', () => {
    expect(baseSubject('RE: Fwd: AW: Re[2]: Returns [#e_1x2]')).toBe('Returns');
    expect(baseSubject('Re:')).toBe('');
  });
});

const base = (over: Partial<NormalizedEmail>): NormalizedEmail => ({
  externalId: '<x@y>',
  messageIdGenerated: false,
  from: 'a@example.com',
  fromName: null,
  replyTo: '',
  subject: '',
  recipients: [],
  text: '',
  fullText: '',
  inReplyTo: [],
  replyToken: null,
  headers: new Map(),
  attachments: [],
  files: [],
  ...over,
});

describe('engineInput', () => {
  it('sends attachments-only mail to a person, falls back to the subject, and drops empty mail', () => {
    const file = {
      idx: 0,
      filename: 'invoice.pdf',
      contentType: 'application/pdf',
      size: 10,
      sha256: '',
      inline: false,
      stored: true,
    };
    expect(engineInput(base({ subject: 'Re: Invoice', attachments: [file] }))).toMatchObject({
      text: 'Invoice\n[attachments: invoice.pdf]',
      needsHuman: { reason: 'the customer sent only attachments' },
    });
    expect(engineInput(base({ subject: 'Opening hours?', fullText: 'Sent from my iPhone' }))).toEqual({
      text: 'Opening hours?',
    });
    expect(engineInput(base({ attachments: [{ ...file, inline: true }] }))).toEqual({
      drop: 'empty message',
    });
  });
});

describe('loopReason', () => {
  const own = new Set(['support@northwind.example']);
  const check = (
    headers: Record<string, string>,
    from = 'alice@example.com',
    envelopeFrom?: string,
    subject = 'Hi',
  ) =>
    loopReason({
      headers: new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]])) as HeaderMap,
      from,
      subject,
      envelopeFrom,
      ownAddresses: own,
    });

  it('answers ordinary mail, and mail that says Auto-Submitted: no', () => {
    expect(check({})).toBeNull();
    expect(check({ 'Auto-Submitted': 'no' })).toBeNull();
    expect(check({ 'X-Auto-Response-Suppress': 'DR, RN' })).toBeNull();
  });

  it.each([
    [{ 'Auto-Submitted': 'auto-replied' }, /Auto-Submitted: auto-replied/],
    [{ 'Auto-Submitted': 'auto-generated; owner-email="x@y"' }, /auto-generated/],
    [{ 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' }, /X-Auto-Response-Suppress/],
    [{ Precedence: 'Bulk' }, /Precedence: bulk/],
    [{ Precedence: 'junk' }, /Precedence: junk/],
    [{ 'List-Unsubscribe': '<mailto:u@lists.example>' }, /list-unsubscribe/],
    [{ 'List-Id': 'Dev <dev.lists.example>' }, /list-id/],
    [{ 'Return-Path': '<>' }, /bounce/],
    [{ 'Content-Type': 'multipart/report; report-type=delivery-status' }, /delivery report/],
    [{ 'X-Twelve-Message': 'abc' }, /our own message/],
    [{ 'Message-ID': '<twelve.11111111-2222-4333-8444-555555555555@northwind.example>' }, /our own message/],
    [{ 'X-Loop': 'support@northwind.example' }, /X-Loop/],
  ])('never answers %o', (headers, reason) => {
    expect(check(headers)).toMatch(reason);
  });

  it('checks where the answer would go: a Reply-To of ours or of a machine is never answered [channel:no-mail-loops]', () => {
    const reply = (from: string, replyTo: string) =>
      loopReason({ headers: new Map(), from, replyTo, subject: 'Hi', ownAddresses: own });
    expect(reply('alice@example.com', 'support@northwind.example')).toBe(
      'Reply-To is one of our own addresses',
    );
    expect(reply('alice@example.com', 'no-reply@example.com')).toBe('machine Reply-To (no-reply)');
    // A mail system's message is a bounce, whatever it asks replies to go to.
    expect(reply('MAILER-DAEMON@mx.example.com', 'alice@example.com')).toMatch(/machine sender/);
    expect(reply('support@northwind.example', 'alice@example.com')).toMatch(/our own addresses/);
    // A web form that sends from a no-reply address on behalf of a person: the person gets the answer.
    expect(reply('no-reply@forms.example', 'carol@example.com')).toBeNull();
    expect(reply('alice@example.com', 'alice.home@example.com')).toBeNull();
  });

  it('never answers bounces, machines, our own addresses or autoresponder subjects', () => {
    expect(check({}, 'alice@example.com', '')).toMatch(/null envelope sender/);
    expect(check({}, 'mailer-daemon@mx.example.com')).toMatch(/machine sender/);
    expect(check({}, 'no-reply@shop.example')).toMatch(/machine sender/);
    expect(check({}, 'support@northwind.example')).toMatch(/our own addresses/);
    expect(check({}, 'alice@example.com', undefined, 'Automatic reply: Returns')).toMatch(
      /auto-reply subject/,
    );
    expect(check({}, 'alice@example.com', undefined, 'Out of Office: back Monday')).toMatch(
      /auto-reply subject/,
    );
  });
});
