// A parsed email → what Twelve records: the deduplication key (Message-ID), the sender and where replies go
// (Reply-To, else From: RFC 5322 §3.6.2), threading ids, a reply token, the text the engine reads (new words only, within the engine's limit) and the attachments within limits.
// Pure apart from hashing. Every string is made safe for PostgreSQL (no NUL, no lone surrogates), so recording
// never fails half-way on a hostile message.
import { createHash } from 'node:crypto';
import type { ParsedMail, SimpleParserOptions } from 'mailparser';
import { MAX_MESSAGE_CHARS } from '../../conversations/conversations.ts';
import { pgSafe } from '../../store/text.ts';
import type { HeaderMap } from './loop.ts';
import { emailHtmlToText, stripQuotedText, tidy } from './strip.ts';

/** mailparser settings: no HTML→text of its own (ours is safer), no data: URLs for inline images. */
export const PARSER_OPTIONS: SimpleParserOptions = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
};

export interface AttachmentLimits {
  maxFiles: number;
  maxTotalBytes: number;
}

export interface AttachmentMeta {
  idx: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** An image the HTML body shows (multipart/related), such as a logo in a signature. */
  inline: boolean;
  stored: boolean;
  skipped?: string;
}

export interface NormalizedEmail {
  externalId: string;
  messageIdGenerated: boolean;
  /** The From address, lower-cased; '' when there is none a reply could go to. */
  from: string;
  fromName: string | null;
  /**
   * The first valid Reply-To address, lower-cased: where replies go (RFC 5322 §3.6.2; RFC 3834 §4 for a service
   * that answers requests). '' when there is none, or none valid: replies then go to From.
   */
  replyTo: string;
  subject: string;
  recipients: string[];
  /** The customer's new words (quotes and signatures stripped), at most MAX_MESSAGE_CHARS; may be ''. */
  text: string;
  /** The whole body as text, for people (bounded). */
  fullText: string;
  /** In-Reply-To, then References newest first (PROTOCOLS §3.2). */
  inReplyTo: string[];
  replyToken: { token: string; source: 'address' | 'subject' } | null;
  headers: HeaderMap;
  attachments: AttachmentMeta[];
  files: { idx: number; content: Buffer }[];
}

const MAX_FULL_TEXT = 100_000;
const MAX_HTML = 1_000_000;
const MAX_THREAD_IDS = 50;
/** Reply tokens are conversation ids (`e_<uuid>`): plain characters only. */
const TOKEN = /^[A-Za-z0-9_-]{3,80}$/;
const SUBJECT_TOKEN = /\[#([A-Za-z0-9_-]{3,80})\]/;
const ADDRESS = /^[^\s@<>()",;:]{1,200}@[^\s@<>()",;:]{1,200}$/;

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Header lines by name, unfolded (mailparser keeps the raw lines; their text is what loop rules must see). */
export function headerMap(parsed: ParsedMail): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines ?? []) {
    const value = pgSafe(line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ')).trim();
    const name = pgSafe(key).toLowerCase().slice(0, 200);
    map.set(name, [...(map.get(name) ?? []), value.slice(0, 4000)]);
  }
  return map;
}

/** Message-IDs as written (they are case-sensitive, RFC 5322 §3.6.4), angle brackets kept. */
export function messageIds(value: string): string[] {
  return (value.match(/<[^<>\s]{1,500}>/g) ?? []).map(pgSafe);
}

export function validAddress(value: string | undefined | null): string {
  const a = pgSafe(value ?? '')
    .trim()
    .toLowerCase();
  return ADDRESS.test(a) && a.length <= 320 ? a : '';
}

/** A plus-address token (support+<token>@…), PROTOCOLS §3.2 step 2. */
export function plusToken(address: string): string | null {
  const local = address.split('@')[0] ?? '';
  const plus = local.indexOf('+');
  const token = plus >= 0 ? local.slice(plus + 1) : '';
  return TOKEN.test(token) ? token : null;
}

/** The address without its +tag, lower-cased: what an agent is configured with. */
export function baseAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus >= 0 ? local.slice(0, plus) : local}@${address.slice(at + 1)}`.toLowerCase();
}

/** The subject without reply prefixes and our token: what `Re: …` is built on. */
export function baseSubject(subject: string): string {
  let s = subject.replace(/\s*\[#[A-Za-z0-9_-]{3,80}\]\s*/g, ' ').trim();
  for (let i = 0; i < 10; i++) {
    const next = s.replace(/^(re|aw|fw|fwd|sv|antw|wg|tr|r|rif)\s*(\[\d+\])?\s*:\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim();
}

function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.8 ? cut.slice(0, space) : cut}…`;
}

export function normalizeEmail(
  parsed: ParsedMail,
  raw: Buffer,
  ctx: { recipients: string[]; envelopeFrom?: string | undefined; limits: AttachmentLimits },
): NormalizedEmail {
  const headers = headerMap(parsed);
  const [ownId] = messageIds(headers.get('message-id')?.[0] ?? '');
  const externalId = ownId ?? `<${sha256(raw).slice(0, 40)}@hash.twelve.invalid>`;
  const fromHeader = parsed.from?.value?.[0];
  const from = validAddress(fromHeader?.address) || validAddress(ctx.envelopeFrom);
  const replyTo = firstAddress(parsed.replyTo);
  const subject = pgSafe(parsed.subject ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
  const inReplyTo = [
    ...messageIds((headers.get('in-reply-to') ?? []).join(' ')),
    ...messageIds((headers.get('references') ?? []).join(' ')).reverse(),
  ];
  const plain =
    typeof parsed.text === 'string' && parsed.text.trim()
      ? parsed.text
      : typeof parsed.html === 'string'
        ? emailHtmlToText(parsed.html.slice(0, MAX_HTML))
        : '';
  const fullText = tidy(pgSafe(plain.slice(0, MAX_FULL_TEXT)));
  // Over IMAP there is no envelope: the headers say where the message was addressed.
  const fromHeaders = () =>
    ['delivered-to', 'x-original-to', 'to', 'cc'].flatMap((name) =>
      (headers.get(name) ?? []).flatMap((v) => v.match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? []),
    );
  const recipients = (ctx.recipients.length ? ctx.recipients : fromHeaders())
    .map(validAddress)
    .filter(Boolean)
    .slice(0, 50);
  const addressToken = recipients.map(plusToken).find((t) => t !== null);
  const subjectToken = SUBJECT_TOKEN.exec(subject)?.[1];
  const { attachments, files } = attachmentsWithin(parsed, ctx.limits);
  return {
    externalId,
    messageIdGenerated: !ownId,
    from,
    fromName: fromHeader?.name ? pgSafe(fromHeader.name).slice(0, 200) : null,
    replyTo,
    subject,
    recipients,
    text: cap(stripQuotedText(fullText), MAX_MESSAGE_CHARS),
    fullText,
    inReplyTo: [...new Set(inReplyTo)].filter((id) => id !== externalId).slice(0, MAX_THREAD_IDS),
    replyToken: addressToken
      ? { token: addressToken, source: 'address' }
      : subjectToken
        ? { token: subjectToken, source: 'subject' }
        : null,
    headers,
    attachments,
    files,
  };
}

/** The first valid address of an address header (mailparser's value), looking inside groups ("team: a@x, b@y;"). */
function firstAddress(header: ParsedMail['replyTo']): string {
  const queue = [...(header?.value ?? [])];
  for (let seen = 0; queue.length && seen < 100; seen++) {
    const a = queue.shift()!;
    if (a.group?.length) queue.unshift(...a.group);
    const valid = validAddress(a.address);
    if (valid) return valid;
  }
  return '';
}

/** Keeps attachments in arrival order while they fit the limits; the rest are listed, not stored. */
function attachmentsWithin(
  parsed: ParsedMail,
  limits: AttachmentLimits,
): { attachments: AttachmentMeta[]; files: { idx: number; content: Buffer }[] } {
  const attachments: AttachmentMeta[] = [];
  const files: { idx: number; content: Buffer }[] = [];
  let total = 0;
  for (const [idx, a] of (parsed.attachments ?? []).entries()) {
    const content = Buffer.isBuffer(a.content) ? a.content : Buffer.alloc(0);
    const meta: AttachmentMeta = {
      idx,
      filename: pgSafe(a.filename ?? `attachment-${idx + 1}`).slice(0, 200),
      contentType: pgSafe(a.contentType ?? 'application/octet-stream').slice(0, 200),
      size: content.length,
      sha256: sha256(content),
      inline: a.related === true,
      stored: false,
    };
    if (files.length >= limits.maxFiles) meta.skipped = `more than ${limits.maxFiles} attachments`;
    else if (total + content.length > limits.maxTotalBytes)
      meta.skipped = `over ${limits.maxTotalBytes} bytes of attachments`;
    else {
      meta.stored = true;
      total += content.length;
      files.push({ idx, content });
    }
    attachments.push(meta);
  }
  return { attachments, files };
}

export type EngineInput =
  | { text: string; needsHuman?: { reason: string; autoReply: string } }
  | { drop: string };

export const ATTACHMENT_NOTICE =
  'Thank you, we have received your attachment. A member of our team will look at it and reply to you.';

/**
 * What the agent (or a person) gets: the new words; or, for a message with only attachments, a person (the agent
 * cannot read files); or, when nothing new was written (a bare "Sent from my iPhone", a quote-only reply), the
 * subject, then the whole text. A message with nothing at all is dropped: there is nothing to answer.
 */
export function engineInput(n: NormalizedEmail): EngineInput {
  if (n.text) return { text: n.text };
  const files = n.attachments.filter((a) => !a.inline);
  if (files.length) {
    const names = files.map((a) => a.filename).join(', ');
    const subject = baseSubject(n.subject);
    return {
      text: cap(`${subject ? `${subject}\n` : ''}[attachments: ${names}]`, MAX_MESSAGE_CHARS),
      needsHuman: { reason: 'the customer sent only attachments', autoReply: ATTACHMENT_NOTICE },
    };
  }
  const fallback = cap(baseSubject(n.subject) || n.fullText, MAX_MESSAGE_CHARS).trim();
  return fallback ? { text: fallback } : { drop: 'empty message' };
}
