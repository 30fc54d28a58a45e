// Dates and times as people say them in English, read against a wall-clock "now". The rules (README beside this file
// has them for the dialogue's users):
// - "today", "tonight", "tomorrow", "the day after tomorrow"; "in 3 days", "in two weeks", "in a fortnight";
//   "a week on Tuesday", "Tuesday week", "a week from Monday", "Tuesday after next" (the coming Tuesday + 7).
// - A weekday: "Tuesday" / "on Tuesday" is the coming one (1–7 days ahead); said on that very day it could mean today
//   or a week today, so it is ambiguous. "this Tuesday" / "this coming Tuesday" is the coming one, today included.
//   "next Tuesday" is the Tuesday of next week (weeks start on Monday): when the coming Tuesday is still in this
//   week, "next" could mean it or the one after, so it is ambiguous; said on a Tuesday it is a week today.
//   "next week Tuesday" / "Tuesday next week" is always next week's.
// - "the 14th" is the next 14th (this month if not past, else next month); "14 April", "April 14th", "the 14th of
//   April" the next such date (next year once it has passed); a year may follow.
// - "3/4": when both numbers could be the month (≤ 12) and they differ, it is 3 April or 4 March, ambiguous unless
//   the business's locale says (en-US: month first; others: day first). "15/4" and "4/15" are clear.
// - Times: "3pm", "15:30", "3.30", "noon", "midday", "half two" (2:30, British), "half past ten", "quarter past ten",
//   "quarter to four", "ten past 4", "twenty to 5", "three thirty", "at 3", "3 o'clock". A bare hour without am/pm
//   is read in business hours: when exactly one of am and pm falls in the opening hours, that one; otherwise 1–7
//   is pm (13:00–19:00), 8–11 am, 12 noon. "morning" makes it am, "afternoon"/"evening"/"tonight" pm.
// - Qualifier: "after"/"from"/"later than"/"… or later" → after; "before"/"by"/"until"/"no later than" → before;
//   "at"/"around"/"about" or a bare time → at; no time but "morning"/"afternoon"/"evening" → that part of the day.
import * as chrono from 'chrono-node/en';
import {
  addDays,
  hhmm,
  isoDay,
  makeDay,
  nextDayOfMonth,
  nextMonthDay,
  type WallClock,
  weekdayIndex,
} from './calendar.ts';

export type DayPart = 'morning' | 'afternoon' | 'evening';
export type TimeQualifier = 'at' | 'after' | 'before' | DayPart;

export interface WhenOptions {
  /** 'en-US' reads 3/4 as 4 March… no: as March 4 (month first); any other en-* as 3 April; unknown → ambiguous. */
  locale?: string | undefined;
  /** Opening hours as HH:MM, used to read a bare hour as am or pm. */
  hours?: { open: string; close: string } | undefined;
}

export interface When {
  date?: string;
  time?: string;
  timeQualifier?: TimeQualifier;
  /** Set when the date could mean two days; `dateOptions` lists them. */
  ambiguous?: string;
  dateOptions?: string[];
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WD_ALIASES: Record<string, number> = {
  mon: 0,
  mondays: 0,
  tue: 1,
  tues: 1,
  tuesdays: 1,
  wed: 2,
  weds: 2,
  wednesdays: 2,
  thu: 3,
  thur: 3,
  thurs: 3,
  thursdays: 3,
  fri: 4,
  fridays: 4,
  sat: 5,
  saturdays: 5,
  sun: 6,
  sundays: 6,
};
const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const NUMBER_WORDS: Record<string, string> = {
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
  fifteen: '15',
  twenty: '20',
  'twenty-five': '25',
  'twenty five': '25',
  thirty: '30',
  'forty-five': '45',
  'forty five': '45',
  forty: '40',
  fifty: '50',
};

const WD = '(monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH_RE = `(${Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|')})\\.?`;
const ORD = '(\\d{1,2})(?:st|nd|rd|th)';

/**
 * Lower case, curly quotes straight, number words as digits, weekday spellings and near-misses ("tomorow",
 * "wensday", "thurs") as the full word.
 */
export function normalise(text: string): string {
  let s = text.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');
  s = s.replace(
    /\b(twenty[- ]five|forty[- ]five|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)\b/g,
    (w) => NUMBER_WORDS[w] ?? w,
  );
  s = s.replace(/\b(a couple of)\b/g, '2');
  return s.replace(/[a-z]+/g, (w) => {
    const alias = WD_ALIASES[w];
    if (alias !== undefined) return WEEKDAYS[alias]!;
    if (w.length >= 5) {
      if (/^(tmrw|tmr|tomor+ow|tom+or+ow|tomm?or+ow|tomorr?ow|tommorrow|tomorow|tommorow|tomorroe)$/.test(w))
        return 'tomorrow';
      if (WEEKDAYS.includes(w) || w === 'tomorrow') return w;
      for (const d of WEEKDAYS) if (near(w, d)) return d;
      if (w !== 'tomorrow' && near(w, 'tomorrow')) return 'tomorrow';
    }
    if (w === 'tmrw' || w === 'tmr' || w === 'tmw') return 'tomorrow';
    return w;
  });
}

/** One edit apart (or two for long words), same first letter: a typo, not another word. */
function near(a: string, b: string): boolean {
  if (a[0] !== b[0] || Math.abs(a.length - b.length) > 2) return false;
  const max = b.length >= 9 ? 2 : 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]! <= max;
}

interface DateHit {
  index: number;
  date?: Date;
  options?: Date[];
  why?: string;
  dayPart?: DayPart;
}

/** Replaces the matched text with spaces so that later rules do not read it again (the indexes stay put). */
function blank(s: string, start: number, length: number): string {
  return s.slice(0, start) + ' '.repeat(length) + s.slice(start + length);
}

function fmtOption(d: Date): string {
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

/** Reads every date the text holds, in order of appearance; returns them and the text with them blanked. */
function findDates(input: string, now: WallClock, opts: WhenOptions): { hits: DateHit[]; rest: string } {
  const today = now.day;
  const todayIdx = weekdayIndex(today);
  const coming = (wd: number, allowToday: boolean): Date => {
    let delta = (wd - todayIdx + 7) % 7;
    if (delta === 0 && !allowToday) delta = 7;
    return addDays(today, delta);
  };
  const hits: DateHit[] = [];
  let s = input;
  const rule = (re: RegExp, fn: (m: RegExpExecArray) => Omit<DateHit, 'index'> | null): void => {
    const g = new RegExp(re.source, 'g');
    for (let m = g.exec(s); m; m = g.exec(s)) {
      const hit = fn(m);
      if (!hit) continue;
      hits.push({ index: m.index, ...hit });
      s = blank(s, m.index, m[0].length);
    }
  };
  const wdNum = (w: string | undefined): number => WEEKDAYS.indexOf(w ?? '');

  rule(/\b(?:the )?day after tomorrow\b/, () => ({ date: addDays(today, 2) }));
  // "a week on Tuesday", "a week from Monday", "a week from tomorrow", "a week today".
  rule(new RegExp(`\\b(?:in )?a week (?:on|from|after)? ?(today|tomorrow|${WD.slice(1, -1)})\\b`), (m) => {
    const base =
      m[1] === 'today' ? today : m[1] === 'tomorrow' ? addDays(today, 1) : coming(wdNum(m[1]), false);
    return { date: addDays(base, 7) };
  });
  rule(new RegExp(`\\b${WD} (?:week|after next)\\b`), (m) => ({
    date: addDays(coming(wdNum(m[1]), false), 7),
  }));
  rule(/\b(today|tomorrow) week\b/, (m) => ({ date: addDays(today, m[1] === 'today' ? 7 : 8) }));
  // Next week's weekday, said either way round.
  const nextWeekOf = (wd: number) => addDays(today, 7 - todayIdx + wd);
  rule(new RegExp(`\\bnext week(?: on)?,? ${WD}\\b`), (m) => ({ date: nextWeekOf(wdNum(m[1])) }));
  rule(new RegExp(`\\b${WD},? (?:of |in )?next week\\b`), (m) => ({ date: nextWeekOf(wdNum(m[1])) }));
  // Month names: "14 April", "14th of April 2027", "April 14th", "Apr 14, 2027" (a weekday before it is dropped).
  const monthDay = (month: number, day: number, year: string | undefined): Omit<DateHit, 'index'> | null => {
    const d = year
      ? makeDay(Number(year.length === 2 ? `20${year}` : year), month, day)
      : nextMonthDay(today, month, day);
    return d ? { date: d } : null;
  };
  rule(
    new RegExp(`\\b(?:${WD},? )?(?:the )?(\\d{1,2})(?:st|nd|rd|th)?(?: of)? ${MONTH_RE}(?:,? (\\d{4}))?\\b`),
    (m) => monthDay(MONTHS[m[3]!]!, Number(m[2]), m[4]),
  );
  rule(
    new RegExp(
      `\\b(?:${WD},? )?${MONTH_RE} (?:the )?(\\d{1,2})(?:st|nd|rd|th)?\\b(?!:|\\.\\d)(?:,? (\\d{4}))?`,
    ),
    (m) => monthDay(MONTHS[m[2]!]!, Number(m[3]), m[4]),
  );
  // Numeric dates: 14/4, 4/14, 3/4 (ambiguous), with an optional year.
  rule(/\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\b(?![:.]\d)/, (m) => {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const year = m[3];
    const read = (day: number, month: number) => monthDay(month, day, year)?.date ?? null;
    if (m[0].includes('.') && !year && b > 12) return null; // "3.30" is a time
    const dayFirst = read(a, b);
    const monthFirst = read(b, a);
    if (!dayFirst && !monthFirst) return null;
    if (!dayFirst || !monthFirst || a === b) return { date: (dayFirst ?? monthFirst)! };
    if (opts.locale) return { date: /^en-us$/i.test(opts.locale) ? monthFirst : dayFirst };
    return {
      options: [dayFirst, monthFirst],
      why: `${m[0]} could be ${fmtOption(dayFirst)} or ${fmtOption(monthFirst)}`,
    };
  });
  // "the 14th", "Monday the 2nd", "on the 3rd".
  rule(new RegExp(`\\b(?:${WD},? )?(?:the )?${ORD}\\b`), (m) => {
    const d = nextDayOfMonth(today, Number(m[2]));
    return d ? { date: d } : null;
  });
  rule(/\bin (\d{1,3}|a|an|1) (day|days|week|weeks|fortnight|fortnights)\b/, (m) => {
    const n = /^an?$/.test(m[1]!) ? 1 : Number(m[1]);
    const unit = m[2]!.startsWith('day') ? 1 : m[2]!.startsWith('week') ? 7 : 14;
    return { date: addDays(today, n * unit) };
  });
  rule(/\b(\d{1,3}) (days|weeks) (?:from (?:now|today)|time)\b/, (m) => ({
    date: addDays(today, Number(m[1]) * (m[2] === 'days' ? 1 : 7)),
  }));
  rule(/\b(?:a )?fortnight\b/, () => ({ date: addDays(today, 14) }));
  rule(/\btonight\b/, () => ({ date: today, dayPart: 'evening' }));
  rule(/\bthis (morning|afternoon|evening)\b/, (m) => ({ date: today, dayPart: m[1] as DayPart }));
  rule(/\b(?:later )?today\b/, () => ({ date: today }));
  rule(/\btomorrow(?:'s)?\b/, () => ({ date: addDays(today, 1) }));
  rule(new RegExp(`\\b(this coming|coming|this|next|on|by|for|until|till)? ?${WD}\\b`), (m) => {
    const wd = wdNum(m[2]);
    const word = m[1];
    if (word === 'this' || word === 'this coming' || word === 'coming') return { date: coming(wd, true) };
    const first = coming(wd, false);
    if (word === 'next') {
      if (wd === todayIdx) return { date: first };
      if (todayIdx + ((wd - todayIdx + 7) % 7) <= 6)
        return {
          options: [first, addDays(first, 7)],
          why: `next ${WEEKDAYS[wd]} could be ${fmtOption(first)} or ${fmtOption(addDays(first, 7))}`,
        };
      return { date: first };
    }
    if (wd === todayIdx)
      return {
        options: [today, first],
        why: `${WEEKDAYS[wd]} could be today or ${fmtOption(first)}`,
      };
    return { date: first };
  });
  // What the rules missed, chrono may read (ISO dates, "Apr. 14" forms): only a stated day and month count.
  if (hits.length === 0 && /\d/.test(s)) {
    const ref = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 12));
    for (const r of chrono.GB.parse(s, { instant: ref, timezone: 0 }, { forwardDate: true })) {
      if (!r.start.isCertain('day') || !r.start.isCertain('month')) continue;
      const day = r.start.get('day')!;
      const month = r.start.get('month')!;
      const year = r.start.isCertain('year') ? String(r.start.get('year')) : undefined;
      const hit = monthDay(month, day, year);
      if (hit) {
        hits.push({ index: r.index, ...hit });
        s = blank(s, r.index, r.text.length);
      }
    }
  }
  hits.sort((a, b) => a.index - b.index);
  return { hits, rest: s };
}

interface TimeHit {
  index: number;
  minutes: number;
  /** am/pm said (or 24 h, noon, midnight): no business-hours reading. */
  fixed: boolean;
  qualifier: 'at' | 'after' | 'before';
}

const INTRO = /^(?:at|after|before|by|around|about|from|until|till|to|for|past|than|any ?time|@) ?/;
const AFTER =
  /(?:any ?time after|anytime after|after|from|later than|past|not before|no earlier than|starting at|starting|onwards from)\s*$/;
const BEFORE = /(?:before|by|until|till|til|no later than|earlier than|not after|latest by)\s*$/;

function qualifierAt(s: string, index: number, end: number): 'at' | 'after' | 'before' {
  const before = s.slice(Math.max(0, index - 24), index);
  const after = s.slice(end, end + 20);
  if (/^\s*(?:or later|onwards|or after|and later|\+)/.test(after)) return 'after';
  if (/^\s*(?:or earlier|at the latest|or before)/.test(after)) return 'before';
  if (AFTER.test(before.replace(/\b(?:at|about|around)\s*$/, ''))) return 'after';
  if (BEFORE.test(before.replace(/\b(?:at|about|around)\s*$/, ''))) return 'before';
  return 'at';
}

/** Reads the first time of day the text holds (dates already blanked). */
function findTime(s: string): TimeHit | null {
  const hits: TimeHit[] = [];
  let t = s;
  const rule = (
    re: RegExp,
    fn: (m: RegExpExecArray) => { minutes: number; fixed: boolean; qualifier?: 'after' | 'before' } | null,
  ): void => {
    const g = new RegExp(re.source, 'g');
    for (let m = g.exec(t); m; m = g.exec(t)) {
      const r = fn(m);
      if (!r || r.minutes < 0 || r.minutes >= 24 * 60) continue;
      // The word that introduces the time may be part of the match ("after 3"): read the qualifier up to its number.
      const intro = INTRO.exec(m[0]);
      const lead = intro ? intro[0].length : 0;
      const qualifier = r.qualifier ?? qualifierAt(t, m.index + lead, m.index + m[0].length);
      hits.push({ index: m.index, minutes: r.minutes, fixed: r.fixed, qualifier });
      t = blank(t, m.index, m[0].length);
    }
  };
  const ampm = (h: number, mer: string | undefined): { h: number; fixed: boolean } | null => {
    if (!mer) return { h, fixed: h > 12 || h === 0 };
    if (h < 1 || h > 12) return null;
    const pm = mer.startsWith('p');
    return { h: pm ? (h % 12) + 12 : h % 12, fixed: true };
  };
  const MER = '\\s*(a\\.?m\\.?|p\\.?m\\.?)';
  rule(/\bafter lunch\b/, () => ({ minutes: 13 * 60, fixed: true, qualifier: 'after' }));
  rule(/\bbefore lunch\b/, () => ({ minutes: 12 * 60, fixed: true, qualifier: 'before' }));
  rule(/\b(noon|midday|12 noon|lunchtime|lunch time)\b/, () => ({ minutes: 12 * 60, fixed: true }));
  rule(/\bmidnight\b/, () => ({ minutes: 0, fixed: true }));
  rule(
    /\b(?:(\d{1,2}) ?(?:minutes )?|(quarter|half) )(past|after) (\d{1,2})\b(?:\s*(a\.?m\.?|p\.?m\.?)(?!\w))?/,
    (m) => {
      const min = m[2] === 'quarter' ? 15 : m[2] === 'half' ? 30 : Number(m[1]);
      const h = Number(m[4]);
      if (min <= 0 || min >= 60 || h > 12) return null;
      if (m[1] !== undefined && m[2] === undefined && min % 5 !== 0) return null;
      const r = ampm(h, m[5]);
      return r ? { minutes: r.h * 60 + min, fixed: r.fixed } : null;
    },
  );
  rule(
    /\b(?:(5|10|20|25) ?(?:minutes )?|(quarter) )(to|til|till) (\d{1,2})\b(?:\s*(a\.?m\.?|p\.?m\.?)(?!\w))?/,
    (m) => {
      const min = m[2] === 'quarter' ? 15 : Number(m[1]);
      const h = Number(m[4]);
      if (h < 1 || h > 12) return null;
      const r = ampm(h, m[5]);
      if (!r) return null;
      return { minutes: (r.h === 0 ? 24 : r.h) * 60 - min, fixed: r.fixed };
    },
  );
  // British "half two" = 2:30.
  rule(/\bhalf (\d{1,2})\b(?!:)(?:\s*(a\.?m\.?|p\.?m\.?)(?!\w))?/, (m) => {
    const r = ampm(Number(m[1]), m[2]);
    return r && Number(m[1]) <= 12 ? { minutes: r.h * 60 + 30, fixed: r.fixed } : null;
  });
  rule(new RegExp(`\\b(\\d{1,2})[:.](\\d{2})(?:${MER}(?!\\w))?`), (m) => {
    const min = Number(m[2]);
    if (min > 59) return null;
    const r = ampm(Number(m[1]), m[3]);
    return r ? { minutes: r.h * 60 + min, fixed: r.fixed } : null;
  });
  rule(new RegExp(`\\b(\\d{1,2})(?:${MER}(?!\\w)|\\s*o'? ?clock\\b|ish\\b)`), (m) => {
    const r = ampm(Number(m[1]), m[2]);
    return r ? { minutes: r.h * 60, fixed: r.fixed } : null;
  });
  // "three thirty" (already "3 30"), after a word that introduces a time.
  rule(
    /(?:\b(?:at|after|before|by|around|about|from|until|till|to|for|@) |(?<![\d/.:-] ?)\b(?=\d{1,2} (?:15|30|45)\b))(\d{1,2}) (00|05|10|15|20|25|30|35|40|45|50|55)\b(?! ?(?:days?|weeks?|mins?|minutes?|hours?|hrs?|people|pm|am))/,
    (m) => {
      const h = Number(m[1]);
      return h <= 23 ? { minutes: h * 60 + Number(m[2]), fixed: h > 12 } : null;
    },
  );
  rule(
    /(?:\b(?:at|after|before|by|around|about|from|until|till|to|for|past|than|any time|anytime)|@) ?(\d{1,2})\b(?!\s*(?:\/|-\d|days?|weeks?|months?|mins?|minutes?|hours?|hrs?|people|persons?|of us|kids|children|dogs?|cats?|bikes?|st\b|nd\b|rd\b|th\b|%|\.\d|:\d))/,
    (m) => {
      const h = Number(m[1]);
      return h <= 23 ? { minutes: h * 60, fixed: h > 12 || h === 0 } : null;
    },
  );
  if (hits.length === 0) return null;
  hits.sort((a, b) => a.index - b.index);
  return hits[0]!;
}

const toMinutes = (hm: string): number => {
  const [h, m] = hm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** A bare hour (no am/pm) read as am or pm: the day part said, else opening hours, else 1–7 pm. */
function resolveHour(minutes: number, dayPart: DayPart | undefined, opts: WhenOptions): number {
  const h = Math.floor(minutes / 60);
  if (h === 0 || h >= 12) return minutes;
  if (dayPart === 'morning') return minutes;
  if (dayPart === 'afternoon' || dayPart === 'evening') return minutes + 12 * 60;
  if (opts.hours) {
    const open = toMinutes(opts.hours.open);
    const close = toMinutes(opts.hours.close);
    const am = minutes >= open && minutes < close;
    const pm = minutes + 720 >= open && minutes + 720 < close;
    if (am !== pm) return am ? minutes : minutes + 720;
  }
  return h <= 7 ? minutes + 720 : minutes;
}

function findDayPart(s: string): DayPart | undefined {
  if (/\b(morning|mornings|first thing|early doors|am slot|before lunch)\b/.test(s)) return 'morning';
  if (/\b(afternoon|afternoons|after lunch|pm slot)\b/.test(s)) return 'afternoon';
  if (/\b(evening|evenings|tonight|after work|night)\b/.test(s)) return 'evening';
  return undefined;
}

/**
 * The date, time and qualifier a message holds. With several dates, the one after "to"/"for" wins when
 * `preferLast` (moving an appointment: "from Friday to Tuesday"), else the first.
 */
export function readWhen(text: string, now: WallClock, opts: WhenOptions = {}, preferLast = false): When {
  const s = normalise(text);
  const { hits, rest } = findDates(s, now, opts);
  const out: When = {};
  let chosen: DateHit | undefined;
  if (hits.length > 0) {
    if (preferLast) {
      chosen = [...hits]
        .reverse()
        .find((h) =>
          /\b(to|for|until|till|into|onto)\s*(?:the\s*)?$/.test(s.slice(Math.max(0, h.index - 12), h.index)),
        );
      chosen ??= hits[hits.length - 1];
    } else chosen = hits[0];
  }
  if (chosen?.date) out.date = isoDay(chosen.date);
  else if (chosen?.options) {
    out.ambiguous = chosen.why ?? 'the date could mean two days';
    out.dateOptions = chosen.options.map(isoDay);
  }
  const dayPart = chosen?.dayPart ?? findDayPart(rest);
  const t = findTime(rest);
  if (t) {
    const minutes = t.fixed ? t.minutes : resolveHour(t.minutes, dayPart, opts);
    out.time = hhmm(minutes);
    out.timeQualifier = t.qualifier;
  } else if (dayPart) out.timeQualifier = dayPart;
  return out;
}
