// A knowledge base's FAQ entries as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a
// comma, quote or line break), for review in a spreadsheet or moving elsewhere. Phrasings are one per line inside
// their cell. A cell starting with = + - @ (or a tab or carriage return) gets a leading ' so spreadsheets show it as
// text instead of running it as a formula: entries are written by people and, through suggestions, by models.
import type { FaqEntry } from './kb.ts';

const COLUMNS: [string, (e: FaqEntry) => string | number][] = [
  ['id', (e) => e.id],
  ['title', (e) => e.title],
  ['answer', (e) => e.answer],
  ['phrasings', (e) => e.phrasings.join('\n')],
  ['tags', (e) => e.tags.join(', ')],
  ['version', (e) => e.version],
  ['updated_at', (e) => e.updatedAt.toISOString()],
];

export function csvField(v: string | number): string {
  const s = String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function faqEntriesCsv(entries: readonly FaqEntry[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const e of entries) lines.push(COLUMNS.map(([, get]) => csvField(get(e))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
