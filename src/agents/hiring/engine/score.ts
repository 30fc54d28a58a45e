// The local engine: a resume's redacted text against a rubric, deterministic, no model. Per criterion:
//   met     — a term stands in a sentence that says what the person did (not a bare list), quoted; a skill with
//             minYears also needs that many years: stated next to it ("6 years of Python") or the merged date ranges
//             of the jobs whose lines name it; an 'experience' criterion needs the years from the date ranges;
//             degrees, certifications and languages are met by a mention anywhere (a "Languages:" line is normal).
//   partly  — only in a list (a skills line), fewer years than asked, a lower degree, or years claimed without dates.
//   missing — no quotable mention.
// score = round(100 × Σ weight × (1 met, ½ partly, 0 missing) / Σ weight); qualified = score ≥ threshold and no
// required criterion missing. Lines addressed to the screening system and keyword dumps are never evidence, and
// each criterion quotes at most two units, so repeating a term gains nothing.
import { DEGREE_LEVELS } from './lexicon.ts';
import { findTerms } from './match.ts';
import { quotable, type Unit, unitsOf } from './text.ts';
import type { Criterion, CriterionResult, Evidence, Rubric, ScoreResult, Verdict } from './types.ts';
import {
  type DateRange,
  mergedMonths,
  NUMBER_WORD_PATTERN,
  NUMBER_WORDS,
  workRanges,
  yearsOf,
} from './years.ts';

export const MAX_QUOTES = 2;
const VALUE: Record<Verdict, number> = { met: 1, partly: 0.5, missing: 0 };

/** The score of criterion results: weighted share of met (1) and partly (½), 0..100, unrounded. */
export function weightedScore(criteria: readonly Pick<CriterionResult, 'weight' | 'verdict'>[]): number {
  let total = 0;
  let got = 0;
  for (const c of criteria) {
    total += c.weight;
    got += c.weight * VALUE[c.verdict];
  }
  return total > 0 ? (100 * got) / total : 0;
}

export function isQualified(score: number, threshold: number, criteria: readonly CriterionResult[]): boolean {
  return score >= threshold && !criteria.some((c) => c.required && c.verdict === 'missing');
}

interface Context {
  text: string;
  units: Unit[];
  /** Units that may be quoted, with the term hits inside them. */
  ranges: DateRange[];
  /** For each unit index, the date range of the job it belongs to (the last range above it in the section). */
  jobOf: (DateRange | null)[];
  years: number | null;
}

function unitAt(units: Unit[], pos: number): number {
  let lo = 0;
  let hi = units.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const u = units[mid]!;
    if (pos < u.start) hi = mid - 1;
    else if (pos >= u.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

function context(text: string, now: Date): Context {
  const units = unitsOf(text);
  const ranges = workRanges(text, units, now);
  const jobOf: (DateRange | null)[] = new Array(units.length).fill(null);
  let ri = 0;
  let current: DateRange | null = null;
  let section = '';
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    if (u.section !== section) {
      section = u.section;
      current = null;
    }
    while (ri < ranges.length && ranges[ri]!.start < u.end) current = ranges[ri++]!;
    jobOf[i] = current;
  }
  const months = mergedMonths(ranges);
  return { text, units, ranges, jobOf, years: ranges.length ? yearsOf(months) : null };
}

function quote(u: Unit): Evidence {
  return { quote: u.text, start: u.start, end: u.end };
}

/** Indices of quotable units holding one of the terms, in order, once each. */
function unitsWith(ctx: Context, terms: readonly string[]): number[] {
  const out = new Set<number>();
  for (const [s] of findTerms(ctx.text, terms)) {
    const i = unitAt(ctx.units, s);
    if (i >= 0 && quotable(ctx.units[i]!)) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

const YEARS_STATED = new RegExp(`\\b(\\d{1,2}|${NUMBER_WORD_PATTERN})\\s*\\+?\\s*(?:years?|yrs?)\\b`, 'gi');

/** The largest "N years" stated in a unit. */
function statedYears(t: string): number {
  let best = 0;
  YEARS_STATED.lastIndex = 0;
  for (let m = YEARS_STATED.exec(t); m; m = YEARS_STATED.exec(t)) {
    const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : (NUMBER_WORDS[m[1]!.toLowerCase()] ?? 0);
    if (n <= 50) best = Math.max(best, n);
  }
  return best;
}

function result(c: Criterion, verdict: Verdict, evidence: Evidence[], note?: string): CriterionResult {
  return {
    id: c.id,
    label: c.label,
    required: c.required,
    weight: c.weight,
    verdict,
    evidence: evidence.slice(0, MAX_QUOTES),
    ...(note ? { note } : {}),
  };
}

function judgeSkill(ctx: Context, c: Criterion): CriterionResult {
  const hits = unitsWith(ctx, c.terms);
  const prose = hits.filter((i) => !ctx.units[i]!.list);
  const lists = hits.filter((i) => ctx.units[i]!.list);
  if (!prose.length) {
    if (lists.length)
      return result(
        c,
        'partly',
        lists.map((i) => quote(ctx.units[i]!)),
        'listed as a skill, no sentence shows it used',
      );
    return result(c, 'missing', []);
  }
  if (!c.minYears)
    return result(
      c,
      'met',
      prose.map((i) => quote(ctx.units[i]!)),
    );
  // Years with this skill: stated next to it, or the merged ranges of the jobs whose lines name it.
  const stated = prose.map((i) => ({ i, n: statedYears(ctx.units[i]!.text) })).filter((x) => x.n > 0);
  const bestStated = stated.reduce((n, x) => Math.max(n, x.n), 0);
  const jobs = [...new Set(prose.map((i) => ctx.jobOf[i]).filter((r): r is DateRange => r !== null))];
  const shown = yearsOf(mergedMonths(jobs));
  const years = Math.max(bestStated, shown);
  const ordered = [...stated.map((x) => x.i), ...prose].filter((v, k, a) => a.indexOf(v) === k);
  const evidence = ordered.map((i) => quote(ctx.units[i]!));
  if (years >= c.minYears) return result(c, 'met', evidence);
  return result(
    c,
    'partly',
    evidence,
    years > 0
      ? `about ${years} years shown, ${c.minYears} asked`
      : `used, but the years are not shown (${c.minYears} asked)`,
  );
}

function judgeExperience(ctx: Context, c: Criterion): CriterionResult {
  const min = c.minYears ?? 0;
  if (ctx.years !== null) {
    const evidence = ctx.ranges
      .map((r) => quote(ctx.units[unitAt(ctx.units, r.start)]!))
      .filter((e, k, a) => a.findIndex((x) => x.start === e.start) === k);
    if (ctx.years >= min) return result(c, 'met', evidence, `${ctx.years} years from the date ranges`);
    if (ctx.years >= min / 2)
      return result(c, 'partly', evidence, `${ctx.years} years from the date ranges, ${min} asked`);
  }
  // Years claimed in a sentence but not shown by dates.
  for (let i = 0; i < ctx.units.length; i++) {
    const u = ctx.units[i]!;
    if (!quotable(u) || u.section === 'education') continue;
    if (statedYears(u.text) >= min && /experience|years? (of|in|as)|career/i.test(u.text))
      return result(c, 'partly', [quote(u)], 'years stated, not shown by dates');
  }
  return result(
    c,
    'missing',
    [],
    ctx.years === null ? 'no date ranges found' : `${ctx.years} years from the date ranges, ${min} asked`,
  );
}

function judgeDegree(ctx: Context, c: Criterion): CriterionResult {
  const hits = unitsWith(ctx, c.terms);
  if (hits.length)
    return result(
      c,
      'met',
      hits.map((i) => quote(ctx.units[i]!)),
    );
  const level = DEGREE_LEVELS.findIndex((d) => d.id === c.id);
  if (level > 0) {
    const lower = unitsWith(
      ctx,
      DEGREE_LEVELS.slice(0, level).flatMap((d) => d.terms),
    );
    if (lower.length)
      return result(
        c,
        'partly',
        lower.map((i) => quote(ctx.units[i]!)),
        'a lower degree',
      );
  }
  return result(c, 'missing', []);
}

function judgeMention(ctx: Context, c: Criterion): CriterionResult {
  const hits = unitsWith(ctx, c.terms);
  return hits.length
    ? result(
        c,
        'met',
        hits.map((i) => quote(ctx.units[i]!)),
      )
    : result(c, 'missing', []);
}

function judge(ctx: Context, c: Criterion): CriterionResult {
  if (c.kind === 'experience' && (c.terms.length === 0 || c.id.startsWith('years')))
    return judgeExperience(ctx, c);
  if (c.kind === 'degree') return judgeDegree(ctx, c);
  if (c.kind === 'certification' || c.kind === 'language') return judgeMention(ctx, c);
  return judgeSkill(ctx, c);
}

export interface DetailedScore {
  result: ScoreResult;
  /** The unrounded score plus a tie-break under 1 point: genuine evidence units (capped per criterion), for ranking. */
  rank: number;
}

/** scoreResume with the unrounded figure a ranking needs. */
export function scoreResumeDetailed(
  rubric: Rubric,
  redactedText: string,
  opts: { now?: Date } = {},
): DetailedScore {
  const ctx = context(redactedText, opts.now ?? new Date());
  const criteria = rubric.criteria.map((c) => judge(ctx, c));
  const raw = weightedScore(criteria);
  const score = Math.max(0, Math.min(100, Math.round(raw)));
  const flags: string[] = [];
  if (ctx.units.some((u) => u.injection))
    flags.push('the resume contains text addressed to the screening system; it was ignored');
  if (ctx.units.some((u) => u.dump))
    flags.push('the resume contains a keyword dump or repeated lines; they were ignored');
  const evidenceUnits = criteria.reduce((n, c) => n + c.evidence.length, 0);
  return {
    result: {
      score,
      qualified: isQualified(score, rubric.threshold, criteria),
      criteria,
      yearsOfExperience: ctx.years,
      engine: 'local',
      ...(flags.length ? { flags } : {}),
    },
    rank: raw + Math.min(evidenceUnits, 99) / 100,
  };
}

/** The local engine (deterministic): see the header of this file for the rule. */
export function scoreResume(rubric: Rubric, redactedText: string, opts: { now?: Date } = {}): ScoreResult {
  return scoreResumeDetailed(rubric, redactedText, opts).result;
}
