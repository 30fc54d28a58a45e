// Scores the dialogue's understanding on labelled JSONL lines (`twelve eval receptionist`): each line gives now (local
// wall-clock time in tz), tz, the services, the text and what it should be understood as. A field absent from
// `expect` is not scored; `null` means "must not be set" (no service named, no time said).
import type { Intent, Understanding } from '../model.ts';
import { isKnownZone } from './calendar.ts';

export const INTENTS: readonly Intent[] = [
  'book',
  'reschedule',
  'cancel',
  'availability',
  'question',
  'person',
  'other',
];

/** The slots scored, in the order reports list them (`ambiguous` is scored as set or not). */
export const FIELDS = [
  'intent',
  'service',
  'date',
  'time',
  'timeQualifier',
  'name',
  'phone',
  'email',
  'code',
  'ambiguous',
] as const;
export type Field = (typeof FIELDS)[number];

export interface EvalLine {
  /** 1-based line number in the file. */
  line: number;
  now: string;
  tz: string;
  services: string[];
  text: string;
  expect: Partial<Record<Field, string | boolean | null>> & { intent: Intent };
}

export class EvalInputError extends Error {
  override name = 'EvalInputError';
}

const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;
const QUALIFIERS = ['at', 'after', 'before', 'morning', 'afternoon', 'evening'];

/** Reads and checks the lines; a bad one is refused naming the file, its line and what is wrong. */
export function parseEvalLines(text: string, file: string): EvalLine[] {
  const out: EvalLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const where = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (err) {
      throw new EvalInputError(
        `${where}: not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const fail = (what: string): never => {
      throw new EvalInputError(`${where}: ${what}`);
    };
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('each line must be a JSON object');
    const o = v as Record<string, unknown>;
    if (typeof o.now !== 'string' || !WALL.test(o.now))
      fail('"now" must be a local wall-clock time like "2026-03-27T16:05:00"');
    if (typeof o.tz !== 'string' || !isKnownZone(o.tz))
      fail('"tz" must be an IANA time zone like "Europe/London"');
    if (!Array.isArray(o.services) || !o.services.every((x) => typeof x === 'string' && x.trim() !== ''))
      fail('"services" must be an array of service names');
    if (typeof o.text !== 'string' || o.text.trim() === '') fail('"text" must be a non-empty string');
    if (typeof o.expect !== 'object' || o.expect === null || Array.isArray(o.expect))
      fail('"expect" must be an object');
    const e = o.expect as Record<string, unknown>;
    if (!INTENTS.includes(e.intent as Intent)) fail(`"expect.intent" must be one of ${INTENTS.join(', ')}`);
    for (const k of Object.keys(e)) {
      if (!(FIELDS as readonly string[]).includes(k))
        fail(`"expect.${k}" is not a field (${FIELDS.join(', ')})`);
      const x = e[k];
      if (k === 'ambiguous') {
        if (typeof x !== 'boolean') fail('"expect.ambiguous" must be true or false');
        continue;
      }
      if (x === null && k !== 'intent') continue;
      if (typeof x !== 'string') fail(`"expect.${k}" must be a string${k === 'intent' ? '' : ' or null'}`);
      if (k === 'date' && !DATE.test(x as string)) fail('"expect.date" must be YYYY-MM-DD');
      if (k === 'time' && !TIME.test(x as string)) fail('"expect.time" must be HH:MM (24 h)');
      if (k === 'timeQualifier' && !QUALIFIERS.includes(x as string))
        fail(`"expect.timeQualifier" must be one of ${QUALIFIERS.join(', ')}`);
    }
    out.push({
      line: i + 1,
      now: o.now as string,
      tz: o.tz as string,
      services: o.services as string[],
      text: o.text as string,
      expect: e as EvalLine['expect'],
    });
  }
  if (out.length === 0) throw new EvalInputError(`${file}: no lines to evaluate`);
  return out;
}

export interface Accuracy {
  correct: number;
  scored: number;
  /** correct / scored, or null when nothing was scored. */
  accuracy: number | null;
}

export interface Mistake {
  line: number;
  text: string;
  field: Field;
  expected: string | boolean | null;
  got: string | boolean | null;
}

export interface ReceptionistEvalReport {
  lines: number;
  intentAccuracy: number | null;
  serviceAccuracy: number | null;
  dateAccuracy: number | null;
  timeAccuracy: number | null;
  timeQualifierAccuracy: number | null;
  /** Lines whose every scored field is right. */
  lineAccuracy: number;
  fields: Record<Field, Accuracy>;
  perIntent: Record<string, { lines: number; fields: Record<Field, Accuracy> }>;
  mistakes: Mistake[];
  /** Mean time to understand one line, in milliseconds (for the record, not a test). */
  meanMs: number;
}

export type Understander = (line: EvalLine) => Understanding;

function got(u: Understanding, f: Field): string | boolean | null {
  if (f === 'ambiguous') return Boolean(u.ambiguous);
  const v = u[f];
  return v === undefined ? null : v;
}

function same(f: Field, expected: string | boolean | null, actual: string | boolean | null): boolean {
  if (expected === null || actual === null || typeof expected === 'boolean') return expected === actual;
  if (f === 'service' || f === 'name' || f === 'email' || f === 'code')
    return String(expected).trim().toLowerCase() === String(actual).trim().toLowerCase();
  if (f === 'phone') return String(expected).replace(/[^\d+]/g, '') === String(actual).replace(/[^\d+]/g, '');
  return expected === actual;
}

const empty = (): Record<Field, Accuracy> =>
  Object.fromEntries(FIELDS.map((f) => [f, { correct: 0, scored: 0, accuracy: null }])) as Record<
    Field,
    Accuracy
  >;

const finish = (fields: Record<Field, Accuracy>): void => {
  for (const f of FIELDS)
    fields[f].accuracy = fields[f].scored === 0 ? null : fields[f].correct / fields[f].scored;
};

/** Understands every line and scores each expected field; `onProgress` is called every `progressEvery` lines. */
export function evaluateLines(
  lines: readonly EvalLine[],
  understand: Understander,
  opts: {
    maxMistakes?: number;
    onProgress?: (done: number, total: number) => void;
    progressEvery?: number;
  } = {},
): ReceptionistEvalReport {
  const fields = empty();
  const perIntent: ReceptionistEvalReport['perIntent'] = {};
  const mistakes: Mistake[] = [];
  const maxMistakes = opts.maxMistakes ?? 1000;
  let allRight = 0;
  let spent = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const t0 = performance.now();
    const u = understand(l);
    spent += performance.now() - t0;
    perIntent[l.expect.intent] ??= { lines: 0, fields: empty() };
    const bucket = perIntent[l.expect.intent]!;
    bucket.lines++;
    let right = true;
    for (const f of FIELDS) {
      if (!(f in l.expect)) continue;
      const expected = l.expect[f] as string | boolean | null;
      const actual = got(u, f);
      const ok = same(f, expected, actual);
      fields[f].scored++;
      bucket.fields[f].scored++;
      if (ok) {
        fields[f].correct++;
        bucket.fields[f].correct++;
      } else {
        right = false;
        if (mistakes.length < maxMistakes)
          mistakes.push({ line: l.line, text: l.text, field: f, expected, got: actual });
      }
    }
    if (right) allRight++;
    if (opts.onProgress && (i + 1) % (opts.progressEvery ?? 1000) === 0) opts.onProgress(i + 1, lines.length);
  }
  finish(fields);
  for (const b of Object.values(perIntent)) finish(b.fields);
  return {
    lines: lines.length,
    intentAccuracy: fields.intent.accuracy,
    serviceAccuracy: fields.service.accuracy,
    dateAccuracy: fields.date.accuracy,
    timeAccuracy: fields.time.accuracy,
    timeQualifierAccuracy: fields.timeQualifier.accuracy,
    lineAccuracy: lines.length === 0 ? 0 : allRight / lines.length,
    fields,
    perIntent,
    mistakes,
    meanMs: lines.length === 0 ? 0 : spent / lines.length,
  };
}
