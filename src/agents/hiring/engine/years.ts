// Years of experience from a resume's date ranges: "Jan 2018 – Present", "2015-2019", "03/2019 – 06/2021",
// "September 2016 to March 2020". Ranges under an Education heading, or on a line naming a school or a degree, are
// study, not work. Overlapping ranges are merged, so two jobs at once count once.
import type { Unit } from './text.ts';

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DATE = `(?:${MONTH}\\s+\\d{4}|\\d{1,2}[/.]\\d{4}|\\d{4}[/.-]\\d{1,2}(?!\\d)|(?:19|20)\\d{2})`;
const END = `(?:${DATE}|present|current|now|today|ongoing|date)`;
/** Numbers written as words in "six years" (the resume engine and the phone screen's answers read the same ones). */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
};
/** NUMBER_WORDS as a regular-expression alternation. */
export const NUMBER_WORD_PATTERN = Object.keys(NUMBER_WORDS).join('|');

export const RANGE = new RegExp(
  `(?<![\\d/.])(${DATE})\\s*(?:-|–|—|to|until|till|through)\\s*(${END})(?![\\d/])`,
  'gi',
);

const STUDY =
  /\b(university|college|school|academy|institute|bachelor|master|degree|bsc|msc|phd|diploma|gcse|a-levels|student|studies|graduated)\b/i;

/** Months since year 0: a point on one axis. `end` says whether a bare year means its end (December) or start. */
function monthOf(s: string, now: Date, end: boolean): number | null {
  const t = s.trim().toLowerCase().replace(/\.$/, '');
  if (/^(present|current|now|today|ongoing|date)$/.test(t))
    return now.getUTCFullYear() * 12 + now.getUTCMonth();
  let m = /^([a-z]+)\.?\s+(\d{4})$/.exec(t);
  if (m) {
    const mon = MONTHS[m[1]!.slice(0, 3)];
    return mon === undefined ? null : Number(m[2]) * 12 + mon;
  }
  m = /^(\d{1,2})[/.](\d{4})$/.exec(t);
  if (m) return Number(m[1]) >= 1 && Number(m[1]) <= 12 ? Number(m[2]) * 12 + Number(m[1]) - 1 : null;
  m = /^(\d{4})[/.-](\d{1,2})$/.exec(t);
  if (m) return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? Number(m[1]) * 12 + Number(m[2]) - 1 : null;
  m = /^(\d{4})$/.exec(t);
  if (m) return Number(m[1]) * 12 + (end ? 11 : 0);
  return null;
}

export interface DateRange {
  /** Months since year 0, inclusive start and exclusive end. */
  from: number;
  to: number;
  start: number;
  end: number;
}

/** The work date ranges of the text, in order, each with its offsets. */
export function workRanges(text: string, units: Unit[], now: Date): DateRange[] {
  const out: DateRange[] = [];
  const nowMonth = now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
  RANGE.lastIndex = 0;
  let ui = 0;
  // Whether a unit is study is asked once per unit, not once per range in it (a hostile line of ranges stays linear).
  let studyOf = -1;
  let study = false;
  for (let m = RANGE.exec(text); m; m = RANGE.exec(text)) {
    while (ui < units.length - 1 && units[ui]!.end <= m.index) ui++;
    const unit = units[ui];
    if (unit && studyOf !== ui) {
      studyOf = ui;
      study = unit.section === 'education' || unit.injection || unit.dump || STUDY.test(unit.text);
    }
    if (unit && study) continue;
    const from = monthOf(m[1]!, now, false);
    let to = monthOf(m[2]!, now, true);
    if (from === null || to === null) continue;
    to += 1;
    if (from < 1950 * 12 || to > nowMonth + 1 || to <= from) continue;
    out.push({ from, to: Math.min(to, nowMonth), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Total months covered by the ranges, overlaps merged. */
export function mergedMonths(ranges: { from: number; to: number }[]): number {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  let total = 0;
  let curFrom = -1;
  let curTo = -1;
  for (const r of sorted) {
    if (r.from > curTo) {
      if (curTo > curFrom) total += curTo - curFrom;
      curFrom = r.from;
      curTo = r.to;
    } else curTo = Math.max(curTo, r.to);
  }
  if (curTo > curFrom) total += curTo - curFrom;
  return total;
}

/** Years to one decimal. */
export function yearsOf(months: number): number {
  return Math.round((months / 12) * 10) / 10;
}
