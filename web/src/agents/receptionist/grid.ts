// The calendar's arithmetic, kept pure so it is tested on its own: local dates (YYYY-MM-DD) in the business's time
// zone, the week around a day, a day's rows stepped in real time between two wall-clock times (so a daylight-saving
// day has its hour less or more, and a repeated hour is told apart by its offset), the business's open intervals
// on a day (its week and closed dates, src/business/hours.ts), and where a booking sits in a day's window.
import { DateTime } from 'luxon';
import { type BusinessHours, DAY_KEYS, dayRanges } from '../../../../src/business/hours.ts';

const MINUTE = 60_000;

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate()!;
}

/** A local date `n` days on (calendar days, whatever the clocks do). */
export function addDays(date: string, n: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** The seven dates of the Monday-to-Sunday week holding `date`. */
export function weekOf(date: string): string[] {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  const monday = addDays(date, -((weekday + 6) % 7));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** The instant a wall-clock time (HH:MM) on a local date is; a time the clocks skip reads as the one after the gap. */
export function instantAt(date: string, hhmm: string, zone: string): Date {
  return DateTime.fromISO(`${date}T${hhmm}`, { zone }).toJSDate();
}

/** The wall-clock time (HH:MM) of an instant in a time zone. */
export function wallClock(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('HH:mm');
}

export interface Row {
  start: Date;
  /** HH:MM; a time that occurs twice (clocks going back) carries its UTC offset (+01:00). */
  label: string;
}

/** A day's rows from wall-clock `from` to `to`, `stepMin` apart in real time. */
export function dayRows(date: string, zone: string, from: string, to: string, stepMin: number): Row[] {
  const start = instantAt(date, from, zone).getTime();
  const end =
    to === '24:00'
      ? instantAt(addDays(date, 1), '00:00', zone).getTime()
      : instantAt(date, to, zone).getTime();
  const rows: Row[] = [];
  for (let t = start; t < end; t += stepMin * MINUTE) rows.push({ start: new Date(t), label: '' });
  const counts = new Map<string, number>();
  for (const r of rows) {
    const hhmm = wallClock(r.start, zone);
    counts.set(hhmm, (counts.get(hhmm) ?? 0) + 1);
    r.label = hhmm;
  }
  for (const r of rows)
    if ((counts.get(r.label) ?? 0) > 1)
      r.label = `${r.label} ${DateTime.fromJSDate(r.start, { zone }).toFormat('ZZ')}`;
  return rows;
}

export interface Interval {
  start: Date;
  end: Date;
}

/** When the business (or a resource's own week) is open on a local date: none on a closed date or a day off. */
export function openIntervals(date: string, zone: string, hours: BusinessHours | null): Interval[] {
  if (!hours) return [];
  if (hours.closed?.includes(date)) return [];
  const key = DAY_KEYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
  const range = dayRanges(hours)[key];
  if (!range) return [];
  return [{ start: instantAt(date, range.slice(0, 5), zone), end: instantAt(date, range.slice(6), zone) }];
}

/** The wall-clock window a view shows: the earliest opening to the latest closing of the week, else 08:00–18:00. */
export function viewWindow(hours: BusinessHours | null): { from: string; to: string } {
  const ranges = Object.values(hours ? dayRanges(hours) : {});
  if (ranges.length === 0) return { from: '08:00', to: '18:00' };
  return {
    from: ranges.map((r) => r.slice(0, 5)).sort()[0]!,
    to: ranges
      .map((r) => r.slice(6))
      .sort()
      .at(-1)!,
  };
}

/** Where [start, end) sits in a window, as percentages of its height (clipped to it); null when outside. */
export function place(start: Date, end: Date, window: Interval): { top: number; height: number } | null {
  const w0 = window.start.getTime();
  const span = window.end.getTime() - w0;
  const a = Math.max(start.getTime(), w0);
  const b = Math.min(end.getTime(), window.end.getTime());
  if (span <= 0 || b <= a) return null;
  return { top: ((a - w0) / span) * 100, height: ((b - a) / span) * 100 };
}

/** Whether [start, end) overlaps any of the intervals. */
export function overlaps(start: Date, end: Date, intervals: readonly Interval[]): boolean {
  return intervals.some((i) => start < i.end && i.start < end);
}

/** Whether [start, end) lies inside one of the intervals. */
export function inside(start: Date, end: Date, intervals: readonly Interval[]): boolean {
  return intervals.some((i) => i.start <= start && end <= i.end);
}

/** A local date as people read it: "Monday 30 March". */
export function dayLabel(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).toFormat('cccc d LLLL');
}
