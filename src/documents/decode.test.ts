import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { charsetOf, decodeDocumentText } from './decode.ts';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

function refusal(fn: () => unknown): { id: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return { id: err.id, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('decodeDocumentText', () => {
  it('reads valid UTF-8 as UTF-8, whatever chardet would guess', () => {
    expect(decodeDocumentText(Buffer.from('Café – naïve', 'utf8'), 'text')).toEqual({
      text: 'Café – naïve',
      encoding: 'utf-8',
      basis: 'utf-8',
    });
    // Plain ASCII is valid UTF-8.
    expect(decodeDocumentText(Buffer.from('Opening hours', 'utf8'), 'markdown').basis).toBe('utf-8');
  });

  it('follows a byte order mark before anything else, the declared charset included', () => {
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Größe', 'utf16le').swap16()]);
    expect(decodeDocumentText(be, 'text', 'text/plain; charset=windows-1252')).toEqual({
      text: 'Größe',
      encoding: 'utf-16be',
      basis: 'bom',
    });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Größe', 'utf16le')]);
    expect(decodeDocumentText(le, 'markdown').text).toBe('Größe');
    const bom8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Größe', 'utf8')]);
    expect(decodeDocumentText(bom8, 'text').text).toBe('Größe');
  });

  it('uses the Content-Type charset (WHATWG labels: ISO-8859-1 is read as Windows-1252)', () => {
    const r = decodeDocumentText(latin1('Cr\xe8me \x80 5'), 'text', 'text/plain; charset="ISO-8859-1"');
    expect(r).toEqual({ text: 'Crème € 5', encoding: 'windows-1252', basis: 'declared' });
    expect(charsetOf('text/html;charset=Shift_JIS')).toBe('Shift_JIS');
    expect(charsetOf('text/plain')).toBeUndefined();
  });

  it('refuses a declared charset that is unknown or that the bytes break', () => {
    expect(refusal(() => decodeDocumentText(latin1('x'), 'text', 'text/plain; charset=klingon'))).toEqual({
      id: 'unsupported_media_type',
      message: expect.stringMatching(/unknown character set: klingon/),
    });
    expect(refusal(() => decodeDocumentText(latin1('caf\xe9'), 'text', 'text/plain; charset=utf-8'))).toEqual(
      {
        id: 'unsupported_media_type',
        message: expect.stringMatching(/not valid utf-8 text/),
      },
    );
  });

  it("reads an HTML page's <meta charset> or http-equiv, but not a <meta> quoted in Markdown", () => {
    const page = latin1('<html><head><meta charset="iso-8859-15"></head><body>Prix: 5 \xa4</body></html>');
    expect(decodeDocumentText(page, 'html')).toMatchObject({ encoding: 'iso-8859-15', basis: 'html-meta' });
    expect(decodeDocumentText(page, 'html').text).toContain('5 €');
    const equiv = latin1(
      '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>',
    );
    expect(decodeDocumentText(equiv, 'html').text).toContain('Привет');
    // The same bytes as Markdown: the <meta> is only an example in the text; the file is UTF-8.
    const md = Buffer.from('Use `<meta charset="iso-8859-1">` … or not: naïve', 'utf8');
    expect(decodeDocumentText(md, 'markdown')).toMatchObject({ encoding: 'utf-8', basis: 'utf-8' });
  });

  it('detects legacy encodings when the bytes are not UTF-8 and nothing is declared', () => {
    const western = latin1(
      'Our caf\xe9 opens at 9 \x96 we ship to M\xfcnchen and Z\xfcrich. The r\xe9sum\xe9 of returns: bring the receipt.',
    );
    expect(decodeDocumentText(western, 'text')).toEqual({
      text: 'Our café opens at 9 – we ship to München and Zürich. The résumé of returns: bring the receipt.',
      encoding: 'windows-1252',
      basis: 'detected',
    });
    const japanese = new Uint8Array([
      0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd, 0x81, 0x41, 0x90, 0xa2, 0x8a, 0x45, 0x81,
      0x42, 0x93, 0xfa, 0x96, 0x7b, 0x82, 0xcc, 0x8e, 0xa9, 0x93, 0x5d, 0x8e, 0xd4, 0x82, 0xf0, 0x94, 0x84,
      0x82, 0xc1, 0x82, 0xc4, 0x82, 0xa2, 0x82, 0xdc, 0x82, 0xb7, 0x81, 0x42,
    ]);
    expect(decodeDocumentText(japanese, 'text')).toMatchObject({
      text: 'こんにちは、世界。日本の自転車を売っています。',
      encoding: 'shift_jis',
    });
  });

  it('refuses bytes whose character set cannot be told, rather than storing mojibake', () => {
    const noise = Buffer.from(Array.from({ length: 300 }, (_, i) => ((i * 7919 + 13) % 256) | 0x80));
    expect(refusal(() => decodeDocumentText(noise, 'text'))).toEqual({
      id: 'unsupported_media_type',
      message: expect.stringMatching(/could not be told/),
    });
  });
});
