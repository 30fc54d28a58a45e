// STAND-IN (hiring-core): the engine contract of /work/briefs/hiring-api.md with a deliberately tiny local engine,
// so the hiring kind builds and runs before the branch `hiring-engine` (which owns src/agents/hiring/engine/**) is
// merged. At merge, take hiring-engine's version of this folder.
import type { LlmBackend } from '../../../engines/llm/backend.ts';

export type CriterionKind = 'skill' | 'experience' | 'degree' | 'certification' | 'language' | 'other';
export interface Criterion {
  id: string;
  label: string;
  kind: CriterionKind;
  required: boolean;
  weight: number;
  terms: string[];
  minYears?: number;
}
export interface Rubric {
  criteria: Criterion[];
  threshold: number;
}
export interface Evidence {
  quote: string;
  start: number;
  end: number;
}
export type Verdict = 'met' | 'partly' | 'missing';
export interface CriterionResult {
  id: string;
  label: string;
  required: boolean;
  weight: number;
  verdict: Verdict;
  evidence: Evidence[];
  note?: string;
}
export interface ScoreResult {
  score: number;
  qualified: boolean;
  criteria: CriterionResult[];
  yearsOfExperience: number | null;
  engine: 'local' | 'llm';
  model?: string;
}
export type RedactionKind =
  | 'name'
  | 'email'
  | 'phone'
  | 'address'
  | 'url'
  | 'age'
  | 'birthdate'
  | 'gender'
  | 'marital'
  | 'nationality'
  | 'photo';
export interface Redaction {
  text: string;
  redactions: { kind: RedactionKind; start: number; end: number }[];
}

const SKILLS = [
  'typescript',
  'javascript',
  'python',
  'go',
  'java',
  'sql',
  'postgresql',
  'react',
  'node.js',
  'aws',
  'docker',
  'kubernetes',
  'excel',
  'figma',
];
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function proposeRubric(jobText: string): Rubric {
  const lower = jobText.toLowerCase();
  const criteria: Criterion[] = SKILLS.filter((s) => new RegExp(`\\b${esc(s)}\\b`).test(lower)).map((s) => ({
    id: slug(s),
    label: s,
    kind: 'skill' as const,
    required: true,
    weight: 3,
    terms: [s],
  }));
  const years = /(\d{1,2})\+?\s*years/.exec(lower);
  if (years)
    criteria.push({
      id: `years-${years[1]}`,
      label: `${years[1]}+ years of experience`,
      kind: 'experience',
      required: false,
      weight: 2,
      terms: [],
      minYears: Number(years[1]),
    });
  if (criteria.length === 0)
    criteria.push({
      id: 'relevant-experience',
      label: 'Relevant experience',
      kind: 'other',
      required: false,
      weight: 1,
      terms: ['experience'],
    });
  return { criteria, threshold: 60 };
}

export function redact(
  text: string,
  known: { name?: string; email?: string; phone?: string } = {},
): Redaction {
  const patterns: [RedactionKind, RegExp][] = [
    ['email', /[\w.+-]+@[\w-]+(\.[\w-]+)+/g],
    ['url', /https?:\/\/\S+/g],
    ['phone', /\+?\d[\d ().-]{7,}\d/g],
  ];
  if (known.name?.trim()) patterns.push(['name', new RegExp(esc(known.name.trim()), 'gi')]);
  let out = text;
  for (const [kind, re] of patterns) out = out.replace(re, `[${kind.toUpperCase()}]`);
  const redactions: Redaction['redactions'] = [];
  for (const m of out.matchAll(/\[(EMAIL|URL|PHONE|NAME)\]/g))
    redactions.push({
      kind: m[1]!.toLowerCase() as RedactionKind,
      start: m.index,
      end: m.index + m[0].length,
    });
  return { text: out, redactions };
}

function years(text: string, now: Date): number | null {
  let total = 0;
  let seen = false;
  for (const m of text.matchAll(/\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d|present|now)\b/gi)) {
    const end = /\d/.test(m[2]!) ? Number(m[2]) : now.getUTCFullYear();
    if (end >= Number(m[1])) {
      total += end - Number(m[1]);
      seen = true;
    }
  }
  return seen ? total : null;
}

export function scoreResume(rubric: Rubric, redactedText: string, opts: { now?: Date } = {}): ScoreResult {
  const lower = redactedText.toLowerCase();
  const yoe = years(redactedText, opts.now ?? new Date());
  const criteria = rubric.criteria.map((c): CriterionResult => {
    const evidence: Evidence[] = [];
    for (const t of c.terms) {
      const at = lower.search(new RegExp(`\\b${esc(t)}\\b`));
      if (at >= 0)
        evidence.push({ quote: redactedText.slice(at, at + t.length), start: at, end: at + t.length });
    }
    let verdict: Verdict = evidence.length > 0 ? 'met' : 'missing';
    if (c.kind === 'experience' && c.minYears !== undefined)
      verdict = yoe === null ? 'missing' : yoe >= c.minYears ? 'met' : yoe > 0 ? 'partly' : 'missing';
    return { id: c.id, label: c.label, required: c.required, weight: c.weight, verdict, evidence };
  });
  const total = criteria.reduce((s, c) => s + c.weight, 0) || 1;
  const got = criteria.reduce(
    (s, c) => s + c.weight * (c.verdict === 'met' ? 1 : c.verdict === 'partly' ? 0.5 : 0),
    0,
  );
  const score = Math.round((100 * got) / total);
  const qualified = score >= rubric.threshold && !criteria.some((c) => c.required && c.verdict === 'missing');
  return { score, qualified, criteria, yearsOfExperience: yoe, engine: 'local' };
}

export function checkQuotes(text: string, r: ScoreResult): ScoreResult {
  return {
    ...r,
    criteria: r.criteria.map((c) =>
      c.evidence.every((e) => text.slice(e.start, e.end) === e.quote)
        ? c
        : { ...c, verdict: 'missing' as const, evidence: [], note: 'a quote is not in the resume' },
    ),
  };
}

export async function llmScoreResume(
  _backend: LlmBackend,
  rubric: Rubric,
  input: { redactedText: string; pdf?: Uint8Array },
  _opts?: unknown,
): Promise<ScoreResult> {
  return scoreResume(rubric, input.redactedText);
}

export function screenQuestions(rubric: Rubric): { criterionId: string; question: string }[] {
  return rubric.criteria.map((c) => ({ criterionId: c.id, question: `Tell me about your ${c.label}.` }));
}
