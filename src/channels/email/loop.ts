// Auto-reply loop protection (RFC 3834, PROTOCOLS §3.3): mail that a machine sent, that went to a list, that
// bounced, or that we sent ourselves is never answered. Two autoresponders answering each other forever is the
// failure this prevents; the message is still recorded (as dropped, with the reason) for the audit and ops views.
import { baseAddress } from './normalize.ts';

/** Header values by lower-case name, each occurrence unfolded (RFC 5322 §2.2.3). */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export interface LoopContext {
  headers: HeaderMap;
  /** The From address, lower-cased. */
  from: string;
  /** The Reply-To address, lower-cased, when there is one: where the answer would go instead of From. */
  replyTo?: string | undefined;
  subject: string;
  /** The SMTP envelope sender: '' is the null reverse-path of bounces (RFC 5321 §4.5.5); undefined over IMAP. */
  envelopeFrom?: string | undefined;
  /** Every address we send from (agents' support addresses, TWELVE_MAIL_FROM), lower-cased. */
  ownAddresses: ReadonlySet<string>;
}

/** Set on every message we send, so a reply of ours that comes back is recognized (with From, below). */
export const OWN_MESSAGE_HEADER = 'x-twelve-message';

/** The Message-IDs we mint (sender.ts): a forwarder may strip our header but keeps this. */
export const OWN_MESSAGE_ID = /^<twelve\.[0-9a-f-]{36}@/;

/** Local parts of mail systems: what they send is a bounce or a report, whatever it asks replies to go to. */
const MAIL_SYSTEM = /^(mailer-daemon|postmaster|bounces?)([+-].*)?$/i;

/** Local parts that never belong to a person who reads an answer. */
const MACHINE_ADDRESS =
  /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|bounces?|auto-?reply|autoresponder)([+-].*)?$/i;

/** Subjects of autoresponders that set none of the headers below (seen from small hosting providers). */
const AUTO_REPLY_SUBJECT =
  /^\s*(automatic reply|auto(matic)?[- ]?reply|auto(matic)?[- ]?response|out of (the )?office|abwesenheitsnotiz|réponse automatique|respuesta automática)\b/i;

const first = (h: HeaderMap, name: string) => (h.get(name)?.[0] ?? '').trim();

/** Why this message must not be answered, or null when it may be. */
export function loopReason(ctx: LoopContext): string | null {
  const h = ctx.headers;
  // RFC 3834 §2 and §5: any Auto-Submitted value other than "no" means a machine sent it.
  const autoSubmitted = first(h, 'auto-submitted').split(';')[0]!.trim().toLowerCase();
  if (h.has('auto-submitted') && autoSubmitted !== 'no')
    return `Auto-Submitted: ${autoSubmitted || '(empty)'}`;
  // MS-OXCMAIL §2.1.3.2.20: Exchange asks not to be answered automatically with these values.
  const suppress = first(h, 'x-auto-response-suppress');
  if (/(^|[\s,])(all|autoreply|oof)([\s,]|$)/i.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;
  // De facto (RFC 3834 §2 notes it): bulk, list and junk mail is never answered.
  const precedence = first(h, 'precedence').toLowerCase();
  if (['bulk', 'list', 'junk'].includes(precedence)) return `Precedence: ${precedence}`;
  // RFC 2369 / RFC 2919 list headers; RFC 3834 §2: responders MAY ignore mail from lists.
  for (const name of h.keys()) if (name.startsWith('list-')) return `mailing list (${name} header)`;
  // Bounces and delivery reports: the null reverse-path (RFC 5321 §4.5.5) or a multipart/report (RFC 6522).
  if (ctx.envelopeFrom === '') return 'bounce (null envelope sender)';
  if (h.has('return-path') && first(h, 'return-path').replace(/\s/g, '') === '<>')
    return 'bounce (Return-Path: <>)';
  if (/^multipart\/report\b/i.test(first(h, 'content-type'))) return 'delivery report (multipart/report)';
  // Our own replies looping back: the header we set, an X-Loop naming us, or one of our addresses as sender.
  if (h.has(OWN_MESSAGE_HEADER)) return 'our own message (X-Twelve-Message)';
  if (OWN_MESSAGE_ID.test(first(h, 'message-id'))) return 'our own message (Message-ID)';
  const xLoop = (h.get('x-loop') ?? []).join(' ').toLowerCase();
  for (const own of ctx.ownAddresses) if (xLoop.includes(own)) return `X-Loop: ${own}`;
  // Ours with or without a +tag (support+<token>@ is how our replies' tokens travel).
  const ours = (address: string) =>
    ctx.ownAddresses.has(address) || ctx.ownAddresses.has(baseAddress(address));
  if (ours(ctx.from)) return 'sent from one of our own addresses';
  // The answer goes to Reply-To when there is one: it must not be one of ours (we would answer ourselves) or a
  // machine's. A no-reply From with a person's Reply-To (a web form, a shop's contact relay) is answered, to them.
  if (ctx.replyTo && ours(ctx.replyTo)) return 'Reply-To is one of our own addresses';
  const fromLocal = ctx.from.split('@')[0] ?? '';
  if (MAIL_SYSTEM.test(fromLocal)) return `machine sender (${fromLocal})`;
  const target = (ctx.replyTo || ctx.from).split('@')[0] ?? '';
  if (MACHINE_ADDRESS.test(target))
    return ctx.replyTo ? `machine Reply-To (${target})` : `machine sender (${target})`;
  if (AUTO_REPLY_SUBJECT.test(ctx.subject)) return 'auto-reply subject';
  return null;
}
