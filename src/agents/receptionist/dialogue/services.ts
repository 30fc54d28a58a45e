// Which of the business's services a message names, forgiving the ways people write them: plurals and verb forms
// ("colours", "coloured", "brakes adjusted"), split or joined words ("hair cut", "blowdry", "check up"), British and
// American spellings (colour/color, tyre/tire), one typo in a word (two in a long one), a short form that starts a
// long word ("physio", "consult"); when nothing else matches, the last part of a word written as one ("cut" for
// haircut). A word every booking uses ("appointment", "booking", "session") names no service.
// When two services match equally well ("massage" with three massages), none is chosen: the dialogue asks.

const SPELLING: Record<string, string> = {
  colour: 'color',
  colours: 'colors',
  coloured: 'colored',
  colouring: 'coloring',
  tyre: 'tire',
  tyres: 'tires',
  centre: 'center',
  grey: 'gray',
};

/** Words that do not tell one service from another. */
const GENERIC = new Set([
  'appointment',
  'appointments',
  'appt',
  'booking',
  'bookings',
  'session',
  'sessions',
  'visit',
  'slot',
  'time',
  'and',
  'with',
  'for',
  'the',
]);

/** A crude English stem: enough to make plurals, -ing, -ed, -ment and -ation forms meet. */
export function stem(word: string): string {
  let w = word.replace(/'s$/, '').replace(/s'$/, 's');
  w = SPELLING[w] ?? w;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ation')) w = w.slice(0, -5);
  else if (w.length > 6 && w.endsWith('ment')) w = w.slice(0, -4);
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Damerau–Levenshtein distance (adjacent swaps count one), stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

export const words = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^a-z0-9']+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 0);

/**
 * Does a word the customer wrote (stemmed) stand for a word of a service name (stemmed)? `head`: also the last part
 * of a word written as one ("cut" → haircut), tried only when nothing matched otherwise (it would make "kids cut"
 * ambiguous between Kids Cut and Haircut).
 */
function wordMatches(said: string, name: string, head = false): boolean {
  if (said === name) return true;
  if (name.length < 4 || said.length < 3) return false;
  const allowed = name.length >= 8 ? 2 : 1;
  if (editDistance(said, name, allowed) <= allowed) return true;
  // A short form: the start of a long word ("physio" → physiotherapy, "consult" → consultation).
  if (said.length >= 5 && name.startsWith(said)) return true;
  return head && name.length >= said.length + 3 && name.endsWith(said);
}

interface ServiceWords {
  name: string;
  /** Stemmed words that count, with their weight (their length). */
  parts: { word: string; weight: number }[];
  /** The name's words written as one ("check-up" → checkup, "blow dry" → blowdry). */
  joined: string;
}

const cache = new Map<string, ServiceWords>();

function serviceWords(name: string): ServiceWords {
  let hit = cache.get(name);
  if (!hit) {
    const ws = words(name).filter((w) => !GENERIC.has(w));
    hit = {
      name,
      parts: ws.map((w) => ({ word: stem(w), weight: w.length })),
      joined: stem(ws.join('')),
    };
    if (cache.size > 5000) cache.clear();
    cache.set(name, hit);
  }
  return hit;
}

/**
 * The service the text names, or undefined (none, or two equally likely). A service counts when one of its
 * distinctive words (4+ letters) or its whole name is matched; the best share of its name's letters matched wins.
 */
export function matchService(text: string, services: readonly string[]): string | undefined {
  return matchWith(text, services, false) ?? matchWith(text, services, true);
}

function matchWith(text: string, services: readonly string[], head: boolean): string | undefined {
  const said = words(text).filter((w) => !GENERIC.has(w));
  const stems = said.map(stem);
  // Adjacent words joined, for names written as one word ("hair cut" → haircut) and vice versa.
  const pairs: string[] = [];
  for (let i = 0; i + 1 < said.length; i++) pairs.push(stem(`${said[i]}${said[i + 1]}`));
  // For each candidate: its score and which of the customer's words it used (pairs count as their first word).
  const found: { name: string; score: number; used: string }[] = [];
  for (const name of services) {
    const sw = serviceWords(name);
    const total = sw.parts.reduce((s, p) => s + p.weight, 0);
    if (total === 0) continue;
    const used = new Set<number>();
    let score = 0;
    const joinedAt =
      sw.parts.length > 1 && sw.joined.length >= 5 ? stems.findIndex((s) => wordMatches(s, sw.joined)) : -1;
    const joinedPairAt =
      sw.parts.length > 1 && sw.joined.length >= 5 ? pairs.findIndex((s) => wordMatches(s, sw.joined)) : -1;
    if (joinedAt >= 0 || joinedPairAt >= 0) {
      score = 1;
      used.add(joinedAt >= 0 ? joinedAt : joinedPairAt);
    } else {
      let matched = 0;
      let distinctive = false;
      for (const p of sw.parts) {
        let at = stems.findIndex((s) => wordMatches(s, p.word, head));
        if (at < 0) at = pairs.findIndex((s) => wordMatches(s, p.word, head));
        if (at >= 0) {
          used.add(at);
          matched += p.weight;
          if (p.weight >= 4) distinctive = true;
        }
      }
      if (distinctive) score = matched / total;
    }
    if (score > 0) found.push({ name, score, used: [...used].sort((a, b) => a - b).join(',') });
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => b.score - a.score);
  const best = found[0]!;
  // Another service read from the very same words ("massage" → three massages) is as likely: name none.
  if (found.some((f) => f !== best && f.used === best.used)) return undefined;
  return best.name;
}
