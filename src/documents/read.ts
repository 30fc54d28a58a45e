// Reading documents into text: PDF (unpdf, in a worker thread with a deadline and a heap limit), HTML
// (html-to-text, headings kept as Markdown-style lines), Markdown and plain text (charset detected: decode.ts).
// Shared by every agent kind that takes files (a support knowledge base, a hiring resume); nothing is written here.
import { basename } from 'node:path';
import { lazy } from '../lazy.ts';

const htmlToTextLib = lazy<typeof import('html-to-text')>('html-to-text');

import { AppError } from '../errors.ts';
import { decodeDocumentText } from './decode.ts';
import { runWorker } from './worker.ts';

export type DocumentFormat = 'markdown' | 'html' | 'pdf' | 'text';

export function htmlToText(html: string): string {
  // Keep headings as Markdown-style "# " lines so chunking can follow the document's sections.
  const marked = html.replace(
    /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi,
    (_m, level: string, inner: string) => `<p>${'#'.repeat(Number(level))} ${inner}</p>`,
  );
  return htmlToTextLib().convert(marked, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
}

/** A knowledge-base document longer than this is a book, not an article (and parsing it is a denial of service). */
export const MAX_PDF_PAGES = 1000;

/** How long reading one PDF may take, and how much heap it may use, before it is given up. */
export const PDF_TIMEOUT_MS = 30_000;
const PDF_HEAP_MB = 512;

/**
 * The text of a PDF, page by page. Parsing runs in a worker thread with a deadline and a heap limit: a hostile or
 * broken file is refused (an Error saying why) instead of stalling or exhausting the server.
 */
export function pdfToText(
  data: Uint8Array,
  options: { timeoutMs?: number; maxPages?: number } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? PDF_TIMEOUT_MS;
  const copy = data.slice();
  return runWorker<string>(new URL('./pdf-worker.mjs', import.meta.url), {
    workerData: { data: copy, maxPages: options.maxPages ?? MAX_PDF_PAGES },
    transferList: [copy.buffer],
    resourceLimits: { maxOldGenerationSizeMb: PDF_HEAP_MB },
    timeoutMs,
    failed: (message) => new Error(message ?? 'unreadable'),
    crashed: (err) =>
      new Error(
        (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `reading it needed more than ${PDF_HEAP_MB} MB`
          : err.message,
      ),
    exited: (code) => new Error(`the reader stopped (exit code ${code})`),
    timedOut: () => new Error(`reading it took longer than ${Math.round(timeoutMs / 1000)} s`),
  }).then((text) => text ?? '');
}

export function formatFromName(name: string): DocumentFormat | null {
  const lower = name.toLowerCase();
  if (/\.(md|markdown)$/.test(lower)) return 'markdown';
  if (/\.(html?|xhtml)$/.test(lower)) return 'html';
  if (lower.endsWith('.pdf')) return 'pdf';
  if (lower.endsWith('.txt')) return 'text';
  return null;
}

/** The title of a document: its first heading, else the file name. */
export function titleOf(text: string, fallback: string): string {
  const h = /^\s{0,3}#{1,2}\s+(.+)$/m.exec(text);
  return (h?.[1] ?? fallback).trim().slice(0, 200);
}

/** The largest document imported, from a folder or uploaded. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Media types a document may be sent as, and the format each one means (octet-stream: the file name decides). */
export const DOCUMENT_MEDIA_TYPES: Readonly<Record<string, DocumentFormat | null>> = {
  'application/pdf': 'pdf',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
  'application/octet-stream': null,
};

export const DOCUMENT_EXTENSIONS = ['.pdf', '.md', '.markdown', '.html', '.htm', '.xhtml', '.txt'] as const;

export interface DocumentFile {
  /** The file name; its extension says the format (.pdf, .md, .html, .txt …). */
  name: string;
  data: Uint8Array;
  /** The declared media type (an upload's Content-Type); must agree with the name when given. */
  contentType?: string | undefined;
}

export interface ReadDocument {
  format: DocumentFormat;
  title: string;
  text: string;
  /** The character set a text document was decoded from (null for a PDF): see decode.ts. */
  encoding: string | null;
}

const PDF_MAGIC = Buffer.from('%PDF-');
/** C0 controls but tab, line feed, vertical tab, form feed and carriage return; DEL; C1 controls. */
function controlCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x01 && c <= 0x08) || (c >= 0x0e && c <= 0x1f) || (c >= 0x7f && c <= 0x9f)) n++;
  }
  return n;
}

/**
 * Checks a document and extracts its text. Refusals are AppErrors with stable ids: payload_too_large (over
 * MAX_FILE_BYTES), unsupported_media_type (a name or Content-Type that is not a document, a Content-Type that
 * contradicts the name, a ".pdf" without the %PDF- header, a text file whose character set is unknown or cannot be
 * told: see decodeDocumentText), file_unreadable (a
 * PDF that does not parse, or a document with no text). Nothing is written here.
 */
export async function readDocument(file: DocumentFile): Promise<ReadDocument> {
  const { data } = file;
  if (data.length > MAX_FILE_BYTES)
    throw new AppError('payload_too_large', `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  const format = formatFromName(file.name);
  if (!format)
    throw new AppError(
      'unsupported_media_type',
      `only PDF, Markdown, HTML and plain-text files are imported (${DOCUMENT_EXTENSIONS.join(', ')})`,
    );
  if (file.contentType !== undefined) {
    const declared = file.contentType.split(';')[0]!.trim().toLowerCase();
    if (!(declared in DOCUMENT_MEDIA_TYPES))
      throw new AppError('unsupported_media_type', `${declared || 'no Content-Type'} is not a document type`);
    const means = DOCUMENT_MEDIA_TYPES[declared];
    // Markdown is plain text, and is often sent as text/plain.
    const agrees = means === null || means === format || (means === 'text' && format === 'markdown');
    if (!agrees)
      throw new AppError(
        'unsupported_media_type',
        `the file name says ${format} but the Content-Type says ${declared}`,
      );
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // PDF readers accept the header anywhere in the first 1024 bytes (some files start with junk before it).
  const isPdf = bytes.subarray(0, 1024).includes(PDF_MAGIC);
  let text: string;
  let encoding: string | null = null;
  if (format === 'pdf') {
    if (!isPdf) throw new AppError('unsupported_media_type', 'the file is not a PDF: it has no %PDF- header');
    try {
      text = await pdfToText(new Uint8Array(bytes));
    } catch (err) {
      throw new AppError(
        'file_unreadable',
        `the PDF could not be read: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300),
      );
    }
  } else {
    if (isPdf) throw new AppError('unsupported_media_type', `the file is a PDF, not ${format}: name it .pdf`);
    const decoded = decodeDocumentText(bytes, format, file.contentType);
    encoding = decoded.encoding;
    if (decoded.text.includes('\u0000'))
      throw new AppError('unsupported_media_type', 'the file is binary, not text (it contains NUL bytes)');
    // Text has next to no control characters (tabs, line and page breaks aside); bytes that decode into many are data.
    if (controlCount(decoded.text) > Math.max(8, decoded.text.length * 0.01))
      throw new AppError(
        'unsupported_media_type',
        'the file is binary, not text (it is full of control characters)',
      );
    text = format === 'html' ? htmlToText(decoded.text) : decoded.text;
  }
  text = text.replaceAll('\u0000', '');
  if (!text.trim())
    throw new AppError(
      'file_unreadable',
      format === 'pdf'
        ? 'no text could be extracted (a scanned PDF needs text recognition first)'
        : 'no text could be extracted',
    );
  return { format, title: titleOf(text, basename(file.name)), text, encoding };
}
