// Importing a file or a folder into an agent's knowledge base: articles (Markdown, HTML, PDF, text) and FAQ files
// (`*.faq.json` / `faq.json`: an array of {title, answer, phrasings?, tags?}). Reports progress per file.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { z } from 'zod';
import type { Actor, Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { formatFromName, htmlToText, pdfToText, titleOf } from './chunk.ts';
import { articleImporter, FaqInputSchema, faqCreator, faqUpdater, listFaqs } from './kb.ts';

const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface ImportReport {
  files: number;
  articlesChanged: number;
  articlesUnchanged: number;
  faqCreated: number;
  faqUpdated: number;
  skipped: { file: string; reason: string }[];
}

const isFaqFile = (path: string) => /(^|\.)faq\.json$/i.test(basename(path));

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
  const files = await listFiles(path);
  const root = (await stat(path)).isFile() ? join(path, '..') : path;
  const report: ImportReport = {
    files: files.length,
    articlesChanged: 0,
    articlesUnchanged: 0,
    faqCreated: 0,
    faqUpdated: 0,
    skipped: [],
  };
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const rel = relative(root, file);
    onProgress?.(i, files.length, rel);
    try {
      const size = (await stat(file)).size;
      if (size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      if (isFaqFile(file)) {
        const counts = await importFaqFile(svc, actor, agentId, await readFile(file, 'utf8'));
        report.faqCreated += counts.created;
        report.faqUpdated += counts.updated;
        continue;
      }
      const format = formatFromName(file)!;
      const text =
        format === 'pdf'
          ? await pdfToText(new Uint8Array(await readFile(file)))
          : format === 'html'
            ? htmlToText(await readFile(file, 'utf8'))
            : await readFile(file, 'utf8');
      if (!text.trim()) throw new Error('no text could be extracted');
      const { changed } = await articleImporter(svc, actor, agentId, {
        source: rel,
        title: titleOf(text, basename(file)),
        format,
        text,
      });
      if (changed) report.articlesChanged++;
      else report.articlesUnchanged++;
    } catch (err) {
      report.skipped.push({ file: rel, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  onProgress?.(files.length, files.length, '');
  return report;
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
