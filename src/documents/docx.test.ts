// DOCX reading: text through mammoth in a worker; the central-directory guard refuses what is not a Word document
// and what would expand too far (a zip bomb) before anything is inflated.
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeDocx } from '../../test/support/docx.ts';
import { checkDocx, DOCX_LIMITS, DocxRefused, docxToText } from './docx.ts';

describe('docxToText', () => {
  it('reads the paragraphs of a Word document', async () => {
    const text = await docxToText(makeDocx(['Senior Engineer, 2016 - 2024', 'TypeScript & PostgreSQL']));
    expect(text).toContain('Senior Engineer, 2016 - 2024');
    expect(text).toContain('TypeScript & PostgreSQL');
  });

  it('refuses a file that is not a ZIP, or a ZIP that is not a Word document', () => {
    expect(() => checkDocx(Buffer.from('%PDF-1.7'))).toThrow(DocxRefused);
    const zip = Buffer.from(zipSync({ 'hello.txt': strToU8('hi') }));
    expect(() => checkDocx(zip)).toThrow(/not a Word document/);
    const truncated = makeDocx(['x']).subarray(0, 60);
    expect(() => checkDocx(truncated)).toThrow(DocxRefused);
  });

  it('refuses archives that would expand past the limits, from the declared sizes alone', () => {
    const big = makeDocx(['x'], { 'word/media/a.bin': new Uint8Array(DOCX_LIMITS.maxUncompressedBytes + 1) });
    expect(() => checkDocx(big)).toThrow(/expands to/);
    const many = Object.fromEntries(
      Array.from({ length: DOCX_LIMITS.maxEntries + 1 }, (_, i) => [`word/p${i}.xml`, strToU8('<a/>')]),
    );
    expect(() => checkDocx(makeDocx(['x'], many))).toThrow(/entries/);
    const ratio = makeDocx(['x'], { 'word/media/z.bin': new Uint8Array(4 * 1024 * 1024) });
    expect(() => checkDocx(ratio)).toThrow(/compressed suspiciously well/);
  });
});
