// A resume file: its type from its bytes (never its name), its limits, and its text through src/documents/ (PDF in
// the PDF worker, DOCX through the zip-bomb guard and the DOCX worker). A file that cannot be read is not an error
// that loses the application: readResume answers why, and the application is kept for a person.
import { createHash } from 'node:crypto';
import { DocxRefused, docxToText, isZip } from '../../documents/docx.ts';
import { pdfToText } from '../../documents/read.ts';
import { AppError } from '../../errors.ts';

export const RESUME_MAX_BYTES = 10 * 1024 * 1024;
export const RESUME_MAX_PAGES = 30;
/** Text beyond this is cut (a resume is not a book); the cut is said in the status reason. */
export const RESUME_MAX_CHARS = 100_000;

export const PDF_MIME = 'application/pdf';
export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface ResumeFile {
  name: string;
  mime: string;
  size: number;
  sha256: string;
  bytes: Buffer;
}

/** The resume's type by its magic bytes: PDF (%PDF- in the first 1024 bytes) or DOCX (a ZIP); null otherwise. */
export function sniffResume(bytes: Uint8Array): typeof PDF_MIME | typeof DOCX_MIME | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  if (head.includes(Buffer.from('%PDF-'))) return PDF_MIME;
  if (bytes.byteLength >= 4 && isZip(bytes)) return DOCX_MIME;
  return null;
}

/** Checks a received file (size, type by bytes); throws file_too_large or file_type_unsupported. */
export function acceptResume(name: string, bytes: Buffer): ResumeFile {
  if (bytes.length > RESUME_MAX_BYTES)
    throw new AppError('file_too_large', `the resume is larger than ${RESUME_MAX_BYTES / 1024 / 1024} MB`);
  if (bytes.length === 0) throw new AppError('file_type_unsupported', 'the resume file is empty');
  const mime = sniffResume(bytes);
  if (!mime) throw new AppError('file_type_unsupported', 'send the resume as a PDF or a Word (DOCX) file');
  const safeName =
    name.replace(/[^\w.\- ()]+/g, '_').slice(-120) || (mime === PDF_MIME ? 'resume.pdf' : 'resume.docx');
  return {
    name: safeName,
    mime,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  };
}

export type ResumeText =
  | { ok: true; text: string; note: string | null }
  | { ok: false; reason: string; imageOnly: boolean };

/** The resume's text, or why there is none (corrupt, encrypted, a zip bomb, image-only). Never throws. */
export async function readResume(file: Pick<ResumeFile, 'mime' | 'bytes'>): Promise<ResumeText> {
  let text: string;
  try {
    text =
      file.mime === PDF_MIME
        ? await pdfToText(new Uint8Array(file.bytes), { maxPages: RESUME_MAX_PAGES })
        : await docxToText(new Uint8Array(file.bytes));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const what = file.mime === PDF_MIME ? 'PDF' : 'Word file';
    const encrypted = /password|encrypt/i.test(message);
    return {
      ok: false,
      imageOnly: false,
      reason: (err instanceof DocxRefused
        ? `the ${what} was refused: ${message}`
        : encrypted
          ? `the ${what} is password-protected`
          : `the ${what} could not be read: ${message}`
      ).slice(0, 300),
    };
  }
  text = text.replaceAll('\u0000', '').replace(/[\ud800-\udfff]/g, (c, i, s: string) => {
    const code = c.charCodeAt(0);
    const pairOk =
      code < 0xdc00 ? /[\udc00-\udfff]/.test(s[i + 1] ?? '') : /[\ud800-\udbff]/.test(s[i - 1] ?? '');
    return pairOk ? c : '';
  });
  if (!text.trim())
    return {
      ok: false,
      imageOnly: true,
      reason:
        'no text could be read from the file (a scanned or image-only resume): a person needs to read it',
    };
  if (text.length > RESUME_MAX_CHARS)
    return {
      ok: true,
      text: text.slice(0, RESUME_MAX_CHARS),
      note: `only the first ${RESUME_MAX_CHARS} characters were read`,
    };
  return { ok: true, text, note: null };
}
