// An agent's business hours (agent.config.businessHours) and what a customer is told when a person takes over: the
// usual reply time while the team is in, and an honest "we're closed, a person replies on …" outside its hours, in
// the agent's time zone, so nobody waits at a chat window (or an inbox) at night for a reply that comes next morning.
//
// Two ways to write the week: one range for every open day (`days`, `open`, `close`), or a range per day
// (`hours: {"mon": "09:00-18:00", "sat": "10:00-16:00"}`), as most shops keep shorter Saturdays. `closed` lists
// dates (public holidays, stock-taking) in the agent's time zone. Create and update validate it (AgentSettingsSchema),
// so a typo is a 400 naming the field, not a promise silently dropped.
import { z } from 'zod';

const HHMM_PATTERN = '([01]\\d|2[0-3]):[0-5]\\d';
const HHMM = z.string().regex(new RegExp(`^${HHMM_PATTERN}$`), 'HH:MM (24-hour)');
const RANGE = z
  .string()
  .regex(new RegExp(`^${HHMM_PATTERN}-${HHMM_PATTERN}$`), 'HH:MM-HH:MM (24-hour), e.g. 09:00-18:00')
  .refine((r) => r.slice(0, 5) < r.slice(6), 'the range must close after it opens (same day)');
const DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'not a calendar date');

/** Day keys of `hours`, in weekday order (0 = Sunday), as Date.getUTCDay counts. */
export const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
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

export const BusinessHoursSchema = z
  .object({
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(validTimeZone, 'an IANA time zone, e.g. Europe/London')
      .optional(),
    /** Open weekdays: 1 = Monday … 6 = Saturday; Sunday is 0 or 7. */
    days: z.array(z.number().int().min(0).max(7)).max(7).optional(),
    open: HHMM.optional(),
    close: HHMM.optional(),
    /** A range per open day; a day left out (or null) is closed. Instead of days/open/close. */
    hours: z
      .object(
        Object.fromEntries(DAY_KEYS.map((k) => [k, RANGE.nullable().optional()])) as Record<
          (typeof DAY_KEYS)[number],
          z.ZodOptional<z.ZodNullable<typeof RANGE>>
        >,
      )
      .strict()
      .optional(),
    /** Whole days closed (public holidays), in the agent's time zone. */
    closed: z.array(DATE).max(400).optional(),
    /** Free text shown as is: "15 minutes", "2 hours". */
    replyTime: z.string().min(1).max(60).optional(),
  })
  .strict()
  .refine((h) => !h.open || !h.close || h.open < h.close, {
    message: 'close must be after open (same day)',
    path: ['close'],
  })
  .refine((h) => !h.hours || (h.days === undefined && h.open === undefined && h.close === undefined), {
    message: 'give either hours (a range per day) or days, open and close, not both',
    path: ['hours'],
  })
  .refine((h) => (!h.hours && !h.days && !h.open && !h.close && !h.closed) || h.timezone !== undefined, {
    message: 'a schedule needs its time zone',
    path: ['timezone'],
  });
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

/** A week in minutes since local midnight: [open, close] per weekday (0 = Sunday), null when closed all day. */
type Week = Array<readonly [number, number] | null>;

/** The agent's business hours from its config; absent or invalid → null (always staffed, no promise made). */
export function businessHoursOf(config: Record<string, unknown>): BusinessHours | null {
  const parsed = BusinessHoursSchema.safeParse(config.businessHours);
  return parsed.success ? parsed.data : null;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The week the hours describe; null when they set no complete schedule. */
function weekOf(hours: BusinessHours): Week | null {
  if (hours.hours) {
    const ranges = hours.hours;
    const week = DAY_KEYS.map((k) => {
      const r = ranges[k];
      return r ? ([toMinutes(r.slice(0, 5)), toMinutes(r.slice(6))] as const) : null;
    });
    return week.some((d) => d !== null) ? week : null;
  }
  const { days, open, close } = hours;
  if (!days?.length || !open || !close) return null;
  const openDays = new Set(days.map((d) => d % 7));
  const range = [toMinutes(open), toMinutes(close)] as const;
  return DAY_KEYS.map((_, weekday) => (openDays.has(weekday) ? range : null));
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

/** The hand-off announcement for an agent's config at an instant, on any channel (it says "here": the same one). */
export function handoffText(config: Record<string, unknown>, at: Date): string {
  const hours = businessHoursOf(config);
  const next = hours ? nextOpening(hours, at) : null;
  if (hours && next) {
    return `We're closed now; a person will reply ${when(next)} (${hours.timezone}). You can leave your messages here.`;
  }
  return hours?.replyTime
    ? `Connecting you to a person. Usual reply time: within ${hours.replyTime}.`
    : 'Connecting you to a person. They will reply here as soon as they can.';
}
