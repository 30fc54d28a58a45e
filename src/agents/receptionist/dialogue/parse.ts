// What a customer's message to the receptionist means: the intent, the service, the date and time as they said them,
// and the details they give (name, phone, email, a booking's code). Deterministic, offline, well under a millisecond
// for a chat message: rules over the normalised text (when.ts reads dates and times, services.ts the service), with
// chrono-node for the date forms the rules do not know. A date that could mean two days is reported as `ambiguous`
// with its options, never guessed.
import type { Intent, Understanding } from '../model.ts';
import { type WallClock, wallClock } from './calendar.ts';
import { matchService } from './services.ts';
import { readWhen, type WhenOptions } from './when.ts';

export interface UnderstandOptions extends WhenOptions {
  /** Now: an instant, or the local wall-clock time in `tz` as `YYYY-MM-DDTHH:MM[:SS]`. */
  now: Date | string;
  /** The business's IANA time zone. */
  tz: string;
  /** The business's service names. */
  services: readonly string[];
}

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
// 7+ digits with spaces, dashes, dots or brackets between them, an optional leading +.
export const PHONE = /(?<![\w/:.])\+?\(?\d[\d\s().-]{5,}\d(?![\w/:])/g;
const CODE_AFTER =
  /\b(?:code|ref|reference|confirmation(?: number| code| no\.?)?|booking(?: number| ref(?:erence)?| code| no\.?)?|number)\s*(?:is|:|#|no\.?)?\s*([A-Za-z0-9]{4,10})\b/gi;
const CODE_ALONE = /\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{5,10}\b/g;
const NOT_CODE = /^\d+(?:am|pm|st|nd|rd|th)$/i;

function looksLikeCode(w: string): boolean {
  return /\d/.test(w) && /[a-z]/i.test(w) && !NOT_CODE.test(w);
}

/** Finds a quoted booking code: after "code"/"ref"/"booking", or an upper-case word of letters and digits. */
function findCode(text: string): string | undefined {
  for (const m of text.matchAll(CODE_AFTER)) if (m[1] && looksLikeCode(m[1])) return m[1].toUpperCase();
  for (const m of text.matchAll(CODE_ALONE)) if (looksLikeCode(m[0])) return m[0];
  return undefined;
}

function findPhone(text: string): { phone: string; raw: string } | undefined {
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    // 15:30, 10.15, 3/4 are not phone numbers; neither is a date like 2026-03-31.
    if (/^\d{4}-\d{2}-\d{2}$/.test(m[0].trim())) continue;
    return { phone: (m[0].trim().startsWith('+') ? '+' : '') + digits, raw: m[0] };
  }
  return undefined;
}

const NAME_WORD = "[A-Z][a-zA-Z'-]+";
const NAME_LEAD = /\b(?:my name is|my name's|my names|name is|name's|this is|i'm|i am|it's|call me)\s+/gi;
const NOT_NAME = new Set([
  'Here',
  'Looking',
  'Calling',
  'Trying',
  'Wondering',
  'Sorry',
  'Just',
  'Sick',
  'Not',
  'Available',
  'Free',
  'Going',
  'Hoping',
  'Interested',
  'Ok',
  'Okay',
  'Fine',
  'Back',
]);

/** A name given as "my name is …", "this is …", "I'm …" (capitalised words, or any words after "my name is"). */
function findName(text: string): string | undefined {
  for (const m of text.matchAll(NAME_LEAD)) {
    const after = text.slice((m.index ?? 0) + m[0].length);
    const explicit = /name/i.test(m[0]);
    const re = explicit
      ? /^([a-zA-Z][a-zA-Z'-]+)(?:\s+([a-zA-Z][a-zA-Z'-]+))?/
      : new RegExp(`^(${NAME_WORD})(?:\\s+(${NAME_WORD}))?`);
    const n = re.exec(after);
    if (!n?.[1]) continue;
    const parts = [n[1], n[2]].filter(
      (w): w is string =>
        Boolean(w) && !/^(and|my|i|im|from|here|calling|please|phone|number|email)$/i.test(w!),
    );
    if (parts.length === 0 || NOT_NAME.has(cap(parts[0]!))) continue;
    // A second word only when it is part of the name (capitalised, or after "my name is").
    const words = explicit ? parts : parts.filter((w) => /^[A-Z]/.test(w));
    if (words.length === 0) continue;
    return words.map(cap).join(' ');
  }
  return undefined;
}

const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

// The intent rules, checked in this order; the first that matches wins.
const PERSON =
  /\b(?:speak|talk|chat)(?:ing)? (?:to|with)\b|\b(?:real|actual|live) (?:person|human|people)\b|\bhuman\b|\bput me through\b|\b(?:call|ring|phone) me(?: back)?\b|\bcall ?back\b|\bsomeone (?:to )?call\b|\boperator\b|\bconnect me\b/;
const CANCEL =
  /\bcancel|\b(?:can'?t|cannot|can not|won'?t|will not|unable to|not able to)(?: be able to)? (?:make|come|attend|do)\b|\bcall(?:ing)? off\b|\bdrop my (?:appointment|booking)\b/;
const RESCHEDULE =
  /\bre-?schedul|\bre-?book|\bre-?arrange|\bmove (?:my|the|it|our|his|her|this)\b|\bmoved?\b.*\b(?:to|appointment|booking)\b|\bchange (?:my|the|our|his|her|this)\b|\bchange (?:it|that) to\b|\bpush (?:it|my|the|our)\b.*\b(?:back|forward|later|earlier)\b|\bbring (?:it|my|the)\b.*\bforward\b|\b(?:different|another|new) (?:time|day|date) for my\b|\bswitch (?:my|it)\b/;
const QUESTION =
  /\bhow much\b|\bprices?\b|\bcosts?\b|\bcharge\b|\bhow long\b|\bare you open\b|\bopen(?:ing)? (?:hours|times)\b|\bwhat time do you (?:open|close)\b|\b(?:when|what time) (?:do|are) you (?:open|close)|\byour (?:hours|address|location|prices)\b|\bwhere (?:are|is)\b|\baddress\b|\bparking\b|\bdifference between\b|\brefund\b|\bpolicy\b|\binsurance\b/;
const AVAILABILITY =
  /\bavailab|\bany (?:openings?|slots?|space|room|free|gaps?|spots?|appointments? (?:left|free|available))\b|\banything (?:free|open|available|on|in|left|for)\b|\bfree (?:slots?|spots?|time|times|appointments?)\b|\bopenings?\b|\bslots?\b|\bwhat (?:times|slots|days|have you got|do you have|'s free|is free|'s open)\b|\bwhen (?:are you|is|are) (?:free|next)\b|\bwhen can (?:you|i)\b|\bearliest\b|\bnext (?:free|available)\b|\bdo you have (?:any|anything|time|room|space|a slot|an opening)\b|\bhave you got (?:any|anything|time|room|space)\b|\bis there (?:any|anything|a slot|space|room|a space|time)\b|\bare there any\b|\bis (?:\w+ ){0,4}(?:free|ok|okay|open)\b(?! to)|\bare (?:you|there) free\b|\bwhat's available\b|\bwhat is available\b|\bis anyone\b|\bany time\b.*\?\s*$/;
const BOOK =
  /\bbook|\bappointment|\bappt\b|\bschedule\b|\breserve|\bcome in\b|\bget in\b|\bfit (?:me|us|him|her) in\b|\bsqueeze (?:me|us) in\b|\bi'?d like\b|\bi would like\b|\bi want\b|\bi need\b|\bneed an?\b|\bcan i\b|\bcould i\b|\bmay i\b|\bcan (?:we|my|you)\b|\bcould (?:we|you)\b|\bbring\b|\bdrop\b|\bsee you\b(?! then)/;
const YES_NO_QUESTION =
  /^(?:do|does|did|are|is|can|will|would) (?:you|they|it|i need|a|an|there)\b|^(?:what|where|who|why|how|which)\b/;

/** How to pay ("can I pay by card?") is a question unless the message also books ("book me in tomorrow, I'll pay cash"). */
const PAYMENT =
  /\bpay(?:ing|ment)?s?\b|\b(?:credit|debit) cards?\b|\bcash\b|\bcontactless\b|\bapple pay\b|\bgift (?:card|voucher)s?\b/;

/** Asking what a policy or fee is ("what is your cancellation policy?") is a question, not a cancellation. */
const POLICY_QUESTION = /\b(?:policy|policies|fees?)\b/;

function classify(s: string, hasService: boolean, hasWhen: boolean): Intent {
  if (PERSON.test(s)) return 'person';
  if (POLICY_QUESTION.test(s) && YES_NO_QUESTION.test(s) && !hasWhen) return 'question';
  if (CANCEL.test(s)) return 'cancel';
  if (RESCHEDULE.test(s)) return 'reschedule';
  if (QUESTION.test(s)) return 'question';
  if (PAYMENT.test(s) && !hasWhen && !/\bbook|\bappointment|\bappt\b|\breserve/.test(s)) return 'question';
  if (AVAILABILITY.test(s)) return 'availability';
  if (/^(?:do|does) you\b/.test(s)) return 'question';
  if (/^(?:what|where|who|why|how|which)\b/.test(s) && !hasWhen) return 'question';
  if (BOOK.test(s)) {
    // "can you …", "do you …" without a service or a day is asking about the business.
    if (YES_NO_QUESTION.test(s) && !hasService && !hasWhen && !/\bbook|\bappointment|\bappt\b/.test(s))
      return 'question';
    return 'book';
  }
  if (hasService) return YES_NO_QUESTION.test(s) ? 'question' : 'book';
  if (YES_NO_QUESTION.test(s)) return 'question';
  return 'other';
}

/**
 * What one message means, read against now in the business's time zone. Dates are wall-clock dates in `tz`.
 * Deterministic: the same text, now and options give the same answer.
 */
export function understand(text: string, opts: UnderstandOptions): Understanding {
  const now: WallClock = wallClock(opts.now, opts.tz);
  const out: Understanding = { intent: 'other' };
  let rest = text;
  const email = EMAIL.exec(rest);
  if (email) {
    out.email = email[0].toLowerCase();
    rest = rest.replace(email[0], ' ');
  }
  const code = findCode(rest);
  if (code) {
    out.code = code;
    rest = rest.replace(new RegExp(`\\b${code}\\b`, 'i'), ' ');
  }
  const phone = findPhone(rest);
  if (phone) {
    out.phone = phone.phone;
    rest = rest.replace(phone.raw, ' ');
  }
  const name = findName(rest);
  if (name) out.name = name;
  const s = rest.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ').trim();
  const service = matchService(rest, opts.services);
  if (service) out.service = service;
  const provisional = classify(s, Boolean(service), false);
  const when = readWhen(rest, now, { locale: opts.locale, hours: opts.hours }, provisional === 'reschedule');
  const hasWhen = Boolean(when.date || when.time || when.timeQualifier || when.ambiguous);
  out.intent = hasWhen ? classify(s, Boolean(service), true) : provisional;
  if (when.date) out.date = when.date;
  if (when.time) out.time = when.time;
  if (when.timeQualifier) out.timeQualifier = when.timeQualifier;
  if (when.ambiguous) {
    out.ambiguous = when.ambiguous;
    if (when.dateOptions) out.dateOptions = when.dateOptions;
  }
  return out;
}
