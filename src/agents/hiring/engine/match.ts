// Finding a lexicon term in text. A term matches as a whole phrase (no letter or digit on either side, and no "+"
// or "#" after, so "c" never matches inside "c++"), case-insensitively, spaces matching spaces or hyphens, with an
// optional plural ending. A short term (three characters or fewer: "go", "r", "ba", "rn", "hr") must be written
// with a capital letter in the text, so "go" the verb and "ma" in prose do not count as Go and an MA.
const cache = new Map<string, RegExp>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A global regular expression finding `term`; compiled once per term and shared (reset lastIndex before use). */
export function termRegex(term: string): RegExp {
  let re = cache.get(term);
  if (re) return re;
  const body = escapeRe(term).replace(/\s+/g, '[\\s-]+');
  const plural = /[a-z]$/.test(term) && term.length > 3 ? '(?:s|es)?' : '';
  re = new RegExp(`(?<![\\p{L}\\p{N}_])${body}${plural}(?![\\p{L}\\p{N}_+#])`, 'giu');
  cache.set(term, re);
  return re;
}

const SHORT = 3;

/** Every [start, end) where one of the terms stands in text. */
export function findTerms(text: string, terms: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  for (const term of terms) {
    if (!term) continue;
    const re = termRegex(term);
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (term.length <= SHORT && m[0] === m[0].toLowerCase()) continue;
      out.push([m.index, m.index + m[0].length]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** True when one of the terms stands in text. */
export function hasTerm(text: string, terms: readonly string[]): boolean {
  for (const term of terms) {
    if (!term) continue;
    const re = termRegex(term);
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (term.length <= SHORT && m[0] === m[0].toLowerCase()) continue;
      return true;
    }
  }
  return false;
}

export interface TermEntry {
  id: string;
  terms: readonly string[];
}

/**
 * One regular expression for a whole lexicon (compiling a thousand separate ones costs seconds on first use): finds
 * every entry whose term stands in text, with the same rules as findTerms; at one position the longest term wins.
 */
export function lexiconScanner<E extends TermEntry>(
  entries: readonly E[],
): (text: string) => { entry: E; start: number }[] {
  const byTerm = new Map<string, E[]>();
  for (const e of entries)
    for (const t of e.terms) {
      const key = t.replace(/[\s-]+/g, ' ');
      byTerm.set(key, [...(byTerm.get(key) ?? []), e]);
    }
  const alts = [...byTerm.keys()]
    .sort((a, b) => b.length - a.length)
    .map((t) => escapeRe(t).replace(/ /g, '[\\s-]+'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alts.join('|')})(?:s|es)?(?![\\p{L}\\p{N}_+#])`, 'giu');
  return (text) => {
    const out: { entry: E; start: number }[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const raw = m[0].toLowerCase().replace(/[\s-]+/g, ' ');
      let key = raw;
      if (!byTerm.has(key)) key = raw.replace(/es$/, '');
      if (!byTerm.has(key) || (key.length <= 3 && raw !== key)) key = raw.replace(/s$/, '');
      const found = byTerm.get(key);
      if (!found) continue;
      // Plural endings only for terms longer than three letters; short terms must be capitalised in the text.
      if (key !== raw && key.length <= SHORT) continue;
      if (key.length <= SHORT && m[0] === m[0].toLowerCase()) continue;
      for (const entry of found) out.push({ entry, start: m.index });
    }
    return out;
  };
}
