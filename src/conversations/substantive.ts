// What the customer actually asked: the inbox card, "Grow the knowledge base" and the Conversations view show the
// customer's substantive messages, never a request for a person ("I would like to talk to a person", the widget's
// button sends that text), a greeting or a bare thanks. No dependency beyond the runtime's pure hand-off rule, so the
// dashboard shares it (web/src/knowledge/InboxExtras.tsx picks the same question as the server).
import { asksForPerson } from '../runtime/guards.ts';

/** Messages that carry no question however they are phrased: greetings, thanks, yes/no, a goodbye. */
const SMALL_TALK =
  /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|thanks?( you)?( very much| so much| a lot)?|thx|ty|cheers|ok(ay)?|k|yes|yeah|yep|no|nope|sure|great|cool|fine|bye|goodbye|please|help|test|\?+)$/i;

/** The words left once a request for a person is taken out ("talk to a person about my refund" keeps "my refund"). */
const PERSON_PHRASE =
  /\b(i('d| would)? (like|want|need) to |can i |could i |let me |please )?(talk|speak|chat|connect|transfer|put)\b[^.?!]{0,30}\b(human|person|agent|someone|somebody|representative|operator|staff|manager)\b|\b(real|live|actual) (human|person|agent)\b/gi;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Whether a customer message asks or tells something a person (or the knowledge base) could answer. */
export function isSubstantive(text: string): boolean {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return false;
  const bare = t.replace(/[.!?,;:\s]+$/g, '').replace(/^[\s,]+/, '');
  if (SMALL_TALK.test(bare)) return false;
  if (asksForPerson(t)) {
    // A hand-off request counts only for what it says besides asking for a person.
    const rest = words(t.replace(PERSON_PHRASE, ' ')).filter((w) => !FILLER.has(w));
    return rest.length >= 2;
  }
  return words(t).length > 0;
}

const FILLER = new Set([
  'i',
  'to',
  'a',
  'an',
  'the',
  'please',
  'now',
  'with',
  'me',
  'can',
  'could',
  'would',
  'like',
  'want',
  'need',
  'just',
  'you',
  'let',
  'speak',
  'talk',
  'so',
  'and',
  'or',
  'about',
]);

export interface CustomerLine {
  author: string;
  direction: string;
  body: string;
}

/** The customer's substantive messages, oldest first (each once, trimmed). */
export function substantiveQuestions(messages: readonly CustomerLine[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of messages) {
    if (m.author !== 'customer' || m.direction !== 'in') continue;
    const body = m.body.replace(/\s+/g, ' ').trim();
    if (!isSubstantive(body) || seen.has(body.toLowerCase())) continue;
    seen.add(body.toLowerCase());
    out.push(body);
  }
  return out;
}

/** The customer's real question: their last substantive message, or null when they wrote none. */
export function customerQuestion(messages: readonly CustomerLine[]): string | null {
  return substantiveQuestions(messages).at(-1) ?? null;
}
