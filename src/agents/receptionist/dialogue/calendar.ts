// Wall-clock calendar arithmetic for the dialogue: a day is a UTC-midnight Date standing for a date in the business's
// time zone, so adding days never meets a daylight-saving change (the dialogue speaks in wall-clock dates; the
// bookings turn date + time into an instant).
import { DateTime } from '../../../luxon.ts';

export interface WallClock {
  /** The date, as a UTC-midnight Date. */
  day: Date;
  /** Minutes since midnight on the wall clock. */
  minutes: number;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/**
 * The wall-clock "now" in `tz`: an instant (Date) is read on the zone's clock; a string is taken as local wall-clock
 * time already (`2026-03-27T16:05:00`, no offset), as the eval files give it.
 */
export function wallClock(now: Date | string, tz: string): WallClock {
  if (typeof now === 'string') {
    const m = WALL.exec(now.trim());
    if (!m)
      throw new Error(
        `now must be a local wall-clock time like 2026-03-27T16:05:00, not ${JSON.stringify(now)}`,
      );
    const day = makeDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (!day) throw new Error(`now is not a calendar date: ${now}`);
    return { day, minutes: Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0) };
  }
  const dt = DateTime.fromJSDate(now, { zone: tz });
  if (!dt.isValid) throw new Error(`unknown time zone ${JSON.stringify(tz)}`);
  return { day: new Date(Date.UTC(dt.year, dt.month - 1, dt.day)), minutes: dt.hour * 60 + dt.minute };
}

/** True when `tz` is an IANA zone luxon knows. */
export function isKnownZone(tz: string): boolean {
  return DateTime.now().setZone(tz).isValid;
}

/** A UTC-midnight Date for year/month(1-12)/day, or null when no such date exists (31 April). */
export function makeDay(year: number, month: number, day: number): Date | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? d : null;
}

export const addDays = (d: Date, n: number): Date => new Date(d.getTime() + n * 86_400_000);

/** Monday = 0 … Sunday = 6. */
export const weekdayIndex = (d: Date): number => (d.getUTCDay() + 6) % 7;

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

export const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * The first date on or after `today` with this month and day: this year, or next year once it has passed (a
 * 29 February is looked for up to eight years ahead).
 */
export function nextMonthDay(today: Date, month: number, day: number): Date | null {
  for (let y = today.getUTCFullYear(); y <= today.getUTCFullYear() + 8; y++) {
    const d = makeDay(y, month, day);
    if (d && d >= today) return d;
  }
  return null;
}

/** The first date on or after `today` with this day of the month (the 31st skips the months without one). */
export function nextDayOfMonth(today: Date, day: number): Date | null {
  let y = today.getUTCFullYear();
  let m = today.getUTCMonth() + 1;
  for (let i = 0; i < 13; i++) {
    const d = makeDay(y, m, day);
    if (d && d >= today) return d;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return null;
}
