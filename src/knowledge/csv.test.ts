// The FAQ CSV: a header, one row per entry, RFC 4180 quoting (phrasings one per line in their cell), and no cell a
// spreadsheet would run as a formula.
import { describe, expect, it } from 'vitest';
import { csvField, faqEntriesCsv } from './csv.ts';
import type { FaqEntry } from './kb.ts';

const entry = (over: Partial<FaqEntry>): FaqEntry => ({
  id: 'e1',
  agentId: 'a1',
  title: 'Opening hours',
  answer: 'Mon–Fri 9:00–18:00.',
  phrasings: ['when are you open', 'what time do you close'],
  tags: ['hours'],
  version: 3,
  updatedAt: new Date('2026-12-07T10:00:00Z'),
  ...over,
});

describe('FAQ entries as CSV', () => {
  it('writes a header and a row per entry, quoting what needs it', () => {
    const csv = faqEntriesCsv([
      entry({}),
      entry({ id: 'e2', title: 'Returns, refunds', answer: 'Say "return".' }),
    ]);
    expect(csv.split('\r\n')).toEqual([
      'id,title,answer,phrasings,tags,version,updated_at',
      'e1,Opening hours,Mon–Fri 9:00–18:00.,"when are you open\nwhat time do you close",hours,3,2026-12-07T10:00:00.000Z',
      'e2,"Returns, refunds","Say ""return"".","when are you open\nwhat time do you close",hours,3,2026-12-07T10:00:00.000Z',
      '',
    ]);
  });

  it('keeps formulas as text', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('plain')).toBe('plain');
  });
});
