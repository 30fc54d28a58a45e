// Display helpers: dates, ids, money and JSON as people read them.

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function fullDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
}

/** "2 minutes ago", "in 23 hours". */
export function relativeTime(iso: string, now = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return s <= 0 ? 'just now' : 'in a few seconds';
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86_400), 'day');
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function json(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

export function money(cents: number | null): string {
  if (cents === null) return 'no cap';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(cents / 100);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface DateOptions {
  now?: Date;
  /** Defaults: the browser's own (the reader's language and time zone). Tests pass them. */
  locale?: string;
  timeZone?: string;
}

/** The calendar day of an instant in a time zone, as a sortable number (20261207). */
function dayNumber(d: Date, timeZone: string | undefined): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
  return Number(parts.replace(/\D/g, ''));
}

/**
 * A date as people write it in a sentence, in the reader's time zone: "today at 14:05", "yesterday at 09:30",
 * "Mon 7 Dec, 14:05" this year, "7 Dec 2025, 14:05" before. Never an ISO string.
 */
export function humanDate(iso: string | Date, options: DateOptions = {}): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const { now = new Date(), locale, timeZone } = options;
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(d);
  const day = dayNumber(d, timeZone);
  const today = dayNumber(now, timeZone);
  const yesterday = dayNumber(new Date(now.getTime() - 86_400_000), timeZone);
  const tomorrow = dayNumber(new Date(now.getTime() + 86_400_000), timeZone);
  if (day === today) return `today at ${time}`;
  if (day === yesterday) return `yesterday at ${time}`;
  if (day === tomorrow) return `tomorrow at ${time}`;
  const sameYear = Math.floor(day / 10_000) === Math.floor(today / 10_000);
  const date = new Intl.DateTimeFormat(locale, {
    timeZone,
    ...(sameYear ? { weekday: 'short' } : { year: 'numeric' }),
    day: 'numeric',
    month: 'short',
  }).format(d);
  return `${date}, ${time}`;
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})/g;

/** A sentence written by the server with ISO instants in it, with each one as a human local date. */
export function humanizeDates(text: string, options: DateOptions = {}): string {
  return text.replace(ISO_INSTANT, (iso) => humanDate(iso, options));
}

/** Who did something, as a person reads it. `directory`: email → display name (from /api/people). */
export function personName(
  who: string | { name?: string | null; email: string } | null | undefined,
  directory?: ReadonlyMap<string, string>,
): string {
  if (!who) return 'nobody';
  if (typeof who !== 'string') return who.name?.trim() || who.email;
  const [kind, ...rest] = who.split(':');
  const id = rest.join(':');
  if (kind === 'user' && id) return directory?.get(id.toLowerCase())?.trim() || id;
  if (who === 'cli' || kind === 'cli') return id ? `${id} (command line)` : 'the command line';
  if (who === 'setup') return 'first-run setup';
  if (who === 'system' || who === 'twelve') return 'Twelve';
  if (kind === 'token') return 'an API token';
  if (kind === 'invite') return 'an invitation';
  if (kind === 'agent') return id ? `the agent ${id}` : 'the agent';
  return who;
}
