// Importing a file or a folder into an agent's knowledge base: articles (Markdown, HTML, PDF, text) and FAQ files
// (`*.faq.json` / `faq.json`: an array of {title, answer, phrasings?, tags?}), and `escalate.txt`: questions that go
// to a person, one per line, added after the entries. Reports progress per file. One
// document reader serves the CLI (`twelve kb import`) and the dashboard's upload (POST /api/agents/:agent/kb/files):
// the same checks (size, type sniffing), the same text extraction and chunking, the same versioned, audited write.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { type DocumentFile, formatFromName, MAX_FILE_BYTES, readDocument } from '../documents/read.ts';
import { AppError } from '../errors.ts';
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
  /** FAQ entries of the files that were already in the knowledge base exactly as written. */
  faqUnchanged: number;
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
    faqUnchanged: 0,
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
        report.faqUnchanged += counts.unchanged;
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
): Promise<{ created: number; updated: number; unchanged: number }> {
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
  let unchanged = 0;
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
    } else unchanged++;
  }
  return { created, updated, unchanged };
}
