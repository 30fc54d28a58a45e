// Turning a document's text (src/documents reads it) into passages the engine can retrieve: chunks that follow
// headings and paragraphs, each small enough to quote as an answer.
import type { DocumentFormat } from '../documents/read.ts';

export type ArticleFormat = DocumentFormat;

export interface Chunk {
  heading: string;
  text: string;
}

const MAX_CHUNK = 900;
const MIN_CHUNK = 80;

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
