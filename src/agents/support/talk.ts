// The conversations people actually have around their questions, decided before (and beside) the knowledge base, by
// rules outside any model: greetings, thanks, goodbyes and "are you a bot?" get short replies and are never counted
// as misunderstood (intent 'talk'); abuse, anger and complaints get one calm reply and go to a person; a message in
// another language gets a reply in that language saying a person will answer; opening times and dates ("Is the shop
// open on Christmas Day?") are answered from the agent's business hours; a follow-up ("and on bank holidays?") is
// read against the question the previous answer answered.
import { type BusinessHours, DAY_KEYS, dayRanges, localTime } from '../../business/hours.ts';
import { lazy } from '../../lazy.ts';
import type { ActionInput, BrainContext } from '../../runtime/types.ts';

export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'bot';

/** A message's words: lower case, apostrophes kept, everything else that is not a letter or digit a space. */
export function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .trim();
}

const PHRASES: Record<SmallTalk, string[]> = {
  greeting: [
    'hi',
    'hello',
    'hey',
    'hiya',
    'howdy',
    'heya',
    'good (?:morning|afternoon|evening|day)',
    'greetings',
    'yo',
    'how are you(?: doing)?',
    "how's it going",
    "hope you're (?:well|ok)",
  ],
  thanks: [
    'thanks(?: a lot| so much| very much| a million)?',
    'thank you(?: so much| very much)?',
    'thankyou',
    'thx',
    'ty',
    'cheers',
    'ta',
    'many thanks',
    'much appreciated',
    'appreciated',
    '(?:thanks|thank you) for (?:your|the|all the) help',
    'great',
    'perfect',
    'brilliant',
    'awesome',
    'cool',
    'ok',
    'okay',
    'lovely',
    'nice',
    'super',
    'fantastic',
    'got it',
    'that helps',
    "that's (?:great|perfect|helpful|brilliant)",
  ],
  goodbye: [
    'bye(?: bye)?',
    'good ?bye',
    'see (?:you|ya)',
    'cya',
    'have a (?:nice|good|great|lovely) (?:day|evening|weekend)',
    "that's (?:all|it)",
    'that is all',
    'nothing else',
    'all good',
    'no more questions',
    'take care',
  ],
  bot: [
    'are you (?:a |an )?(?:bot|robot|machine|ai|chatbot|computer|program)',
    'is this (?:a |an )?(?:bot|robot|machine|ai|chatbot|automated)',
    'am i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:bot|robot|machine|ai|chatbot|computer)',
    'who are you',
    'what are you',
  ],
};
const FILLER = [
  'very much',
  'so much',
  'a lot',
  'so',
  'and',
  'oh',
  'well',
  'again',
  'all',
  'guys',
  'team',
  'folks',
  'everyone',
  'there',
  'you',
  'mate',
  'please',
];
/** Longest alternatives first: "thank you so much" is one phrase, not "thank you" and a remainder. */
const alternation = (alts: string[]) => [...alts].sort((a, b) => b.length - a.length).join('|');
const PHRASE_RE = Object.fromEntries(
  Object.entries(PHRASES).map(([k, p]) => [k, new RegExp(`^(?:${alternation(p)})\\b\\s*`)]),
) as Record<SmallTalk, RegExp>;
const FILLER_RE = new RegExp(`^(?:${alternation(FILLER)})\\b\\s*`);
/** Longer messages carry a question, whatever pleasantries wrap it. */
const MAX_SMALL_TALK_WORDS = 12;
/** When a message holds several kinds ("ok thanks, bye"), the reply answers the last word's intent first. */
const PRIORITY: SmallTalk[] = ['goodbye', 'bot', 'thanks', 'greeting'];

/**
 * The kind of small talk a message is, when it is nothing but small talk ("hi", "thanks!", "ok thank you, bye",
 * "are you a bot?"); null when it holds anything else ("hi, where is my order?").
 */
export function smallTalkOf(text: string): SmallTalk | null {
  let rest = words(text);
  if (rest === '' || rest.split(' ').length > MAX_SMALL_TALK_WORDS) return null;
  const found = new Set<SmallTalk>();
  while (rest !== '') {
    const kind = PRIORITY.find((k) => PHRASE_RE[k].test(rest));
    if (kind) {
      found.add(kind);
      rest = rest.replace(PHRASE_RE[kind], '');
      continue;
    }
    if (found.size > 0 && FILLER_RE.test(rest)) {
      rest = rest.replace(FILLER_RE, '');
      continue;
    }
    return null;
  }
  // "great" or "ok" alone is an acknowledgement: thanks.
  return PRIORITY.find((k) => found.has(k)) ?? null;
}

/** The short replies; {name} is the agent's display name. */
export const SMALL_TALK_REPLIES: Record<SmallTalk, string> = {
  greeting: 'Hello! What can I help you with?',
  thanks: "You're welcome! Is there anything else I can help with?",
  goodbye: 'Thanks for getting in touch. Goodbye!',
  bot: "I'm {name}'s automated assistant: I answer from the help pages, and a person on the team takes anything I can't answer. Just ask for a person at any time.",
};

export function smallTalkReply(kind: SmallTalk, name: string): string {
  return SMALL_TALK_REPLIES[kind].replace('{name}', name);
}

const ABUSE =
  /\b(?:stupid|idiot(?:ic|s)?|dumb|moron(?:ic)?|useless|rubbish|garbage|trash|crap(?:py)?|shit(?:ty)?|bullshit|f+u+c+k\w*|wtf|damn(?:ed)?|bloody|pathetic|ridiculous|terrible|awful|horrible|appalling|worst|hopeless|incompetent|disgusting|disgrace(?:ful)?|furious|angry|livid|fed up|sick of|waste of (?:time|money)|complain(?:t|ts|ing|ed)?|unacceptable|outrageous|shame on you|never (?:again|buying)|ripped off|rip off|joke of a)\b/i;

/** Abuse, anger or a complaint: a person should take it (after one calm reply). */
export function isUpset(text: string): boolean {
  return ABUSE.test(text);
}

export const CALM_REPLY =
  "I'm sorry this has been frustrating. I'm passing your message to a person on the team, who will take it from here.";

/** The language a knowledge base is written in (the example shop's and the default): others get a person. */
export const KB_LANGUAGE = 'en';
/** Below this many letters, language detection guesses. */
const MIN_LETTERS = 12;
/** tinyld's score a detection must reach (its scores for a clear sentence are near 1; for English ones often ~0.1). */
const MIN_LANGUAGE_SCORE = 0.5;

/** tinyld's language profiles cost ~150 ms and a few MB to load: only when a message is long enough to ask. */
const tinyld = lazy<typeof import('tinyld')>('tinyld');

/**
 * The language of a message when it is confidently not the knowledge base's (ISO 639-1, "de"); null when it is
 * the knowledge base's language, or too short or too mixed to tell.
 */
export function otherLanguageOf(text: string, kbLanguage = KB_LANGUAGE): string | null {
  if ((text.match(/\p{L}/gu) ?? []).length < MIN_LETTERS) return null;
  const [top] = tinyld().detectAll(text);
  if (!top || top.lang === kbLanguage || top.accuracy < MIN_LANGUAGE_SCORE) return null;
  return top.lang;
}

/** "Thanks for your message: a person will answer", in the languages customers most often write in. */
const PERSON_WILL_ANSWER: Record<string, string> = {
  de: 'Danke für Ihre Nachricht! Ich kann sie leider nicht beantworten, aber ein Mitarbeiter meldet sich bei Ihnen.',
  fr: 'Merci pour votre message ! Je ne peux pas y répondre moi-même, mais une personne de l’équipe va vous répondre.',
  es: '¡Gracias por su mensaje! No puedo responderlo yo mismo, pero una persona del equipo le responderá.',
  it: 'Grazie per il messaggio! Non posso rispondere io, ma una persona del team le risponderà.',
  nl: 'Bedankt voor uw bericht! Ik kan het zelf niet beantwoorden, maar een medewerker neemt contact met u op.',
  pt: 'Obrigado pela sua mensagem! Não consigo responder, mas uma pessoa da equipa vai responder-lhe.',
  pl: 'Dziękujemy za wiadomość! Nie mogę na nią odpowiedzieć, ale odpowie Ci osoba z naszego zespołu.',
  sv: 'Tack för ditt meddelande! Jag kan inte svara själv, men en person i teamet återkommer till dig.',
  da: 'Tak for din besked! Jeg kan ikke selv svare, men en person fra teamet vender tilbage til dig.',
  no: 'Takk for meldingen! Jeg kan ikke svare selv, men en person fra teamet tar kontakt med deg.',
  fi: 'Kiitos viestistäsi! En voi vastata siihen itse, mutta tiimimme jäsen vastaa sinulle.',
  tr: 'Mesajınız için teşekkürler! Kendim yanıtlayamıyorum, ancak ekibimizden biri size yanıt verecek.',
  ru: 'Спасибо за сообщение! Я не могу ответить сам, но вам ответит сотрудник нашей команды.',
  uk: 'Дякуємо за повідомлення! Я не можу відповісти сам, але вам відповість працівник нашої команди.',
  ja: 'メッセージありがとうございます。私からはお答えできませんが、担当者がご返信いたします。',
  zh: '感谢您的留言！我无法直接回答，工作人员会尽快回复您。',
  ar: 'شكرًا على رسالتك! لا أستطيع الرد عليها بنفسي، لكن سيرد عليك أحد أعضاء الفريق.',
};

/** The reply to a message in another language: in that language when we have it, else in English. */
export function otherLanguageReply(lang: string): string {
  return (
    PERSON_WILL_ANSWER[lang] ??
    'Thanks for your message! I can only answer in English, but a person on the team will reply to you.'
  );
}

const FOLLOW_UP =
  /^(?:and|also|plus|but|what about|how about|and what about|and how about|what if|same for|is that (?:also|the same)|does that (?:also )?(?:apply|go) (?:to|for))\b/;
const MAX_FOLLOW_UP_WORDS = 8;

/** A short message that leans on the one before ("and on bank holidays?", "what about Saturdays?"). */
export function isFollowUp(text: string): boolean {
  const w = words(text);
  return w !== '' && w.split(' ').length <= MAX_FOLLOW_UP_WORDS && FOLLOW_UP.test(w);
}

// ---------------------------------------------------------------------------------------------------------------
// Opening times and dates, from the agent's business hours.

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_RE = `(${MONTH_NAMES.map((m) => `${m}|${m.slice(0, 3)}`).join('|')})`;
const OPENING = /\b(?:open|opening|opens|close|closed|closes|closing|hours|shut|trading)\b/;
const HOLIDAYS_IN_GENERAL = /\b(?:bank|public) holidays?\b|\bholidays\b/;

/** Easter Sunday of a year (the anonymous Gregorian algorithm), as month and day. */
function easter(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  return { month, day: ((h + l - 7 * m + 114) % 31) + 1 };
}

/** Named days, as a date in a given year (UTC midnight). */
const NAMED_DAYS: { re: RegExp; name: string; date: (year: number) => Date }[] = [
  { re: /\bchristmas eve\b/, name: 'Christmas Eve', date: (y) => new Date(Date.UTC(y, 11, 24)) },
  { re: /\bboxing day\b/, name: 'Boxing Day', date: (y) => new Date(Date.UTC(y, 11, 26)) },
  { re: /\bnew year'?s eve\b/, name: "New Year's Eve", date: (y) => new Date(Date.UTC(y, 11, 31)) },
  { re: /\bnew year'?s?(?: day)?\b/, name: "New Year's Day", date: (y) => new Date(Date.UTC(y, 0, 1)) },
  {
    re: /\b(?:christmas|xmas)(?: day)?\b/,
    name: 'Christmas Day',
    date: (y) => new Date(Date.UTC(y, 11, 25)),
  },
  {
    re: /\bgood friday\b/,
    name: 'Good Friday',
    date: (y) => {
      const e = easter(y);
      return new Date(Date.UTC(y, e.month - 1, e.day - 2));
    },
  },
  {
    re: /\beaster monday\b/,
    name: 'Easter Monday',
    date: (y) => {
      const e = easter(y);
      return new Date(Date.UTC(y, e.month - 1, e.day + 1));
    },
  },
  {
    re: /\beaster(?: sunday)?\b/,
    name: 'Easter Sunday',
    date: (y) => {
      const e = easter(y);
      return new Date(Date.UTC(y, e.month - 1, e.day));
    },
  },
];

const iso = (d: Date) => d.toISOString().slice(0, 10);
const dayName = (d: Date) =>
  `${WEEKDAY_NAMES[d.getUTCDay()]} ${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]!.replace(/^./, (c) => c.toUpperCase())}`;

/** The day a question asks about (the next one on or after today), with its name when it has one. */
function askedDay(w: string, today: Date): { date: Date; name?: string } | null {
  const next = (make: (year: number) => Date) => {
    const y = today.getUTCFullYear();
    const d = make(y);
    return d.getTime() >= today.getTime() ? d : make(y + 1);
  };
  for (const n of NAMED_DAYS) if (n.re.test(w)) return { date: next(n.date), name: n.name };
  if (/\b(?:today|tonight|now|this (?:morning|afternoon|evening))\b/.test(w))
    return { date: today, name: 'today' };
  if (/\btomorrow\b/.test(w)) return { date: new Date(today.getTime() + 86_400_000), name: 'tomorrow' };
  const dm = w.match(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: of)? ${MONTH_RE}\\b`));
  const md = w.match(new RegExp(`\\b${MONTH_RE} (\\d{1,2})(?:st|nd|rd|th)?\\b`));
  const pick = dm ? { day: Number(dm[1]), month: dm[2]! } : md ? { day: Number(md[2]), month: md[1]! } : null;
  if (pick) {
    const month = MONTH_NAMES.findIndex((m) => m.startsWith(pick.month.slice(0, 3)));
    const valid = (y: number) => new Date(Date.UTC(y, month, pick.day)).getUTCMonth() === month;
    if (month >= 0 && pick.day >= 1 && valid(today.getUTCFullYear()))
      return { date: next((y) => new Date(Date.UTC(y, month, pick.day))) };
  }
  for (let k = 0; k < 7; k++) {
    const name = WEEKDAY_NAMES[k]!.toLowerCase();
    if (new RegExp(`\\b${name}s?\\b`).test(w)) {
      const offset = (k - today.getUTCDay() + 7) % 7;
      return { date: new Date(today.getTime() + offset * 86_400_000) };
    }
  }
  return null;
}

/** "09:00-18:00" → "9:00–18:00". */
const range = (r: string) => `${r.slice(0, 5).replace(/^0/, '')}–${r.slice(6).replace(/^0/, '')}`;

/**
 * The answer to a question about opening times on a day or about holidays, from the agent's business hours; null
 * when the question is not one (it names no day, or says nothing of opening), or the agent has no schedule.
 */
export function hoursAnswer(text: string, hours: BusinessHours | null, at: Date): string | null {
  if (!hours?.timezone) return null;
  const w = words(text);
  if (!OPENING.test(w) && !/\bare you (?:in|around|working)\b/.test(w)) return null;
  const ranges = dayRanges(hours);
  if (Object.keys(ranges).length === 0) return null;
  const local = localTime(at, hours.timezone);
  const today = new Date(Date.UTC(local.year, local.month - 1, local.day));
  const closed = new Set(hours.closed ?? []);
  const asked = askedDay(w, today);
  if (asked) {
    const d = asked.date;
    const label =
      asked.name === 'today' || asked.name === 'tomorrow'
        ? `${asked.name} (${dayName(d)})`
        : asked.name
          ? `on ${asked.name}, ${dayName(d)}`
          : `on ${dayName(d)}`;
    if (closed.has(iso(d))) return `We're closed ${label}.${reopening(d, ranges, closed)}`;
    const r = ranges[DAY_KEYS[d.getUTCDay()]!];
    if (!r)
      return `We're closed ${label}: we don't open on ${WEEKDAY_NAMES[d.getUTCDay()]}s.${reopening(d, ranges, closed)}`;
    const capital = label
      .replace(/^on /, 'On ')
      .replace(/^(today|tomorrow)/, (m) => m[0]!.toUpperCase() + m.slice(1));
    return `${capital} we're open ${range(r)}.`;
  }
  if (HOLIDAYS_IN_GENERAL.test(w)) {
    const upcoming = [...closed]
      .filter((d) => d >= iso(today))
      .sort()
      .slice(0, 4);
    if (upcoming.length === 0)
      return `We have no closed dates planned; our usual hours apply: ${weekText(ranges)}.`;
    const list = upcoming.map((d) => dayName(new Date(`${d}T00:00:00Z`)));
    return `We're closed on bank holidays. The next closed dates are ${joinAnd(list)}. Otherwise our hours are ${weekText(ranges)}.`;
  }
  return null;
}

function reopening(d: Date, ranges: Partial<Record<string, string>>, closed: Set<string>): string {
  for (let k = 1; k <= 14; k++) {
    const next = new Date(d.getTime() + k * 86_400_000);
    const r = ranges[DAY_KEYS[next.getUTCDay()]!];
    if (r && !closed.has(iso(next))) return ` We're open again on ${dayName(next)}, ${range(r)}.`;
  }
  return '';
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "Monday to Friday 9:00–18:00, Saturday 10:00–16:00": runs of weekdays with the same hours. */
export function weekText(ranges: Partial<Record<string, string>>): string {
  const order = [1, 2, 3, 4, 5, 6, 0];
  const parts: string[] = [];
  let i = 0;
  while (i < order.length) {
    const r = ranges[DAY_KEYS[order[i]!]!];
    if (!r) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < order.length && ranges[DAY_KEYS[order[j + 1]!]!] === r) j++;
    const from = WEEKDAY_NAMES[order[i]!]!;
    const to = WEEKDAY_NAMES[order[j]!]!;
    parts.push(`${i === j ? from : `${from} to ${to}`} ${range(r)}`);
    i = j + 1;
  }
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// The steps a brain takes with them.

/** The topic of answers given from the business hours (a later question on it reopens the conversation as usual). */
export const HOURS_TOPIC = 'business-hours';

/** A reply that goes to a person after it is sent: the next step escalates with this reason. */
interface ThenEscalate {
  next: 'escalate';
  reason: string;
  summary: string;
}

/**
 * What a brain does after its first reply in a run: escalate when that reply said a person would take over (a calm
 * reply to an upset customer, a reply in another language), else finish.
 */
export function afterReply(ctx: BrainContext): ActionInput | null {
  const replies = ctx.history.filter((h) => h.action.type === 'reply');
  if (replies.length === 0) return null;
  if (ctx.history.some((h) => h.action.type === 'escalate')) return { type: 'done', outcome: 'escalated' };
  const last = replies.at(-1)!.action as { state?: Partial<ThenEscalate> };
  if (last.state?.next === 'escalate')
    return {
      type: 'escalate',
      reason: last.state.reason ?? 'a person takes over',
      summary: last.state.summary ?? '',
    };
  return { type: 'done', outcome: 'replied' };
}

function quoted(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return `"${t.length > 300 ? `${t.slice(0, 299)}…` : t}"`;
}

/**
 * The talk that comes before the knowledge base: small talk, an upset customer, a question about opening times.
 * Null: the knowledge base answers (or not) as usual.
 */
export function talkBefore(
  ctx: BrainContext,
  question: string,
  hours: BusinessHours | null,
  at: Date,
): ActionInput | null {
  const small = smallTalkOf(question);
  if (small)
    return {
      type: 'reply',
      text: smallTalkReply(small, ctx.agent.displayName),
      confidence: 1,
      sources: [],
      intent: 'talk',
      final: true,
    };
  if (isUpset(question))
    return {
      type: 'reply',
      text: CALM_REPLY,
      confidence: 1,
      sources: [],
      intent: 'talk',
      final: false,
      state: {
        next: 'escalate',
        reason: 'the customer is upset or complaining',
        summary: `The customer wrote ${quoted(question)}: abuse, anger or a complaint goes to a person. They were told a person will take it from here.`,
      } satisfies ThenEscalate,
    };
  const fromHours = hoursAnswer(question, hours, at);
  if (fromHours) return hoursReply(fromHours);
  return null;
}

export function hoursReply(text: string): ActionInput {
  return {
    type: 'reply',
    text,
    confidence: 1,
    sources: [],
    intent: 'answer',
    topic: HOURS_TOPIC,
    final: true,
  };
}

/** A message in another language than the knowledge base's: a reply in it, then a person. Null otherwise. */
export function otherLanguageStep(question: string): ActionInput | null {
  const lang = otherLanguageOf(question);
  if (!lang) return null;
  return {
    type: 'reply',
    text: otherLanguageReply(lang),
    confidence: 1,
    sources: [],
    intent: 'talk',
    final: false,
    state: {
      next: 'escalate',
      reason: `a message in another language (${lang})`,
      summary: `The customer wrote in another language (${lang}): ${quoted(question)}. They were told, in it, that a person will answer.`,
    } satisfies ThenEscalate,
  };
}
