// The receptionist's local brain: a deterministic dialogue, no API key. Each customer message is read by
// understand() (dialogue/parse.ts) and merged with the state the previous turn left in its reply's meta (ActionSchema's
// reply `state`, read back by the kind's `start` brain input). It asks only for what is missing (service, day, time,
// name, a phone number or email), searches free times with availability.search (a tool the runtime runs; its result
// is read from the run's history on the next step), offers at most three, reads the booking back and asks to confirm
// before booking.create. Moving and cancelling go by the booking's confirmation code. An ambiguous date is asked
// back, never guessed. Questions are answered from the business profile (hours, services, prices), then from the
// agent's knowledge base (src/knowledge: the same engine and threshold as support, the entry kept as the reply's
// source); anything else goes to a person. Replies are short and speakable: they are also spoken on the phone.
//
// Readiness: when the policy will hold a tool for a person's approval (pilot writes, destructive tools, tools the
// agent marks approval 'always'), the customer is told first that a person will confirm, then the tool is proposed;
// a pilot booking is held meanwhile (tentative: "pending confirmation by the business"). After the decision the run
// resumes and the brain reports the result (booked, or declined with a new day asked for). In shadow the tool is recorded, not run, and
// the reply (a draft) says the booking is noted.

import { bookingByCode } from '../../business/bookings.ts';
import { type BusinessProfile, getProfile, listServices } from '../../business/profile.ts';
import type { Clock } from '../../clock.ts';
import { DRAFT_FROM_SHARE } from '../../knowledge/answer.ts';
import type { Knowledge } from '../../knowledge/knowledge.ts';
import { DateTime } from '../../luxon.ts';
import type { ActionInput, Brain, BrainContext, StepRecord } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { EMAIL, PHONE, understand } from './dialogue/parse.ts';
import type { Understanding } from './model.ts';

/** What one turn leaves for the next (stored in the reply's meta.state, at most 4 KB). */
export interface DialogueState {
  intent?: 'book' | 'reschedule' | 'cancel' | 'availability';
  service?: string;
  date?: string;
  time?: string;
  qualifier?: Understanding['timeQualifier'];
  name?: string;
  phone?: string;
  email?: string;
  code?: string;
  /** The times offered, as slot starts (ISO instants). */
  offered?: string[];
  /** The time chosen, waiting for the details or the confirmation. */
  chosen?: string;
  /** What the last reply asked. */
  awaiting?: 'service' | 'date' | 'choice' | 'name' | 'contact' | 'confirm' | 'code' | 'disambiguate';
  dateOptions?: string[];
  /** This reply told the customer a person will confirm; the tool follows in the same run. */
  held?: boolean;
}

interface Business {
  profile: BusinessProfile;
  services: { name: string; durationMin: number; priceCents: number | null }[];
}

type Tool = 'availability.search' | 'booking.create' | 'booking.reschedule' | 'booking.cancel';

const YES =
  /^\s*(?:yes|yeah|yep|yup|yes please|sure|ok|okay|please do|go ahead|do it|confirm|confirmed|correct|that'?s (?:right|correct|fine|great|perfect)|sounds (?:good|great)|perfect|great|lovely|book it)\b/i;
const NO = /^\s*(?:no|nope|nah|not really|wrong|that'?s (?:wrong|not right)|don'?t)\b/i;
/** A message that only thanks or says goodbye ("thanks, bye", "that's all, cheers"): the conversation ends here. */
const CLOSING =
  /^\s*(?:(?:ok(?:ay)?|great|perfect|lovely|brilliant|no|nope)[\s,!.]+)?(?:thanks?|thank you|thx|cheers|ta|bye|goodbye|good bye|see you|that'?s all|that is all|nothing else)(?:[\s,!.]+(?:thanks?|thank you|so much|very much|a lot|bye|goodbye|for (?:your|the) help|again|cheers|that'?s all))*[\s,!.]*$/i;
// A bare "one" is checked last: "the second one" is the second.
const ORDINALS: [RegExp, number][] = [
  [/\b(?:first|1st|earliest|the 1)\b|^\s*1\s*$/i, 0],
  [/\b(?:second|2nd|two|middle|the 2)\b|^\s*2\s*$/i, 1],
  [/\b(?:third|3rd|three|last|latest|the 3)\b|^\s*3\s*$/i, 2],
  [/\bone\b/i, 0],
];

/** The item of a list said to the customer that "the first/second/third/last one" names. */
function ordinalOf<T>(list: readonly T[], text: string): T | undefined {
  if (/\b(?:last|latest)\b/i.test(text)) return list.at(-1);
  const ord = ORDINALS.find(([re]) => re.test(text));
  return ord ? list[ord[1]] : undefined;
}

/** A time as people say it: 9am, 2:30pm, noon. */
export function sayTime(hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  if (h === 12 && m === 0) return 'noon';
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m ? `:${String(m).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

/** A date as people say it: Tuesday 3 March. */
export function sayDate(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).toFormat('cccc d LLLL');
}

const local = (iso: string, zone: string) => DateTime.fromISO(iso, { zone });
const slotDate = (iso: string, zone: string) => local(iso, zone).toISODate()!;
const slotTime = (iso: string, zone: string) => local(iso, zone).toFormat('HH:mm');
/** A slot as said: "Tuesday 3 March at 2:30pm", or "2:30pm" when the day is already said. */
function saySlot(iso: string, zone: string, withDay = true): string {
  const t = sayTime(slotTime(iso, zone));
  return withDay ? `${sayDate(slotDate(iso, zone))} at ${t}` : t;
}

const oneDay = (slots: readonly string[], zone: string) =>
  slots.every((o) => slotDate(o, zone) === slotDate(slots[0]!, zone));

/** Times offered, as said: "Monday 9 March at 9am or 9:30am" on one day, else each with its day. */
function sayTimes(slots: readonly string[], zone: string): string {
  if (!oneDay(slots, zone)) return orList(slots.map((o) => saySlot(o, zone)));
  return `${sayDate(slotDate(slots[0]!, zone))} at ${orList(slots.map((o) => saySlot(o, zone, false)))}`;
}

function orList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function price(cents: number | null): string {
  if (cents === null) return '';
  return cents % 100 === 0 ? `${cents / 100}` : (cents / 100).toFixed(2);
}

/** The intended policy decision is approval: the customer is told first that a person will confirm. */
function heldForApproval(ctx: BrainContext, tool: Tool): boolean {
  const mode = ctx.run.mode;
  if (mode === 'shadow') return false;
  const destructive = tool === 'booking.cancel';
  const always = ctx.agent.toolOverrides[tool]?.approval === 'always';
  return mode === 'pilot' || destructive || always;
}

function stateOf(value: unknown): DialogueState | null {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return null;
  const state = (value as Record<string, unknown>).state;
  return state && typeof state === 'object' && !Array.isArray(state) ? (state as DialogueState) : null;
}

/** Merges what this message says into the carried state. */
export function merge(
  prev: DialogueState,
  u: Understanding,
  text: string,
  zone: string,
  /** The business's service names, in the order "Which service would you like: …?" says them. */
  services: readonly string[] = [],
): DialogueState {
  const s: DialogueState = { ...prev };
  delete s.held;
  const starting = u.intent === 'book' || u.intent === 'reschedule' || u.intent === 'cancel';
  if (starting && prev.intent !== u.intent && !(u.intent === 'book' && prev.intent === 'availability')) {
    // A new request: keep who the customer is, forget the rest.
    for (const k of ['service', 'date', 'time', 'qualifier', 'offered', 'chosen', 'dateOptions'] as const)
      delete s[k];
    if (u.intent !== 'book') delete s.code;
    s.intent = u.intent as DialogueState['intent'];
  } else if (u.intent === 'availability' && !prev.intent) s.intent = 'availability';
  else if (u.intent === 'book' && prev.intent === 'availability') s.intent = 'book';
  if (u.service && u.service !== s.service) {
    s.service = u.service;
    delete s.offered;
    delete s.chosen;
  }
  // "The last one", answered to the list of services just said.
  if (!u.service && !s.service && prev.awaiting === 'service') {
    const picked = ordinalOf(services, text);
    if (picked) s.service = picked;
  }
  // An answer to "Do you mean Tuesday 3 March or Wednesday 4 March?".
  if (prev.awaiting === 'disambiguate' && prev.dateOptions?.length) {
    const picked = pickDate(prev.dateOptions, u, text);
    if (picked) {
      s.date = picked;
      delete s.dateOptions;
    }
  }
  if (u.ambiguous && u.dateOptions?.length) {
    s.dateOptions = u.dateOptions;
    delete s.date;
    delete s.offered;
    delete s.chosen;
  } else if (u.date && u.date !== s.date) {
    s.date = u.date;
    delete s.dateOptions;
    delete s.offered;
    delete s.chosen;
  }
  if (u.time || u.timeQualifier) {
    const picked =
      prev.awaiting === 'choice' && prev.offered ? pickOffered(prev.offered, u, text, zone) : null;
    if (picked) s.chosen = picked;
    else {
      s.time = u.time;
      s.qualifier = u.timeQualifier;
      if (!s.time) delete s.time;
      if (!s.qualifier) delete s.qualifier;
      delete s.offered;
      delete s.chosen;
    }
  } else if (prev.awaiting === 'choice' && prev.offered) {
    const picked = pickOffered(prev.offered, u, text, zone);
    if (picked) s.chosen = picked;
  }
  if (u.name) s.name = u.name;
  else if (prev.awaiting === 'name' || (prev.awaiting === 'choice' && (u.phone || u.email))) {
    // The name alone ("Sam Jones"), or with the contact asked next ("Sam Jones, 07700 900123"), or both given ahead
    // while a time is still to be chosen: what is left once the phone number or email and the words around them are
    // taken out.
    const rest = u.phone || u.email ? withoutContact(text) : text;
    const bare = rest.trim().replace(/[.!]+$/, '');
    if (/^[A-Za-z][A-Za-z' -]{0,60}$/.test(bare) && !YES.test(bare) && !NO.test(bare)) s.name = bare;
  }
  if (u.phone) s.phone = u.phone;
  if (u.email) s.email = u.email;
  const quoted = /\b(?:code|ref|reference)\s*(?:is|:|#)?\s*([A-Za-z0-9]{6})\b/i.exec(text)?.[1];
  if (u.code) s.code = u.code;
  // A code of letters only (understand() wants a digit in a bare code) when it follows "code".
  else if (quoted) s.code = quoted.toUpperCase();
  else if (prev.awaiting === 'code') {
    const bare = text.trim().toUpperCase();
    if (/^[A-Z0-9]{6}$/.test(bare)) s.code = bare;
  }
  return s;
}

/** A message without its email address, phone number and the words that introduce them ("my number is"). */
function withoutContact(text: string): string {
  return text
    .replace(new RegExp(EMAIL.source, 'g'), ' ')
    .replace(PHONE, ' ')
    .replace(/\b(?:and|my|mobile|cell|phone|number|tel|email|e-mail|is|it's|on)\b/gi, ' ')
    .replace(/[,;:/]+/g, ' ')
    .replace(/(^|\s)[-–—]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function pickDate(options: string[], u: Understanding, text: string): string | null {
  if (u.date && options.includes(u.date)) return u.date;
  const t = text.toLowerCase();
  for (const o of options) {
    const d = DateTime.fromISO(o, { zone: 'UTC' });
    if (t.includes(d.toFormat('cccc').toLowerCase()) || new RegExp(`\\b${d.day}(?:st|nd|rd|th)?\\b`).test(t))
      return o;
  }
  const ord = ORDINALS.find(([re]) => re.test(text));
  return ord ? (options[ord[1]] ?? null) : null;
}

function pickOffered(offered: string[], u: Understanding, text: string, zone: string): string | null {
  if (u.time) {
    const hit = offered.find(
      (o) => slotTime(o, zone) === u.time && (!u.date || slotDate(o, zone) === u.date),
    );
    if (hit) return hit;
    return null;
  }
  const ord = ORDINALS.find(([re]) => re.test(text));
  if (ord) return offered[ord[1]] ?? null;
  if (offered.length === 1 && YES.test(text)) return offered[0]!;
  return null;
}

interface SlotResult {
  timezone: string;
  slots: { start: string; localStart: string; resourceName: string }[];
}

function lastTool(history: StepRecord[]): StepRecord | undefined {
  const last = history[history.length - 1];
  return last?.action.type === 'tool' ? last : undefined;
}

const toolError = (result: unknown): { id: string; message?: string } | null => {
  const e = (result as { error?: unknown } | null)?.error;
  return e && typeof e === 'object' ? (e as { id: string; message?: string }) : null;
};

export class ReceptionistBrain implements Brain {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    /** The agent's knowledge base, asked what the profile cannot answer (answerQuestion); without it, a person. */
    private readonly knowledge?: Pick<Knowledge, 'answer'>,
  ) {}

  private async business(agentId: string): Promise<Business | null> {
    const [profile, services] = await Promise.all([
      getProfile(this.db, agentId),
      listServices(this.db, agentId),
    ]);
    return profile ? { profile, services } : null;
  }

  /** The state the conversation's last reply before this run carried. */
  private async previous(ctx: BrainContext): Promise<DialogueState> {
    if ('start' in ctx.inputs) return stateOf(ctx.inputs.start) ?? {};
    const conversationId = ctx.run.trigger.conversationId;
    if (!conversationId) return {};
    const [row] = await this.db.query<{ meta: unknown }>(
      `SELECT meta FROM messages WHERE conversation_id = $1 AND direction = 'out'
         AND run_id IS DISTINCT FROM $2 ORDER BY created_at DESC LIMIT 1`,
      [conversationId, ctx.run.id],
    );
    return stateOf(row?.meta) ?? {};
  }

  async decide(ctx: BrainContext): Promise<ActionInput> {
    const text = typeof ctx.run.trigger.text === 'string' ? ctx.run.trigger.text.trim() : '';
    if (!text) return { type: 'done', outcome: 'nothing to answer' };
    const biz = await this.business(ctx.agent.id);
    if (!biz)
      return {
        type: 'escalate',
        reason: 'the business profile is not set up',
        summary: `The receptionist has no business profile (time zone, hours, services) yet. The customer wrote: "${text.slice(0, 300)}"`,
      };
    const zone = biz.profile.timezone;
    const week = dayRangesOf(biz.profile);
    const u = understand(text, {
      now: this.clock.now(),
      tz: zone,
      services: biz.services.map((s) => s.name),
      hours: week,
    });
    const prev = await this.previous(ctx);
    const turn = new Turn(
      { db: this.db, clock: this.clock, knowledge: this.knowledge },
      ctx,
      biz,
      u,
      text,
      merge(
        prev,
        u,
        text,
        zone,
        biz.services.map((x) => x.name),
      ),
      prev,
    );
    return turn.next();
  }
}

function dayRangesOf(p: BusinessProfile): { open: string; close: string } | undefined {
  const h = p.hours;
  if (h.open && h.close) return { open: h.open, close: h.close };
  const ranges = Object.values(h.hours ?? {}).filter((r): r is string => typeof r === 'string');
  if (!ranges.length) return undefined;
  return {
    open: ranges.map((r) => r.slice(0, 5)).sort()[0]!,
    close: ranges
      .map((r) => r.slice(6))
      .sort()
      .at(-1)!,
  };
}

/** One customer message's turn: the merged state and what the run has done so far. */
class Turn {
  private readonly zone: string;
  constructor(
    private readonly deps: { db: Queryable; clock: Clock; knowledge?: Pick<Knowledge, 'answer'> | undefined },
    private readonly ctx: BrainContext,
    private readonly biz: Business,
    private readonly u: Understanding,
    private readonly text: string,
    private readonly s: DialogueState,
    private readonly prev: DialogueState,
  ) {
    this.zone = biz.profile.timezone;
  }

  private reply(text: string, state: DialogueState, final = true): ActionInput {
    return { type: 'reply', text, confidence: 0.95, intent: 'answer', final, state: compact(state) };
  }

  private ask(
    text: string,
    awaiting: DialogueState['awaiting'],
    extra: Partial<DialogueState> = {},
  ): ActionInput {
    return this.reply(text, { ...this.s, ...extra, awaiting });
  }

  private get history() {
    return this.ctx.history;
  }

  async next(): Promise<ActionInput> {
    const done = lastTool(this.history);
    if (done) return this.afterTool(done);
    // The notice said before a tool the policy holds for approval: now propose the tool (the same merged state
    // gives the same tool).
    const said = this.history[this.history.length - 1];
    if (said?.action.type === 'reply') {
      if ((said.action as { state?: DialogueState }).state?.held) return this.act(true);
      return { type: 'done', outcome: 'replied' };
    }
    return this.plan();
  }

  /** The first step of the turn. */
  private async plan(): Promise<ActionInput> {
    const { u, s, prev } = this;
    if (u.intent === 'person')
      return {
        type: 'escalate',
        reason: 'the customer asked for a person',
        summary: `The customer asked for a person: "${this.text.slice(0, 300)}"`,
      };
    if (prev.awaiting === 'confirm' && s.chosen === prev.chosen && (s.intent ?? prev.intent)) {
      if (YES.test(this.text)) return this.act();
      if (NO.test(this.text) && !u.date && !u.time)
        return this.ask('No problem. What day or time would suit you better?', 'date', {
          chosen: undefined,
          offered: undefined,
          time: undefined,
        });
    }
    if (prev.awaiting === 'confirm' && prev.intent === 'cancel' && YES.test(this.text)) return this.act();
    // "Thanks, bye": whatever was being asked is dropped, and nothing is booked.
    if (CLOSING.test(this.text)) return this.reply("You're welcome. Goodbye!", {});
    if (u.intent === 'question' && !(prev.awaiting && (u.date || u.time || u.name || u.phone || u.email)))
      return this.answerQuestion();
    switch (s.intent) {
      case 'book':
      case 'availability':
        return this.book();
      case 'reschedule':
        return this.reschedule();
      case 'cancel':
        return this.cancel();
      default:
        if (s.service || s.date || s.time) return this.book({ ...s, intent: 'book' });
        // A message that is not about a booking may still be a question the knowledge base answers confidently.
        if (u.intent === 'other') {
          const known = await this.fromKnowledge({});
          if (known.reply) return known.reply;
        }
        return this.reply(
          'Hello! I can book, move or cancel an appointment, or tell you about our services and hours. What would you like?',
          {},
        );
    }
  }

  private serviceNames(): string {
    return orList(this.biz.services.map((x) => x.name));
  }

  /** Book (or look for free times): ask for what is missing, else search. */
  private book(state: DialogueState = this.s): ActionInput {
    const s = state;
    if (!this.biz.services.length)
      return {
        type: 'escalate',
        reason: 'the business has no services set up',
        summary: this.text.slice(0, 300),
      };
    if (!s.service)
      return this.reply(`Which service would you like: ${this.serviceNames()}?`, {
        ...s,
        awaiting: 'service',
      });
    if (s.dateOptions?.length)
      return this.reply(`Do you mean ${orList(s.dateOptions.map(sayDate))}?`, {
        ...s,
        awaiting: 'disambiguate',
      });
    // Details given while the times offered are still to be chosen ("Jo Bloggs 07700 900555"): kept, and the same
    // times asked again, without searching anew.
    const offered = this.prev.awaiting === 'choice' ? this.prev.offered : undefined;
    const gave = this.u.phone || this.u.email || (s.name !== undefined && s.name !== this.prev.name);
    if (!s.chosen && offered?.length && gave && !this.u.date && !this.u.time && !this.u.service)
      return this.ask(
        `Thanks${s.name ? `, ${s.name}` : ''}. Which time would you like: ${sayTimes(offered, this.zone)}?`,
        'choice',
        { offered },
      );
    if (!s.date && !s.chosen) {
      // "Anything free for a colour (next week)?": the next free times, from today or from next week's Monday. With a
      // time ("anything at 3pm?") the day is asked, so the time can be kept to.
      if (s.intent === 'availability' && !s.time) return this.search(s, this.firstDayAsked());
      return this.reply(`What day would you like your ${s.service}?`, { ...s, awaiting: 'date' });
    }
    if (!s.chosen) return this.search(s, s.date!);
    return this.details(s);
  }

  /** Where a search for "anything free" starts: today, or next week's Monday when the message says "next week". */
  private firstDayAsked(): string {
    const today = DateTime.fromJSDate(this.clockNow(), { zone: this.zone });
    if (!/\bnext week\b/i.test(this.text)) return today.toISODate()!;
    return today.startOf('week').plus({ weeks: 1 }).toISODate()!;
  }

  private search(s: DialogueState, date: string, service = s.service!): ActionInput {
    const today = DateTime.fromJSDate(this.clockNow(), { zone: this.zone }).toISODate()!;
    const from = date < today ? today : date;
    const to = DateTime.fromISO(from, { zone: 'UTC' }).plus({ days: 6 }).toISODate()!;
    return { type: 'tool', name: 'availability.search', args: { service, from, to, limit: 100 } };
  }

  private clockNow(): Date {
    return this.deps.clock.now();
  }

  /** With a chosen time: ask for the name, a contact, then read it back. */
  private details(s: DialogueState): ActionInput {
    if (s.intent === 'reschedule') {
      return this.reply(
        `So I'll move booking ${s.code} to ${saySlot(s.chosen!, this.zone)}. Shall I go ahead?`,
        {
          ...s,
          awaiting: 'confirm',
        },
      );
    }
    if (!s.name)
      return this.reply(`${saySlot(s.chosen!, this.zone)} it is. Can I take your name?`, {
        ...s,
        awaiting: 'name',
      });
    if (!s.phone && !s.email)
      return this.reply(`Thanks, ${s.name}. And a phone number or email for the booking?`, {
        ...s,
        awaiting: 'contact',
      });
    return this.reply(
      `That's a ${s.service} on ${saySlot(s.chosen!, this.zone)} for ${s.name}. Shall I book it?`,
      { ...s, intent: 'book', awaiting: 'confirm' },
    );
  }

  private async reschedule(): Promise<ActionInput> {
    const s = this.s;
    if (!s.code)
      return this.reply("Sure. What's the booking code from your confirmation?", { ...s, awaiting: 'code' });
    const booking = await this.bookingOf(s.code);
    if (!booking || booking.status === 'cancelled')
      return this.reply(
        `I can't find a current booking with code ${spell(s.code)}. Could you check the code?`,
        { ...s, code: undefined, awaiting: 'code' },
      );
    const state = { ...s, service: booking.service };
    if (state.dateOptions?.length)
      return this.reply(`Do you mean ${orList(state.dateOptions.map(sayDate))}?`, {
        ...state,
        awaiting: 'disambiguate',
      });
    if (!state.date && !state.chosen)
      return this.reply(
        `Your ${booking.service} is on ${saySlot(booking.start, this.zone)}. What day would you like instead?`,
        { ...state, awaiting: 'date' },
      );
    if (!state.chosen) return this.search(state, state.date!, booking.service);
    return this.details(state);
  }

  private async cancel(): Promise<ActionInput> {
    const s = this.s;
    if (!s.code)
      return this.reply("I can cancel that for you. What's the booking code from your confirmation?", {
        ...s,
        awaiting: 'code',
      });
    const booking = await this.bookingOf(s.code);
    if (!booking || booking.status === 'cancelled')
      return this.reply(
        `I can't find a current booking with code ${spell(s.code)}. Could you check the code?`,
        { ...s, code: undefined, awaiting: 'code' },
      );
    return this.reply(
      `That's your ${booking.service} on ${saySlot(booking.start, this.zone)}. Shall I cancel it?`,
      { ...s, awaiting: 'confirm' },
    );
  }

  private async bookingOf(code: string): Promise<{ service: string; start: string; status: string } | null> {
    return bookingLookup(this.deps.db, this.ctx.agent.id, code);
  }

  /** The confirmed action: the tool, said first when a person will have to approve it. */
  private act(noticeSaid = false): ActionInput {
    const s = this.s;
    let tool: ActionInput;
    let held: string;
    if (s.intent === 'cancel') {
      tool = {
        type: 'tool',
        name: 'booking.cancel',
        args: { code: s.code, reason: 'cancelled by the customer' },
      };
      held = 'Thanks. A member of the team will confirm the cancellation shortly.';
    } else if (s.intent === 'reschedule') {
      tool = { type: 'tool', name: 'booking.reschedule', args: { code: s.code, start: s.chosen } };
      held = 'Thanks. A member of the team will confirm the new time shortly.';
    } else {
      const customer = {
        name: s.name!,
        ...(s.phone ? { phone: s.phone } : {}),
        ...(s.email ? { email: s.email } : {}),
      };
      tool = {
        type: 'tool',
        name: 'booking.create',
        args: { service: s.service, start: s.chosen, customer },
      };
      // In pilot the runtime holds the slot (a tentative booking) while a person confirms.
      held = `Thanks. I'm holding ${saySlot(s.chosen!, this.zone)} for you: it is pending confirmation by the business, and we'll let you know as soon as it's confirmed.`;
    }
    if (!noticeSaid && heldForApproval(this.ctx, (tool as { name: Tool }).name))
      // Not final: the next step proposes the tool (next() finds this notice by `held`).
      return this.reply(held, { ...s, awaiting: undefined, held: true }, false);
    return tool;
  }

  private afterTool(step: StepRecord): ActionInput {
    const s = this.s;
    const name = (step.action as { name: string }).name as Tool;
    const result = step.result;
    const err = toolError(result);
    if (name === 'availability.search') {
      if (err) return this.handOff(`availability.search failed: ${err.message ?? err.id}`);
      return this.offer((result as SlotResult).slots);
    }
    if (step.decision === 'record' || (result as { recorded?: boolean } | null)?.recorded)
      return this.reply(
        name === 'booking.create'
          ? `Thanks, ${s.name ?? 'that'}'s noted for ${saySlot(s.chosen!, this.zone)}. We'll confirm it shortly.`
          : 'Thanks, that is noted. We will confirm it shortly.',
        { name: s.name, phone: s.phone, email: s.email },
      );
    if (err?.id === 'denied' && name === 'booking.create')
      // The business declined the held time (its hold is released): say so and start again from the day.
      return this.reply(
        `Sorry, the business couldn't confirm your ${s.service ?? 'booking'} on ${saySlot(s.chosen!, this.zone)}. Would another day or time suit you?`,
        { ...s, chosen: undefined, offered: undefined, time: undefined, awaiting: 'date' },
      );
    if (err) {
      if (name === 'booking.cancel' || name === 'booking.reschedule') {
        if (err.id === 'forbidden_action') return this.handOff('a person has to do this');
      }
      if ((name === 'booking.create' || name === 'booking.reschedule') && s.service)
        // The time has gone (slot_taken) or cannot be booked (slot_unavailable): look again around it.
        return this.search({ ...s, chosen: undefined }, slotDate(s.chosen ?? s.date!, this.zone));
      return this.handOff(`${name} failed: ${err.message ?? err.id}`);
    }
    const b = result as { code: string; start: string };
    const keep = { name: s.name, phone: s.phone, email: s.email, code: b.code };
    if (name === 'booking.create')
      return this.reply(
        `You're booked: ${s.service} on ${saySlot(b.start, this.zone)}. Your code is ${spell(b.code)}.`,
        keep,
      );
    if (name === 'booking.reschedule')
      return this.reply(
        `Done. Your booking ${spell(b.code)} is now on ${saySlot(b.start, this.zone)}.`,
        keep,
      );
    return this.reply(`Your booking ${spell(b.code)} is cancelled.`, keep);
  }

  private handOff(reason: string): ActionInput {
    return { type: 'escalate', reason, summary: `The customer wrote: "${this.text.slice(0, 300)}"` };
  }

  /** Up to three times for what was asked: the exact time when free, else the nearest. */
  private offer(found: SlotResult['slots']): ActionInput {
    const s = this.s;
    const zone = this.zone;
    const starts = [...new Set(found.map((f) => f.start))];
    const wanted = s.date ?? (s.chosen ? slotDate(s.chosen, zone) : undefined);
    const sameDay = starts.filter((x) => slotDate(x, zone) === wanted);
    const taken = this.history.some(
      (h) => h.action.type === 'tool' && (h.action as { name: string }).name !== 'availability.search',
    );
    if (s.time && !taken && (s.qualifier === 'at' || !s.qualifier)) {
      const exact = sameDay.find((x) => slotTime(x, zone) === s.time);
      if (exact) return this.details({ ...s, chosen: exact, offered: undefined });
    }
    let pool = sameDay.filter((x) => fits(slotTime(x, zone), s.time, s.qualifier));
    if (!pool.length) pool = sameDay;
    if (s.time && (s.qualifier === 'at' || !s.qualifier)) {
      const t = minutes(s.time);
      pool = [...pool].sort(
        (a, b) => Math.abs(minutes(slotTime(a, zone)) - t) - Math.abs(minutes(slotTime(b, zone)) - t),
      );
    }
    let offered = pool.slice(0, 3).sort();
    let lead: string;
    const day = wanted ? sayDate(wanted) : 'that day';
    if (taken) lead = 'Sorry, that time has just gone.';
    else if (s.time && (s.qualifier === 'at' || !s.qualifier)) lead = this.notFree(s.time, wanted, day);
    else lead = '';
    if (!offered.length) {
      offered = starts.slice(0, 3);
      if (!offered.length)
        return this.reply(
          `Sorry, I have nothing free for ${s.service} in the week from ${day}. Would another week suit you?`,
          { ...s, offered: undefined, chosen: undefined, date: undefined, awaiting: 'date' },
        );
      // Times of one day are said with the day once ("On Monday 9 March I can do 9am or 9:30am").
      const times = oneDay(offered, zone)
        ? `On ${sayDate(slotDate(offered[0]!, zone))} I can do ${orList(offered.map((o) => saySlot(o, zone, false)))}`
        : `The next free times are ${orList(offered.map((o) => saySlot(o, zone)))}`;
      const text = `${lead ? `${lead} ` : ''}${wanted ? `Nothing is free on ${day}. ` : ''}${times}. Which would you like?`;
      return this.reply(text, { ...s, offered, chosen: undefined, awaiting: 'choice' });
    }
    const text = `${lead ? `${lead} ` : ''}On ${day} I can do ${orList(offered.map((o) => saySlot(o, zone, false)))}. Which would you like?`;
    return this.reply(text, { ...s, offered, chosen: undefined, awaiting: 'choice' });
  }

  /** Why a time asked for is not offered: outside the day's hours (said), else simply not free. */
  private notFree(time: string, date: string | undefined, day: string): string {
    const keys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const range = date
      ? dayRangesOfWeek(this.biz.profile)[keys[DateTime.fromISO(date, { zone: 'UTC' }).weekday % 7]!]
      : undefined;
    if (range && (time < range.slice(0, 5) || time >= range.slice(6)))
      return `We're open ${sayTime(range.slice(0, 5))} to ${sayTime(range.slice(6))} on ${day.split(' ')[0]}s.`;
    return `${sayTime(time)} isn't free on ${day}.`;
  }

  /**
   * Hours, services, prices and durations from the profile; then the agent's knowledge base (parking, payment,
   * policies...): a confident match answers with the entry, recorded as the reply's source, as support answers;
   * anything else goes to a person, with the closest entry as a draft when it came near.
   */
  private async answerQuestion(): Promise<ActionInput> {
    const t = this.text.toLowerCase();
    const keep = { ...this.s };
    const service = this.u.service ? this.biz.services.find((x) => x.name === this.u.service) : undefined;
    if (/\b(?:how much|price|prices|cost|costs|charge)\b/.test(t)) {
      const list = service ? [service] : this.biz.services;
      const priced = list.filter((x) => x.priceCents !== null);
      if (priced.length)
        return this.reply(
          `${priced.map((x) => `${x.name} is ${price(x.priceCents)} ${currencyOf(this.biz.profile.timezone)}`).join('; ')}.`,
          keep,
        );
    } else if (/\bhow long\b/.test(t)) {
      const list = service ? [service] : this.biz.services;
      return this.reply(`${list.map((x) => `${x.name} takes ${x.durationMin} minutes`).join('; ')}.`, keep);
    } else if (/\b(?:open|opening|close|closing|hours)\b/.test(t)) {
      return this.reply(hoursText(this.biz.profile), keep);
    } else if (/\b(?:services|what do you (?:do|offer)|treatments)\b/.test(t)) {
      return this.reply(`We offer ${this.serviceNames()}.`, keep);
    } else if (/\b(?:address|where are you|location|find you)\b/.test(t)) {
      const address = this.ctx.agent.config.address;
      if (typeof address === 'string' && address.trim())
        return this.reply(`We're at ${address.trim()}.`, keep);
    }
    const { reply, near } = await this.fromKnowledge(keep);
    if (reply) return reply;
    return {
      type: 'escalate',
      reason: 'a question the business profile and the knowledge base cannot answer',
      summary: `The customer asked: "${this.text.slice(0, 300)}"${
        near ? ` The closest knowledge-base entry is "${near.title}" at ${near.confidence.toFixed(2)}.` : ''
      }`,
      ...(near ? { suggestedReply: near.text } : {}),
    };
  }

  /**
   * The agent's knowledge base on this message: a reply when its match is confident (the agent's threshold, as
   * support), with the entry as the reply's source; else the closest entry when it came near (a hand-off's draft).
   */
  private async fromKnowledge(keep: DialogueState): Promise<{
    reply: ActionInput | null;
    near: { title: string | null; text: string; confidence: number } | null;
  }> {
    const threshold = this.ctx.agent.confidenceThreshold;
    // No knowledge base, or its engine failing, is the same as no answer: a person takes the question.
    const answer = await this.deps.knowledge?.answer(this.ctx.agent.id, this.text).catch(() => null);
    if (answer?.text && answer.confidence >= threshold)
      return {
        reply: {
          type: 'reply',
          text: answer.text,
          confidence: answer.confidence,
          sources: answer.sources,
          intent: 'answer',
          topic: answer.topic ?? undefined,
          final: true,
          state: compact(keep),
        },
        near: null,
      };
    const near = answer?.text && answer.confidence >= threshold * DRAFT_FROM_SHARE ? answer : null;
    return { reply: null, near };
  }
}

/** A booking of this agent by its code, as the dialogue reads it back. */
async function bookingLookup(
  db: Queryable,
  agentId: string,
  code: string,
): Promise<{ service: string; start: string; status: string } | null> {
  try {
    const b = await bookingByCode(db, agentId, code);
    const [row] = await db.query<{ name: string }>('SELECT name FROM business_services WHERE id = $1', [
      b.serviceId,
    ]);
    return { service: row?.name ?? 'appointment', start: b.start.toISOString(), status: b.status };
  } catch {
    return null;
  }
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function fits(time: string, wanted: string | undefined, q: DialogueState['qualifier']): boolean {
  const m = minutes(time);
  switch (q) {
    case 'after':
      return wanted ? m >= minutes(wanted) : true;
    case 'before':
      return wanted ? m < minutes(wanted) : true;
    case 'morning':
      return m < 12 * 60;
    case 'afternoon':
      return m >= 12 * 60 && m < 17 * 60;
    case 'evening':
      return m >= 17 * 60;
    default:
      return true;
  }
}

/** A booking code as it is written back to the customer (upper case, as issued). */
function spell(code: string): string {
  return code.toUpperCase();
}

function currencyOf(zone: string): string {
  if (zone === 'Europe/London') return 'pounds';
  if (zone.startsWith('Europe/')) return 'euros';
  return 'dollars';
}

function hoursText(p: BusinessProfile): string {
  const names: Record<string, string> = {
    mon: 'Monday',
    tue: 'Tuesday',
    wed: 'Wednesday',
    thu: 'Thursday',
    fri: 'Friday',
    sat: 'Saturday',
    sun: 'Sunday',
  };
  const ranges = dayRangesOfWeek(p);
  const parts = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
    .filter((d) => ranges[d])
    .map((d) => `${names[d]} ${sayTime(ranges[d]!.slice(0, 5))} to ${sayTime(ranges[d]!.slice(6))}`);
  return parts.length ? `We're open ${parts.join(', ')}.` : "We don't have opening hours set yet.";
}

function dayRangesOfWeek(p: BusinessProfile): Record<string, string> {
  const h = p.hours;
  if (h.hours)
    return Object.fromEntries(Object.entries(h.hours).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  const keys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const out: Record<string, string> = {};
  if (h.open && h.close) for (const d of h.days ?? []) out[keys[d % 7]!] = `${h.open}-${h.close}`;
  return out;
}

/** Drops empty keys so the stored state stays small. */
function compact(s: DialogueState): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== null));
}
