// An agent's business hours (agent.config.businessHours) and what a customer is told when a person takes over: the
// usual reply time while the team is in, and an honest "we're closed, a person replies on …" outside its hours, in
// the agent's time zone, so nobody waits at a chat window (or an inbox) at night for a reply that comes next morning.
//
// Two ways to write the week: one range for every open day (`days`, `open`, `close`), or a range per day
// (`hours: {"mon": "09:00-18:00", "sat": "10:00-16:00"}`), as most shops keep shorter Saturdays. `closed` lists
// dates (public holidays, stock-taking) in the agent's time zone. This file is the arithmetic, with no dependency,
// so the dashboard previews the message as the server words it; hours.schema.ts reads and checks the
// setting (create and update refuse what it cannot read, naming the field).

/** Day keys of `hours`, in weekday order (0 = Sunday), as Date.getUTCDay counts. */
export const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayKey = (typeof DAY_KEYS)[number];

/** agent.config.businessHours, as hours.schema.ts accepts it. */
export interface BusinessHours {
  /** IANA time zone of the schedule and the closed dates; required with either. */
  timezone?: string | undefined;
  /** Open weekdays: 1 = Monday … 6 = Saturday; Sunday is 0 or 7. With open and close. */
  days?: number[] | undefined;
  /** HH:MM */
  open?: string | undefined;
  /** HH:MM, after open. */
  close?: string | undefined;
  /** "HH:MM-HH:MM" per open day; a day left out (or null) is closed. Instead of days/open/close. */
  hours?: Partial<Record<DayKey, string | null | undefined>> | undefined;
  /** Whole days closed (public holidays), YYYY-MM-DD in the time zone. */
  closed?: string[] | undefined;
  /** Free text shown as is: "15 minutes", "2 hours". */
  replyTime?: string | undefined;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A week in minutes since local midnight: [open, close] per weekday (0 = Sunday), null when closed all day. */
type Week = Array<readonly [number, number] | null>;

/** Whether the runtime knows this IANA time zone. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Whether a string is a real calendar date written YYYY-MM-DD (not 2026-02-30). */
export function isCalendarDate(d: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false;
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Each open day's "HH:MM-HH:MM", whichever way the hours were written (a range per day, or days/open/close). */
export function dayRanges(hours: BusinessHours): Partial<Record<DayKey, string>> {
  const out: Partial<Record<DayKey, string>> = {};
  if (hours.hours) {
    for (const k of DAY_KEYS) if (hours.hours[k]) out[k] = hours.hours[k]!;
    return out;
  }
  const { days, open, close } = hours;
  if (!days?.length || !open || !close) return out;
  for (const d of days) out[DAY_KEYS[d % 7]!] = `${open}-${close}`;
  return out;
}

/** The week the hours describe; null when they set no complete schedule. */
function weekOf(hours: BusinessHours): Week | null {
  const ranges = dayRanges(hours);
  const week = DAY_KEYS.map((k) => {
    const r = ranges[k];
    return r ? ([toMinutes(r.slice(0, 5)), toMinutes(r.slice(6))] as const) : null;
  });
  return week.some((d) => d !== null) ? week : null;
}

/** The local calendar date and minutes since midnight of an instant, in a time zone. */
export function localTime(
  at: Date,
  timeZone: string,
): { year: number; month: number; day: number; weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    minutes: get('hour') * 60 + get('minute'),
  };
}

/** How far ahead a schedule is searched for its next opening (a year of holidays cannot hide every day). */
const HORIZON_DAYS = 400;

export interface NextOpening {
  /** 0 later today, 1 tomorrow, and so on. */
  dayOffset: number;
  weekday: number;
  /** The local date, YYYY-MM-DD. */
  date: string;
  /** HH:MM */
  open: string;
}

/**
 * When the team is next in, or null when it is in now (or the hours set no complete schedule, or every day ahead
 * is closed).
 */
export function nextOpening(hours: BusinessHours, at: Date): NextOpening | null {
  const week = weekOf(hours);
  if (!week || !hours.timezone) return null;
  const closed = new Set(hours.closed ?? []);
  const now = localTime(at, hours.timezone);
  for (let k = 0; k < HORIZON_DAYS; k++) {
    const day = new Date(Date.UTC(now.year, now.month - 1, now.day + k));
    const date = day.toISOString().slice(0, 10);
    const range = week[day.getUTCDay()];
    if (!range || closed.has(date)) continue;
    if (k === 0 && now.minutes >= range[1]) continue;
    if (k === 0 && now.minutes >= range[0]) return null;
    const open = `${String(Math.floor(range[0] / 60)).padStart(2, '0')}:${String(range[0] % 60).padStart(2, '0')}`;
    return { dayOffset: k, weekday: day.getUTCDay(), date, open };
  }
  return null;
}

function when(next: NextOpening): string {
  if (next.dayOffset === 0) return `after ${next.open}`;
  if (next.dayOffset === 1) return `tomorrow after ${next.open}`;
  const weekday = WEEKDAYS[next.weekday];
  if (next.dayOffset < 7) return `on ${weekday} after ${next.open}`;
  const [, month, day] = next.date.split('-').map(Number);
  return `on ${weekday} ${day} ${MONTHS[month! - 1]} after ${next.open}`;
}

/**
 * The hand-off announcement for business hours at an instant, on any channel (it says "here": the same one). The
 * hours are trusted as given: read them with businessHoursOf (hours.schema.ts) first.
 */
export function handoffMessage(hours: BusinessHours | null, at: Date): string {
  const next = hours ? nextOpening(hours, at) : null;
  if (hours && next) {
    return `We're closed now; a person will reply ${when(next)} (${hours.timezone}). You can leave your messages here.`;
  }
  return hours?.replyTime
    ? `Connecting you to a person. Usual reply time: within ${hours.replyTime}.`
    : 'Connecting you to a person. They will reply here as soon as they can.';
}
