// Importing a file or a folder into an agent's knowledge base: articles (Markdown, HTML, PDF, text) and FAQ files
// (`*.faq.json` / `faq.json`: an array of {title, answer, phrasings?, tags?}), and `escalate.txt`: questions that go
// to a person, one per line, added after the entries. Reports progress per file. One
// document reader serves the CLI (`twelve kb import`) and the dashboard's upload (POST /api/agents/:agent/kb/files):
// the same checks (size, type sniffing), the same text extraction and chunking, the same versioned, audited write.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { z } from 'zod';
import type { Actor, Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { type ArticleFormat, formatFromName, htmlToText, pdfToText, titleOf } from './chunk.ts';
import { decodeDocumentText } from './decode.ts';
import {
  type Article,
  articleImporter,
  escalateQuestionAdder,
  FaqInputSchema,
  faqCreator,
  faqUpdater,
  listEscalateQuestions,
  listFaqs,
  sameQuestion,
} from './kb.ts';

/** The largest document imported, from a folder or uploaded. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Media types a document may be sent as, and the format each one means (octet-stream: the file name decides). */
export const DOCUMENT_MEDIA_TYPES: Readonly<Record<string, ArticleFormat | null>> = {
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
  format: ArticleFormat;
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

/**
 * Reads a document and stores it as the article named `source` (default: the file name): the article, its
 * passages, the revision and the audit event in one transaction (articleImporter), so a refused or failed file
 * leaves nothing behind; the same content again is a no-op, new content a new version.
 */
export async function documentImporter(
  svc: Services,
  actor: Actor,
  agentId: string,
  file: DocumentFile & { source?: string },
): Promise<{ article: Article; changed: boolean; encoding: string | null }> {
  const doc = await readDocument(file);
  const result = await articleImporter(svc, actor, agentId, {
    source: file.source ?? basename(file.name),
    title: doc.title,
    format: doc.format,
    text: doc.text,
  });
  return { ...result, encoding: doc.encoding };
}

export interface ImportReport {
  files: number;
  articlesChanged: number;
  articlesUnchanged: number;
  faqCreated: number;
  faqUpdated: number;
  /** Questions that go to a person (`escalate.txt`): added, and listed already. */
  escalateAdded: number;
  escalateUnchanged: number;
  skipped: { file: string; reason: string }[];
  /** Text documents that were not UTF-8, with the character set they were read in (see decode.ts). */
  decoded: { file: string; encoding: string }[];
}

const isFaqFile = (path: string) => /(^|\.)faq\.json$/i.test(basename(path));
/** `escalate.txt` (or `*.escalate.txt`): questions that go to a person, one per line; `#` starts a comment line. */
const isEscalateFile = (path: string) => /(^|\.)escalate\.txt$/i.test(basename(path));

async function listFiles(path: string): Promise<string[]> {
  const s = await stat(path).catch(() => null);
  if (!s) throw new AppError('not_found', `no such file or folder: ${path}`);
  if (s.isFile()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    // Hidden files and the folder's own README are not knowledge-base content.
    if (entry.name.startsWith('.') || /^readme\./i.test(entry.name)) continue;
    const p = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile() && (formatFromName(entry.name) || isFaqFile(entry.name))) out.push(p);
  }
  return out;
}

export async function kbImporter(
  svc: Services,
  actor: Actor,
  agentId: string,
  path: string,
  onProgress?: (done: number, total: number, file: string) => void,
): Promise<ImportReport> {
  // Questions that go to a person come last: one that is an entry's phrasing is refused, so the entries must be in.
  const listed = await listFiles(path);
  const files = [...listed.filter((f) => !isEscalateFile(f)), ...listed.filter(isEscalateFile)];
  const root = (await stat(path)).isFile() ? join(path, '..') : path;
  const report: ImportReport = {
    files: files.length,
    articlesChanged: 0,
    articlesUnchanged: 0,
    faqCreated: 0,
    faqUpdated: 0,
    escalateAdded: 0,
    escalateUnchanged: 0,
    skipped: [],
    decoded: [],
  };
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const rel = relative(root, file);
    onProgress?.(i, files.length, rel);
    try {
      const size = (await stat(file)).size;
      if (size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      if (isEscalateFile(file)) {
        await importEscalateFile(svc, actor, agentId, rel, await readFile(file, 'utf8'), report);
        continue;
      }
      if (isFaqFile(file)) {
        const counts = await importFaqFile(svc, actor, agentId, await readFile(file, 'utf8'));
        report.faqCreated += counts.created;
        report.faqUpdated += counts.updated;
        continue;
      }
      const { changed, encoding } = await documentImporter(svc, actor, agentId, {
        name: basename(file),
        source: rel,
        data: await readFile(file),
      });
      if (encoding && encoding !== 'utf-8') report.decoded.push({ file: rel, encoding });
      if (changed) report.articlesChanged++;
      else report.articlesUnchanged++;
    } catch (err) {
      report.skipped.push({ file: rel, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  onProgress?.(files.length, files.length, '');
  return report;
}

/** Each line a question that goes to a person; one listed already is left as it is, an entry's phrasing is skipped. */
async function importEscalateFile(
  svc: Services,
  actor: Actor,
  agentId: string,
  rel: string,
  text: string,
  report: ImportReport,
): Promise<void> {
  // Compared as the list compares them (sameQuestion): one listed already is not added twice.
  const listed = new Set((await listEscalateQuestions(svc.db, agentId)).map((q) => sameQuestion(q.text)));
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of lines) {
    if (listed.has(sameQuestion(line))) {
      report.escalateUnchanged++;
      continue;
    }
    try {
      await escalateQuestionAdder(svc, actor, agentId, { text: line });
      listed.add(sameQuestion(line));
      report.escalateAdded++;
    } catch (err) {
      report.skipped.push({
        file: `${rel}: ${line}`,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

const FaqFileSchema = z.array(FaqInputSchema).max(10_000);

/** FAQ entries are matched by title: re-importing updates them instead of duplicating. */
async function importFaqFile(
  svc: Services,
  actor: Actor,
  agentId: string,
  json: string,
): Promise<{ created: number; updated: number }> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('not valid JSON');
  }
  const parsed = FaqFileSchema.safeParse(data);
  if (!parsed.success) throw new Error(`not a FAQ list: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const existing = new Map((await listFaqs(svc.db, agentId)).map((e) => [e.title.toLowerCase(), e]));
  let created = 0;
  let updated = 0;
  for (const item of parsed.data) {
    const cur = existing.get(item.title.toLowerCase());
    if (!cur) {
      await faqCreator(svc, actor, agentId, item);
      created++;
    } else if (
      cur.answer !== item.answer ||
      JSON.stringify(cur.phrasings) !== JSON.stringify(item.phrasings) ||
      JSON.stringify(cur.tags) !== JSON.stringify(item.tags)
    ) {
      await faqUpdater(svc, actor, cur.id, item);
      updated++;
    }
  }
  return { created, updated };
}
