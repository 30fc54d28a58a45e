// Guardrails on a model's answer that live outside the model. The model is asked for JSON naming the passages it
// used; this file parses that JSON and checks the answer against the passages it cites. Anything it cannot
// verify is a problem, and a problem sends the conversation to a person: a false escalation costs a human a
// minute, an invented answer costs a customer's trust.
import { z } from 'zod';

/** The two shapes a model may reply with. `escalate` wins when a reply carries both. */
const EscalateSchema = z.object({ escalate: z.literal(true), reason: z.string().max(1000).default('') });
const AnswerSchema = z.object({
  answer: z.string().trim().min(1).max(4000),
  citations: z.array(z.string().trim().toUpperCase().max(40)).max(40),
});

export type ModelVerdict =
  | { kind: 'answer'; text: string; citations: string[] }
  | { kind: 'escalate'; reason: string }
  | { kind: 'invalid'; problem: string };

/**
 * Reads a model reply. Accepts the JSON object alone, in a ```json fence, or wrapped in prose (small local models
 * add some); whatever surrounds the object is discarded, never shown to anyone.
 */
export function parseModelOutput(raw: string): ModelVerdict {
  const json = extractJson(raw);
  if (json === undefined) return { kind: 'invalid', problem: 'the model output is not valid JSON' };
  const esc = EscalateSchema.safeParse(json);
  if (esc.success) return { kind: 'escalate', reason: esc.data.reason.trim() };
  const ans = AnswerSchema.safeParse(json);
  if (!ans.success) return { kind: 'invalid', problem: 'the model output does not match the answer format' };
  return { kind: 'answer', text: ans.data.answer, citations: [...new Set(ans.data.citations)] };
}

function extractJson(raw: string): unknown {
  const text = raw
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  for (const candidate of [text, text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)]) {
    if (!candidate.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(candidate);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

export interface GroundingInput {
  answer: string;
  citations: string[];
  /** The passages the model was given, by id (P1…). */
  passages: ReadonlyMap<string, string>;
  /** The customer's message: numbers the customer wrote may be repeated back. */
  question: string;
  /** The rules part of the system prompt: an answer that repeats it is a prompt leak. */
  instructions: string;
}

/** Minimum share of an answer's content words found in the passages it cites. Lenient on purpose: paraphrase is fine. */
export const MIN_SUPPORT = 0.5;

/** Why the answer is not grounded in the passages it cites, or null when every check passes. */
export function groundingProblem(input: GroundingInput): string | null {
  const { answer, citations, passages } = input;
  if (citations.length === 0) return 'the model answer cites no passage';
  const unknown = citations.filter((c) => !passages.has(c));
  if (unknown.length) return `the model answer cites a passage it was not given (${unknown.join(', ')})`;
  const cited = citations.map((c) => passages.get(c)!).join('\n');
  // Citation markers the model may have written inline ("(P1)") are not facts.
  const body = answer.replace(/\[?\(?\bP\d+\b\)?\]?/g, ' ');

  if (sharesRun(body, input.instructions, 8)) return 'the model answer repeats its instructions';

  const known = new Set([...numbersIn(cited), ...numbersIn(input.question)]);
  const invented = numbersIn(body).filter((n) => !known.has(n));
  if (invented.length)
    return `the model answer states ${invented.slice(0, 3).join(', ')}, not in the cited passages`;

  const words = contentKeys(body);
  if (words.length >= 3) {
    const support = new Set(contentKeys(cited));
    const share = words.filter((w) => support.has(w)).length / words.length;
    if (share < MIN_SUPPORT)
      return `the model answer is not supported by the passages it cites (${Math.round(share * 100)}% of its words)`;
  }
  return null;
}

/** The answer as the customer sees it: bracketed citation markers ("(P1)", "[P1, P2]") are for us, not them. */
export function customerText(answer: string): string {
  return answer
    .replace(/\s*[[(]\s*P\d+(?:\s*,\s*P\d+)*\s*[\])]/g, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** Numbers as written, without thousands separators: "£1,240.00" → "1240.00", "9:00" → "9:00". */
function numbersIn(text: string): string[] {
  return (text.match(/\d+(?:[.,:]\d+)*/g) ?? []).map((n) => n.replace(/,(?=\d{3}\b)/g, ''));
}

const STOPWORDS = new Set(
  `the and you your yours our ours are for with can will have has had that this these those from not but all any
  was were been being yes please thanks thank help happy hello glad let know more just also here there which what
  when where how who whom why would could should may might they them their its about into out get got one some sure
  need like able via per than then too very much many such only own same other each both few most over under again
  further once off use used using make made take it's don't can't won't i'm we're you're hi dear kind
  regards best great good fine okay welcome question questions answer answers customer anything something`
    .split(/\s+/)
    .filter(Boolean),
);

/** Content words reduced to a 5-letter prefix, a crude stem: "delivery"/"delivered" → "deliv". */
function contentKeys(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}[\p{L}']{2,}/gu) ?? [])
    .filter((w) => !STOPWORDS.has(w))
    .map((w) => w.slice(0, 5));
}

/** Do a and b share a run of n consecutive words? */
function sharesRun(a: string, b: string, n: number): boolean {
  const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const bw = words(b);
  const grams = new Set<string>();
  for (let i = 0; i + n <= bw.length; i++) grams.add(bw.slice(i, i + n).join(' '));
  const aw = words(a);
  for (let i = 0; i + n <= aw.length; i++) if (grams.has(aw.slice(i, i + n).join(' '))) return true;
  return false;
}
