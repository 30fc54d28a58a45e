// Redaction before scoring: what says who a person is, or could bias a reader, is replaced by a placeholder
// ([NAME], [EMAIL], [PHONE], [ADDRESS], [URL], [AGE], [BIRTHDATE], [GENDER], [MARITAL], [NATIONALITY], [PHOTO]).
// The same resume with another name, gender or address then reads the same to both engines. Spans reported are in
// the redacted text. Over-redaction is preferred: a lost "she" costs nothing, a kept one may cost a candidate.
import type { Redaction, RedactionKind } from './types.ts';

interface Hit {
  kind: RedactionKind;
  start: number;
  end: number;
}

const PLACEHOLDER: Record<RedactionKind, string> = {
  name: '[NAME]',
  email: '[EMAIL]',
  phone: '[PHONE]',
  address: '[ADDRESS]',
  url: '[URL]',
  age: '[AGE]',
  birthdate: '[BIRTHDATE]',
  gender: '[GENDER]',
  marital: '[MARITAL]',
  nationality: '[NATIONALITY]',
  photo: '[PHOTO]',
};

const DEMONYMS =
  'american|british|english|scottish|welsh|irish|canadian|australian|german|french|spanish|italian|portuguese|dutch|belgian|swiss|austrian|polish|czech|slovak|hungarian|romanian|bulgarian|greek|turkish|russian|ukrainian|swedish|norwegian|danish|finnish|icelandic|mexican|brazilian|argentinian|argentine|chilean|colombian|peruvian|venezuelan|cuban|indian|pakistani|bangladeshi|sri lankan|nepali|chinese|japanese|korean|vietnamese|thai|filipino|indonesian|malaysian|singaporean|nigerian|ghanaian|kenyan|ethiopian|egyptian|moroccan|algerian|tunisian|south african|israeli|iranian|iraqi|syrian|lebanese|jordanian|saudi|emirati|afghan|new zealander|jamaican';

// Capitalised, matched case-sensitively after capitalised words: "42 Baker Street", not "3 years of working my way".
const STREET =
  'Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Terrace|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Strasse|Straße|Rue|Calle|Via';

// Every rule runs in linear time on hostile text (a resume is untrusted input): a pattern that may fail after a long
// run starts only where such a run starts, or its repetition is bounded (redact.test.ts feeds it hostile runs).
const RULES: [RedactionKind, RegExp][] = [
  [
    'email',
    /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.\p{L}{2,24}(?![\p{L}])/gu,
  ],
  [
    'url',
    /\b(?:https?:\/\/|www\.)[^\s<>()]+|\b(?:linkedin\.com|github\.com|gitlab\.com|twitter\.com|x\.com|behance\.net|dribbble\.com|medium\.com|facebook\.com|instagram\.com)\/[^\s<>()]*/gi,
  ],
  // Labelled personal lines: the value after the label.
  ['name', /(?<=\b(?:full name|name|candidate|applicant)[^\S\n]{0,8}:[^\S\n]{0,8})[^\n,|]+/gi],
  [
    'birthdate',
    /\b(?:date of birth|d\.o\.b\.?|dob|birth ?date|born(?: on| in)?)\s*:?\s*[^\n|]{0,30}?(?:\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})/gi,
  ],
  [
    'age',
    /\b(?:age|aged)\s*:?\s*\d{1,2}\b(?:\s*years)?|\b\d{1,2}\s*(?:years|yrs)[\s-]*old\b|\b\d{1,2}-year-old\b/gi,
  ],
  ['gender', /\b(?:gender|sex)\s*:\s*[^\n,|.;]+/gi],
  [
    'marital',
    /\b(?:marital status|family status|civil status)\s*:\s*[^\n,|.;]+|\b(?:married|divorced|widowed|separated|single)(?:,?\s*(?:with\s+)?(?:\d+|no|one|two|three)\s+(?:children|kids))?(?=\s*(?:[,|\n]|$))|\b(?:\d+|one|two|three|four)\s+(?:children|kids)\b|\b(?:married|divorced|widowed)\b|\b(?:is|am|are|i'm|currently|happily)\s+(?:single|engaged)\b/gim,
  ],
  [
    'nationality',
    new RegExp(
      `\\b(?:nationality|citizenship|citizen of|national of|passport)\\s*:?\\s*[^\\n,|.;]+|\\b(?:${DEMONYMS})\\s+(?:citizen|national|nationality|passport(?: holder)?)\\b`,
      'gi',
    ),
  ],
  ['photo', /\[(?:photo|picture|image)[^\]\n]*\]|\b(?:photo|photograph|picture)\s*:\s*[^\n]*/gi],
  ['address', /\b(?:address|home address|residence)\s*:\s*[^\n|]+/gi],
  [
    'address',
    new RegExp(
      `\\b\\d{1,5}[a-z]?\\s+(?:\\p{Lu}[\\p{L}.'-]*\\s+){1,4}(?:${STREET})\\b\\.?(?:,?\\s*(?:Apt|Apartment|Suite|Unit|Flat)\\.?\\s*\\w+)?`,
      'gu',
    ),
  ],
  // UK postcodes, US "City, ST 12345", and 5-digit postcodes before a town ending the line ("10115 Berlin").
  [
    'address',
    /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b\d{5}\s+[A-Z][a-zäöüé]+(?=\s*(?:,|\n|$))/g,
  ],
  [
    'phone',
    /(?<![\w/.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}(?![\w/])/g,
  ],
  [
    'gender',
    /\b(?:he|she|him|her|hers|his|himself|herself|mr|mrs|ms|miss|mx|sir|madam|male|female|man|woman|men|women|boy|girl|husband|wife|mother|father|mom|dad|mum|son|daughter|maternity|paternity|pregnant|pregnancy)\b\.?/gi,
  ],
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const NOT_A_NAME =
  /\b(resume|résumé|curriculum|vitae|cv|profile|summary|experience|engineer|developer|manager|nurse|designer|analyst|technician|specialist|assistant|director|officer|consultant|contact|objective|skills|education)\b/i;

/** The header line, if it looks like a person's name: 2–4 capitalised words, no digits. */
function headerName(text: string): Hit | null {
  let pos = 0;
  for (const line of text.split('\n').slice(0, 4)) {
    const start = pos;
    pos += line.length + 1;
    const t = line.trim();
    if (!t) continue;
    if (/^(resume|résumé|curriculum vitae|cv)$/i.test(t)) continue;
    // "Jane Doe — Senior Engineer" or "Jane Doe | jane@x.com": the name is the first piece.
    const piece = t.split(/\s*(?:[|·•,]|\s[-–—]\s)\s*/)[0]!;
    const words = piece.split(/\s+/);
    if (
      words.length >= 2 &&
      words.length <= 4 &&
      !/\d/.test(piece) &&
      !NOT_A_NAME.test(piece) &&
      words.every((w) => /^[\p{Lu}][\p{L}'’.-]*$/u.test(w))
    ) {
      const s = start + line.indexOf(piece);
      return { kind: 'name', start: s, end: s + piece.length };
    }
    return null;
  }
  return null;
}

export function redact(
  text: string,
  known: { name?: string; email?: string; phone?: string } = {},
): Redaction {
  const hits: Hit[] = [];
  const push = (kind: RedactionKind, re: RegExp) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      // Trim trailing spaces/punctuation from the span so the text around it keeps its shape.
      const trimmed = m[0].replace(/[\s,.;:]+$/, '');
      // A phone number has 9 to 15 digits; "2015-2019" is a date range.
      const digits = kind === 'phone' ? trimmed.replace(/\D/g, '').length : 9;
      if (trimmed && digits >= 9 && digits <= 15)
        hits.push({ kind, start: m.index, end: m.index + trimmed.length });
    }
  };
  const header = headerName(text);
  if (header) hits.push(header);
  // The known name everywhere: whole, and each part of two letters or more ("Jane", "Doe", "O'Neil").
  const names = new Set<string>();
  const headerText = header ? text.slice(header.start, header.end) : '';
  for (const full of [known.name ?? '', headerText]) {
    const f = full.trim();
    if (!f) continue;
    names.add(f);
    for (const part of f.split(/\s+/)) if (part.replace(/[.'’-]/g, '').length >= 2) names.add(part);
  }
  for (const n of [...names].sort((a, b) => b.length - a.length))
    push('name', new RegExp(`(?<![\\p{L}])${escapeRe(n)}(?![\\p{L}])`, 'giu'));
  if (known.email?.trim()) push('email', new RegExp(escapeRe(known.email.trim()), 'gi'));
  if (known.phone?.trim()) {
    const digits = known.phone.replace(/\D/g, '');
    if (digits.length >= 6) push('phone', new RegExp(digits.split('').map(escape).join('[\\s().-]*'), 'g'));
  }
  for (const [kind, re] of RULES) push(kind, re);
  return apply(text, resolve(hits));
}

/** Overlapping hits: the earlier wins, then the longer. */
function resolve(hits: Hit[]): Hit[] {
  const sorted = hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Hit[] = [];
  for (const h of sorted) {
    const last = out[out.length - 1];
    if (last && h.start < last.end) {
      if (h.end > last.end) last.end = h.end;
      continue;
    }
    out.push({ ...h });
  }
  return out;
}

function apply(text: string, hits: Hit[]): Redaction {
  let out = '';
  let pos = 0;
  const redactions: Redaction['redactions'] = [];
  for (const h of hits) {
    out += text.slice(pos, h.start);
    const p = PLACEHOLDER[h.kind];
    redactions.push({ kind: h.kind, start: out.length, end: out.length + p.length });
    out += p;
    pos = h.end;
  }
  out += text.slice(pos);
  return { text: out, redactions };
}
