// Proposing a rubric from a job description, deterministically: the lexicon's skills, certifications and languages
// it names, the years it asks ("5+ years", "at least three years of Go"), the degree level; must-have or
// nice-to-have from the wording of the sentence ("required", "must" / "nice to have", "bonus", "preferred") or else
// from its section ("Requirements" / "Nice to have"). A person edits the proposal; nothing here is final.
import { DEGREE_LEVELS, LEXICON, type LexiconEntry } from './lexicon.ts';
import { findTerms, lexiconScanner } from './match.ts';
import type { Criterion, Rubric } from './types.ts';
import { NUMBER_WORD_PATTERN, NUMBER_WORDS } from './years.ts';

export const DEFAULT_THRESHOLD = 60;
export const MAX_CRITERIA = 20;

const NICE =
  /\b(nice[- ]to[- ]have|nice to haves|bonus|preferred|preferably|a plus|plus if|desirable|desired|ideally|advantage|advantageous|optional|would be great|not required|is a plus|helpful|familiarity with)\b/i;
const MUST =
  /\b(required|requirements?|must|essential|mandatory|need to have|you have|you will have|you bring|minimum|at least|necessary|qualifications|what you('|’)ll need|we('|’)re looking for|you need)\b/i;
const NICE_HEADING =
  /^(nice[- ]to[- ]haves?|bonus( points)?|preferred( qualifications| skills)?|desirable|pluses|extra credit|good to have|it would be great if)\b/i;
const MUST_HEADING =
  /^(requirements|required( qualifications| skills)?|must[- ]haves?|minimum qualifications|qualifications|what you('|’)ll need|what we('|’)re looking for|who you are|about you|essential( skills| criteria)?|skills( and experience)?)\b/i;
const OTHER_HEADING =
  /^(about (us|the company|the role)|benefits|perks|what we offer|responsibilities|what you('|’)ll do|the role|location|salary|how to apply)\b/i;

const YEARS = new RegExp(
  `\\b(?:(?:at least|minimum of|min\\.?|over|more than)\\s+)?(\\d{1,2}|${NUMBER_WORD_PATTERN})\\s*(?:\\+|or more|plus)?\\s*(?:years?|yrs?)(?:'|’)?\\b`,
  'gi',
);

type Mode = 'must' | 'nice' | 'none';

interface Sentence {
  text: string;
  mode: Mode;
}

function sentences(jobText: string): Sentence[] {
  const out: Sentence[] = [];
  let section: Mode = 'none';
  for (const raw of jobText.split('\n')) {
    let line = raw.trim().replace(/^[#*\-•\s]+/, '');
    if (!line) continue;
    // "Nice to have: Kafka, Terraform": the heading sets the section, the rest of the line is read under it.
    const inline = /^([^:]{3,40}):\s+(\S.*)$/.exec(line);
    if (inline && (NICE_HEADING.test(inline[1]!) || MUST_HEADING.test(inline[1]!))) {
      section = NICE_HEADING.test(inline[1]!) ? 'nice' : 'must';
      line = inline[2]!;
    }
    const bare = line.replace(/[:\s]+$/, '');
    if (bare.length <= 60 && NICE_HEADING.test(bare)) {
      section = 'nice';
      if (/:$/.test(line) || bare.split(/\s+/).length <= 5) continue;
    } else if (bare.length <= 60 && MUST_HEADING.test(bare) && bare.split(/\s+/).length <= 6) {
      section = 'must';
      continue;
    } else if (bare.length <= 60 && OTHER_HEADING.test(bare) && bare.split(/\s+/).length <= 6) {
      section = 'none';
      continue;
    }
    for (const s of line.split(/(?<=[.!?;])\s+/)) if (s.trim()) out.push({ text: s, mode: section });
  }
  return out;
}

/** Must-have unless the sentence or its section says otherwise; the sentence's own words win. */
function required(s: Sentence): boolean {
  if (NICE.test(s.text)) return false;
  if (MUST.test(s.text)) return true;
  return s.mode !== 'nice';
}

function yearsIn(text: string): { n: number; start: number; end: number }[] {
  const out: { n: number; start: number; end: number }[] = [];
  YEARS.lastIndex = 0;
  for (let m = YEARS.exec(text); m; m = YEARS.exec(text)) {
    const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : (NUMBER_WORDS[m[1]!.toLowerCase()] ?? 0);
    if (n > 0 && n <= 30) out.push({ n, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** "5+ years of professional experience with Go": the years go to the skill named right after them. */
const BRIDGE =
  /^\s*(?:of\s+)?(?:(?:professional|commercial|hands-on|practical|relevant|industry|production|solid|proven|working)\s+)*(?:experience\s+)?(?:(?:with|in|using|of|writing|building|developing|as an?|as)\s+)?(?:(?:modern|production|professional|backend|frontend)\s+)?$/i;

let scanner: ((text: string) => { entry: LexiconEntry; start: number }[]) | undefined;
function scan(text: string) {
  scanner ??= lexiconScanner(LEXICON);
  return scanner(text);
}

export function proposeRubric(jobText: string): Rubric {
  const found = new Map<string, Criterion>();
  const order: string[] = [];
  const add = (c: Criterion) => {
    const prev = found.get(c.id);
    if (!prev) {
      found.set(c.id, c);
      order.push(c.id);
      return;
    }
    // Named again: a must-have wins over a nice-to-have, the larger years ask wins.
    if (c.required && !prev.required) {
      prev.required = true;
      prev.weight = Math.max(prev.weight, c.weight);
    }
    if (c.minYears && (!prev.minYears || c.minYears > prev.minYears)) {
      prev.minYears = c.minYears;
      prev.label = c.label;
      prev.weight = Math.max(prev.weight, c.weight);
    }
  };
  const entryWeight = (e: LexiconEntry, req: boolean) =>
    e.kind === 'language' ? (req ? 3 : 1) : e.kind === 'certification' ? (req ? 3 : 2) : req ? 3 : 1;

  for (const s of sentences(jobText)) {
    const req = required(s);
    const skillHits: { entry: LexiconEntry; start: number }[] = [];
    const seen = new Set<string>();
    for (const { entry, start } of scan(s.text)) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      // A language named as a programming context ("Go", "Java") is a skill; a spoken language needs speaking words
      // nearby only when the sentence is about languages at all.
      if (
        entry.kind === 'language' &&
        !/\b(speak|spoken|fluen|language|bilingual|native|proficien|written|verbal|conversational)/i.test(
          s.text,
        )
      )
        continue;
      skillHits.push({ entry, start });
    }
    const years = yearsIn(s.text);
    const attached = new Set<string>();
    for (const y of years) {
      const next = skillHits
        .filter((h) => h.start >= y.end && h.start - y.end <= 60 && BRIDGE.test(s.text.slice(y.end, h.start)))
        .sort((a, b) => a.start - b.start)[0];
      if (next && next.entry.kind === 'skill') {
        attached.add(next.entry.id);
        add({
          id: next.entry.id,
          label: `${y.n}+ years of ${next.entry.label}`,
          kind: 'skill',
          required: req,
          weight: req ? 4 : 2,
          terms: [...next.entry.terms],
          minYears: y.n,
        });
      } else if (/experience|background|track record|in (a|an|the) (similar )?role|working/i.test(s.text)) {
        add({
          id: `years-${y.n}`,
          label: `${y.n}+ years of professional experience`,
          kind: 'experience',
          required: req,
          weight: req ? 4 : 2,
          terms: [],
          minYears: y.n,
        });
      }
    }
    for (const h of skillHits) {
      if (attached.has(h.entry.id)) continue;
      add({
        id: h.entry.id,
        label: h.entry.label,
        kind: h.entry.kind,
        required: req,
        weight: entryWeight(h.entry, req),
        terms: [...h.entry.terms],
      });
    }
    // Degrees: the lowest level the sentence names (a "Bachelor's or Master's" asks for a bachelor's).
    const level = DEGREE_LEVELS.findIndex(
      (d) =>
        findTerms(
          s.text,
          d.terms.filter((t) => t.length > 3 || t.includes('.')),
        ).length > 0,
    );
    if (level >= 0 && /degree|bachelor|master|phd|doctorate|diploma|graduate|bsc|msc|mba/i.test(s.text)) {
      const d = DEGREE_LEVELS[level]!;
      const must = req && !/or equivalent (practical |work )?experience/i.test(s.text);
      add({
        id: d.id,
        label: d.label,
        kind: 'degree',
        required: must,
        weight: must ? 3 : 1,
        terms: DEGREE_LEVELS.slice(level).flatMap((x) => x.terms),
      });
    }
  }
  // Only one total-experience criterion: the largest ask.
  const yearIds = order.filter((id) => found.get(id)!.kind === 'experience');
  const keepYears = yearIds.sort((a, b) => (found.get(b)!.minYears ?? 0) - (found.get(a)!.minYears ?? 0))[0];
  let criteria = order
    .filter((id) => found.get(id)!.kind !== 'experience' || id === keepYears)
    .map((id) => found.get(id)!);
  if (criteria.length > MAX_CRITERIA) {
    const must = criteria.filter((c) => c.required);
    const nice = criteria.filter((c) => !c.required);
    const keep = new Set([...must, ...nice].slice(0, MAX_CRITERIA));
    criteria = criteria.filter((c) => keep.has(c));
  }
  return { criteria, threshold: DEFAULT_THRESHOLD };
}
