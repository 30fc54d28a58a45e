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
