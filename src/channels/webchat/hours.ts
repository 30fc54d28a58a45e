// What the customer is told when a person takes over: the usual reply time when the team is in, and an honest
// "we're closed, a person replies after …" outside the agent's business hours (agent.config.businessHours), so
// nobody waits at a chat window in the middle of the night for a reply that comes the next morning.
import { z } from 'zod';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24-hour)');

export const BusinessHoursSchema = z
  .object({
    timezone: z.string().min(1).max(64).optional(),
    /** Open weekdays: 1 = Monday … 6 = Saturday; Sunday is 0 or 7. */
    days: z.array(z.number().int().min(0).max(7)).max(7).optional(),
    open: HHMM.optional(),
    close: HHMM.optional(),
    /** Free text shown as is: "15 minutes", "2 hours". */
    replyTime: z.string().min(1).max(60).optional(),
  })
  .refine((h) => !h.open || !h.close || h.open < h.close, 'close must be after open (same day)');
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The agent's business hours from its free-form config; invalid or absent → null (always staffed, no promise). */
export function businessHoursOf(config: Record<string, unknown>): BusinessHours | null {
  const parsed = BusinessHoursSchema.safeParse(config.businessHours);
  if (!parsed.success) return null;
  const h = parsed.data;
  if (h.timezone && !validTimeZone(h.timezone)) return { replyTime: h.replyTime };
  return h;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Weekday (0 = Sunday) and minutes since midnight of an instant, in a time zone. */
export function localTime(at: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday: SHORT_WEEKDAYS.indexOf(get('weekday')),
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When the team is next in, or null when it is in now (or no complete schedule is configured). `dayOffset` 0 is
 * later today, 1 tomorrow, and so on.
 */
export function nextOpening(
  hours: BusinessHours,
  at: Date,
): { dayOffset: number; weekday: number; open: string } | null {
  const { timezone, days, open, close } = hours;
  if (!timezone || !days?.length || !open || !close) return null;
  const openDays = new Set(days.map((d) => d % 7));
  const now = localTime(at, timezone);
  if (now.weekday < 0) return null;
  const today = openDays.has(now.weekday);
  if (today && now.minutes >= toMinutes(open) && now.minutes < toMinutes(close)) return null;
  if (today && now.minutes < toMinutes(open)) return { dayOffset: 0, weekday: now.weekday, open };
  for (let k = 1; k <= 7; k++) {
    const weekday = (now.weekday + k) % 7;
    if (openDays.has(weekday)) return { dayOffset: k, weekday, open };
  }
  return null;
}

/** The hand-off announcement for an agent's config at an instant. */
export function handoffText(config: Record<string, unknown>, at: Date): string {
  const hours = businessHoursOf(config);
  const next = hours ? nextOpening(hours, at) : null;
  if (hours && next) {
    const when =
      next.dayOffset === 0
        ? `after ${next.open}`
        : next.dayOffset === 1
          ? `tomorrow after ${next.open}`
          : `on ${WEEKDAYS[next.weekday]} after ${next.open}`;
    return `We're closed now; a person will reply ${when} (${hours.timezone}). You can leave your messages here.`;
  }
  return hours?.replyTime
    ? `Connecting you to a person. Usual reply time: within ${hours.replyTime}.`
    : 'Connecting you to a person. They will reply here as soon as they can.';
}
