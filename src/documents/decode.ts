// Text documents in whatever encoding they were saved in. A knowledge base is written on many machines: a Windows
// editor still saves Windows-1252 by default, a spreadsheet export may be UTF-16, an old intranet page declares
// ISO-8859-1 in its <meta>. Each is decoded by what it says about itself first (byte order mark, the upload's
// Content-Type charset, for HTML the WHATWG prescan of <meta charset> and the XML declaration, via encoding-sniffer),
// then as UTF-8 when it is valid UTF-8, and only then by statistical detection (chardet); a guess that is not
// confident, or names an encoding this runtime cannot decode, is refused rather than stored as garbled text.
// Decoding uses @exodus/bytes' WHATWG TextDecoder: Node 20's own decodes Windows-1252's 0x80–0x9F (€, –, curly
// quotes) as C1 control characters.
import { TextDecoder } from '@exodus/bytes/encoding.js';
import { analyse } from 'chardet';
import { ResultType, Sniffer } from 'encoding-sniffer/sniffer';
import { AppError } from '../errors.ts';

export interface DecodedText {
  text: string;
  /** The WHATWG name of the encoding used, e.g. "utf-8", "windows-1252", "utf-16le". */
  encoding: string;
  /** How it was chosen. */
  basis: 'bom' | 'declared' | 'html-meta' | 'utf-8' | 'detected';
}

/** chardet confidence (0–100) below which a detected encoding is not trusted. */
const MIN_DETECTION_CONFIDENCE = 30;
/** How much of a file statistical detection reads. */
const DETECTION_SAMPLE_BYTES = 256 * 1024;

function decoderFor(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label, { fatal: true });
  } catch {
    return null;
  }
}

function decodeWith(bytes: Uint8Array, label: string, what: string): { text: string; encoding: string } {
  const decoder = decoderFor(label);
  if (!decoder)
    throw new AppError('unsupported_media_type', `${what} names an unknown character set: ${label}`);
  try {
    return { text: decoder.decode(bytes), encoding: decoder.encoding };
  } catch {
    throw new AppError(
      'unsupported_media_type',
      `the file is not valid ${decoder.encoding} text, as ${what} says`,
    );
  }
}

/** The charset parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return m ? m[2] : undefined;
}

/**
 * Decodes a text document (plain text, Markdown or HTML). Refusals are AppErrors `unsupported_media_type`: an
 * unknown declared charset, bytes that are not valid in the declared one, or an encoding that cannot be told.
 */
export function decodeDocumentText(
  bytes: Uint8Array,
  format: 'text' | 'markdown' | 'html',
  contentType?: string,
): DecodedText {
  const declared = charsetOf(contentType);
  // The sniffer's first steps are the same for every format: a byte order mark wins, then the transport's charset.
  const sniffer = new Sniffer({
    maxBytes: 1024,
    ...(declared ? { transportLayerEncodingLabel: declared } : {}),
  });
  sniffer.write(bytes.subarray(0, 1024));
  if (sniffer.resultType === ResultType.BOM) {
    // TextDecoder strips the BOM it was chosen by.
    return { ...decodeWith(bytes, sniffer.encoding, 'its byte order mark'), basis: 'bom' };
  }
  if (declared) return { ...decodeWith(bytes, declared, 'the Content-Type'), basis: 'declared' };
  if (
    format === 'html' &&
    (sniffer.resultType === ResultType.META_TAG || sniffer.resultType === ResultType.XML_ENCODING)
  ) {
    return { ...decodeWith(bytes, sniffer.encoding, 'its <meta charset>'), basis: 'html-meta' };
  }
  const utf8 = decoderFor('utf-8')!;
  try {
    return { text: utf8.decode(bytes), encoding: 'utf-8', basis: 'utf-8' };
  } catch {
    // Not UTF-8: detect below.
  }
  // UTF-8 was just ruled out; chardet may still rank it (a few invalid bytes in mostly-UTF-8 text). A sample is enough
  // to tell a character set, and bounds the time: the whole of a 20 MiB file took 3.4 s, its first 256 KiB 57 ms.
  const guess = analyse(bytes.subarray(0, DETECTION_SAMPLE_BYTES)).find(
    (m) =>
      m.confidence >= MIN_DETECTION_CONFIDENCE &&
      decoderFor(m.name) !== null &&
      decoderFor(m.name)!.encoding !== 'utf-8',
  );
  if (!guess)
    throw new AppError(
      'unsupported_media_type',
      'the character set of the file could not be told: save it as UTF-8, or send its charset in the Content-Type',
    );
  const decoder = decoderFor(guess.name)!;
  try {
    return { text: decoder.decode(bytes), encoding: decoder.encoding, basis: 'detected' };
  } catch {
    throw new AppError(
      'unsupported_media_type',
      `the file looks like ${decoder.encoding} text but is not valid in it: save it as UTF-8`,
    );
  }
}
