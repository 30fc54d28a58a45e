// CSV for exports (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote or line
// break), streamed a page at a time. A cell a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with '.
import { Readable } from 'node:stream';

export type Cell = string | number | boolean | null | undefined | Date;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvLine = (cells: readonly Cell[]) => `${cells.map(csvField).join(',')}\r\n`;

/** A stream of CSV: the header, then each page of rows `pages` yields, until it yields none. */
export function csvStream(header: readonly string[], pages: () => AsyncGenerator<Cell[][]>): Readable {
  async function* lines() {
    yield csvLine(header);
    for await (const rows of pages()) {
      if (rows.length === 0) continue;
      yield rows.map(csvLine).join('');
    }
  }
  return Readable.from(lines());
}
