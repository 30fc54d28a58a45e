// Turning documents into passages the engine can retrieve: text extraction per format (html-to-text for HTML,
// unpdf for PDF), then chunks that follow headings and paragraphs, each small enough to quote as an answer.
import { convert } from 'html-to-text';
import { runWorker } from './worker.ts';

export type ArticleFormat = 'markdown' | 'html' | 'pdf' | 'text';

export interface Chunk {
  heading: string;
  text: string;
}

const MAX_CHUNK = 900;
const MIN_CHUNK = 80;

export function htmlToText(html: string): string {
  // Keep headings as Markdown-style "# " lines so chunking can follow the document's sections.
  const marked = html.replace(
    /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi,
    (_m, level: string, inner: string) => `<p>${'#'.repeat(Number(level))} ${inner}</p>`,
  );
  return convert(marked, {
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
export function pdfToText(data: Uint8Array, options: { timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? PDF_TIMEOUT_MS;
  const copy = data.slice();
  return runWorker<string>(new URL('./pdf-worker.mjs', import.meta.url), {
    workerData: { data: copy, maxPages: MAX_PDF_PAGES },
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

/** Strips Markdown syntax that means nothing to a reader of a plain-text answer. */
function markdownInline(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/`{1,3}([^`]*)`{1,3}/g, '$1')
    .replace(/(\*\*|__)(.*?)\1/g, '$2')
    .replace(/(^|\s)[*_]([^*_]+)[*_]/g, '$1$2');
}

/** Splits text with Markdown-style headings into passages that keep their heading as context. */
export function chunkText(text: string, format: ArticleFormat): Chunk[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections: { heading: string; body: string[] }[] = [{ heading: '', body: [] }];
  let inFence = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const h =
      !inFence && (format === 'markdown' || format === 'html') ? /^\s{0,3}#{1,6}\s+(.*)$/.exec(line) : null;
    if (h) sections.push({ heading: markdownInline(h[1]!.trim()), body: [] });
    else sections[sections.length - 1]!.body.push(format === 'markdown' ? markdownInline(line) : line);
  }
  const chunks: Chunk[] = [];
  for (const s of sections) {
    const paragraphs = s.body
      .join('\n')
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    let current = '';
    const flush = () => {
      if (current.trim()) chunks.push({ heading: s.heading, text: current.trim() });
      current = '';
    };
    for (const p of paragraphs) {
      for (const piece of splitLong(p)) {
        if (current && current.length + piece.length + 1 > MAX_CHUNK) flush();
        current = current ? `${current}\n${piece}` : piece;
      }
      if (current.length >= MIN_CHUNK * 3) flush();
    }
    flush();
  }
  // Merge tiny trailing chunks into their predecessor under the same heading.
  return chunks.reduce<Chunk[]>((acc, c) => {
    const prev = acc[acc.length - 1];
    if (
      prev &&
      c.text.length < MIN_CHUNK &&
      prev.heading === c.heading &&
      prev.text.length + c.text.length < MAX_CHUNK
    ) {
      prev.text = `${prev.text}\n${c.text}`;
    } else acc.push({ ...c });
    return acc;
  }, []);
}

function splitLong(paragraph: string): string[] {
  if (paragraph.length <= MAX_CHUNK) return [paragraph];
  const sentences = paragraph.match(/[^.!?]+[.!?]+(\s|$)|[^.!?]+$/g) ?? [paragraph];
  const out: string[] = [];
  let cur = '';
  for (const s of sentences) {
    if (cur && cur.length + s.length > MAX_CHUNK) {
      out.push(cur.trim());
      cur = '';
    }
    cur += s;
    while (cur.length > MAX_CHUNK) {
      out.push(cur.slice(0, MAX_CHUNK));
      cur = cur.slice(MAX_CHUNK);
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function formatFromName(name: string): ArticleFormat | null {
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
