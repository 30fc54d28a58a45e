// Knowledge-base commands: FAQ entries and articles, every change versioned (a revision snapshot), audited, and
// bumping the agent's KB version (announced as kb.changed) so engines retrain.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { emitEvent } from '../events/emit.ts';
import type { Queryable } from '../store/db.ts';
import { type ArticleFormat, chunkText } from './chunk.ts';

export interface FaqEntry {
  id: string;
  agentId: string;
  title: string;
  answer: string;
  phrasings: string[];
  tags: string[];
  version: number;
  updatedAt: Date;
}

export interface Article {
  id: string;
  agentId: string;
  title: string;
  source: string;
  format: ArticleFormat;
  version: number;
  passages: number;
  updatedAt: Date;
}

const Title = z.string().trim().min(1).max(300);
const AnswerText = z.string().trim().min(1).max(10_000);
const MAX_PHRASINGS = 2000;
const Phrasings = z.array(z.string().trim().min(1).max(1000)).max(MAX_PHRASINGS);
const Tags = z.array(z.string().trim().min(1).max(100)).max(50);

export const FaqInputSchema = z
  .object({ title: Title, answer: AnswerText, phrasings: Phrasings.default([]), tags: Tags.default([]) })
  .strict();
export type FaqInput = z.input<typeof FaqInputSchema>;
// Not FaqInputSchema.partial(): in zod 4 an optional field keeps its default, so a patch of the title alone would
// come back with phrasings: [] and tags: [] and wipe them.
export const FaqPatchSchema = z
  .object({ title: Title, answer: AnswerText, phrasings: Phrasings, tags: Tags })
  .partial()
  .strict();

export function presentFaqRow(r: Record<string, unknown>): FaqEntry {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    title: String(r.title),
    answer: String(r.answer),
    phrasings: r.phrasings as string[],
    tags: r.tags as string[],
    version: Number(r.version),
    updatedAt: r.updated_at as Date,
  };
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('validation_failed', undefined, r.error.issues);
  return r.data;
}

export const KB_CHANGED = 'kb.changed';

/**
 * A new KB version, announced as `kb.changed` when the edit commits: servers start retraining the agent's engine
 * then (EngineCache.prepare), and dashboards showing the KB re-read it.
 */
async function bumpKb(tx: Queryable, agentId: string): Promise<void> {
  const [row] = await tx.query<{ version: number }>(
    `INSERT INTO kb_state (agent_id, version, updated_at) VALUES ($1, 1, now())
     ON CONFLICT (agent_id) DO UPDATE SET version = kb_state.version + 1, updated_at = now() RETURNING version`,
    [agentId],
  );
  await emitEvent(tx, { type: KB_CHANGED, agentId, version: Number(row!.version) });
}

async function revise(
  svc: Services,
  tx: Queryable,
  actor: Actor,
  agentId: string,
  subject: string,
  version: number,
  action: string,
  snapshot: unknown,
) {
  await tx.query(
    'INSERT INTO kb_revisions (agent_id, subject, version, snapshot, edited_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [agentId, subject, version, JSON.stringify(snapshot), actor, svc.clock.now()],
  );
  await svc.audit.append({ stream: `agent:${agentId}`, actor, action, subject, payload: { version } }, tx);
  await bumpKb(tx, agentId);
}

function dedupe(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = p.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export async function faqCreator(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: FaqInput,
): Promise<FaqEntry> {
  const data = parse(FaqInputSchema, input);
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `INSERT INTO kb_entries (agent_id, title, answer, phrasings, tags, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
      [
        agentId,
        data.title,
        data.answer,
        JSON.stringify(dedupe(data.phrasings)),
        JSON.stringify(data.tags),
        svc.clock.now(),
      ],
    );
    const entry = presentFaqRow(row!);
    await revise(svc, tx, actor, agentId, `kb_entry:${entry.id}`, 1, 'kb.entry_created', entry);
    await unlistAnswered(svc, tx, actor, entry);
    return entry;
  });
}

export async function faqUpdater(
  svc: Services,
  actor: Actor,
  entryId: string,
  patch: z.input<typeof FaqPatchSchema>,
  /** Phrasings added after the entry's own (or the patch's), read under the row lock, so none added meanwhile is lost. */
  append: string[] = [],
): Promise<FaqEntry> {
  const data = parse(FaqPatchSchema, patch);
  return svc.db.transaction(async (tx) => {
    const [cur] = await tx.query('SELECT * FROM kb_entries WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [
      entryId,
    ]);
    if (!cur) throw new AppError('not_found', 'no such FAQ entry');
    const before = presentFaqRow(cur);
    const phrasings = dedupe([...(data.phrasings ?? before.phrasings), ...parse(Phrasings, append)]);
    if (phrasings.length > MAX_PHRASINGS)
      throw new AppError('validation_failed', `an entry holds at most ${MAX_PHRASINGS} phrasings`);
    const next = { ...before, ...data, phrasings };
    const [row] = await tx.query(
      `UPDATE kb_entries SET title = $2, answer = $3, phrasings = $4, tags = $5, version = version + 1, updated_at = $6 WHERE id = $1 RETURNING *`,
      [
        entryId,
        next.title,
        next.answer,
        JSON.stringify(next.phrasings),
        JSON.stringify(next.tags),
        svc.clock.now(),
      ],
    );
    const entry = presentFaqRow(row!);
    await revise(
      svc,
      tx,
      actor,
      entry.agentId,
      `kb_entry:${entry.id}`,
      entry.version,
      'kb.entry_updated',
      entry,
    );
    await unlistAnswered(svc, tx, actor, entry);
    return entry;
  });
}

/**
 * New phrasings of an existing entry, in one new version: the inbox's one click (a customer's question), or the
 * suggestions a person picked (suggest.ts).
 */
export async function phrasingAdder(
  svc: Services,
  actor: Actor,
  entryId: string,
  phrasings: string | string[],
): Promise<FaqEntry> {
  return faqUpdater(svc, actor, entryId, {}, typeof phrasings === 'string' ? [phrasings] : phrasings);
}

export async function faqDeleter(svc: Services, actor: Actor, entryId: string): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      'UPDATE kb_entries SET deleted_at = $2, version = version + 1 WHERE id = $1 AND deleted_at IS NULL RETURNING *',
      [entryId, svc.clock.now()],
    );
    if (!row) throw new AppError('not_found', 'no such FAQ entry');
    await revise(
      svc,
      tx,
      actor,
      String(row.agent_id),
      `kb_entry:${entryId}`,
      Number(row.version),
      'kb.entry_deleted',
      { deleted: true },
    );
  });
}

export interface ArticleInput {
  source: string;
  title: string;
  format: ArticleFormat;
  /** Extracted plain text (Markdown kept for headings). */
  text: string;
}

/** Creates or replaces an article by its source; unchanged content is a no-op (re-importing a folder is cheap). */
export async function articleImporter(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: ArticleInput,
): Promise<{ article: Article; changed: boolean }> {
  const text = input.text.slice(0, 2_000_000);
  const hash = createHash('sha256').update(text).digest('hex');
  const chunks = chunkText(text, input.format);
  return svc.db.transaction(async (tx) => {
    const [existing] = await tx.query<{
      id: string;
      content_hash: string;
      version: number;
      deleted_at: Date | null;
    }>(
      'SELECT id, content_hash, version, deleted_at FROM kb_articles WHERE agent_id = $1 AND source = $2 FOR UPDATE',
      [agentId, input.source],
    );
    if (existing && existing.content_hash === hash && !existing.deleted_at) {
      return { article: await getArticle(tx, existing.id), changed: false };
    }
    const now = svc.clock.now();
    const [row] = existing
      ? await tx.query<{ id: string; version: number }>(
          `UPDATE kb_articles SET title = $2, format = $3, body = $4, content_hash = $5, version = version + 1, deleted_at = NULL, updated_at = $6
           WHERE id = $1 RETURNING id, version`,
          [existing.id, input.title, input.format, text, hash, now],
        )
      : await tx.query<{ id: string; version: number }>(
          `INSERT INTO kb_articles (agent_id, title, source, format, body, content_hash, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id, version`,
          [agentId, input.title, input.source, input.format, text, hash, now],
        );
    const id = row!.id;
    await tx.query('DELETE FROM kb_passages WHERE article_id = $1', [id]);
    for (let i = 0; i < chunks.length; i++) {
      await tx.query(
        'INSERT INTO kb_passages (article_id, agent_id, idx, heading, text) VALUES ($1, $2, $3, $4, $5)',
        [id, agentId, i, chunks[i]!.heading, chunks[i]!.text],
      );
    }
    await revise(
      svc,
      tx,
      actor,
      agentId,
      `kb_article:${id}`,
      row!.version,
      existing ? 'kb.article_updated' : 'kb.article_created',
      {
        title: input.title,
        source: input.source,
        format: input.format,
        hash,
        passages: chunks.length,
      },
    );
    return { article: await getArticle(tx, id), changed: true };
  });
}

async function getArticle(q: Queryable, id: string): Promise<Article> {
  const [r] = await q.query<Record<string, unknown>>(
    `SELECT a.*, (SELECT count(*)::int FROM kb_passages p WHERE p.article_id = a.id) AS passages FROM kb_articles a WHERE id = $1`,
    [id],
  );
  return {
    id: String(r!.id),
    agentId: String(r!.agent_id),
    title: String(r!.title),
    source: String(r!.source),
    format: r!.format as ArticleFormat,
    version: Number(r!.version),
    passages: Number(r!.passages),
    updatedAt: r!.updated_at as Date,
  };
}

export async function listFaqs(q: Queryable, agentId: string): Promise<FaqEntry[]> {
  return (
    await q.query('SELECT * FROM kb_entries WHERE agent_id = $1 AND deleted_at IS NULL ORDER BY title', [
      agentId,
    ])
  ).map(presentFaqRow);
}

export async function listArticles(q: Queryable, agentId: string): Promise<Article[]> {
  const rows = await q.query<{ id: string }>(
    'SELECT id FROM kb_articles WHERE agent_id = $1 AND deleted_at IS NULL ORDER BY title',
    [agentId],
  );
  return Promise.all(rows.map((r) => getArticle(q, r.id)));
}

export async function kbVersion(q: Queryable, agentId: string): Promise<number> {
  const [row] = await q.query<{ version: number }>('SELECT version FROM kb_state WHERE agent_id = $1', [
    agentId,
  ]);
  return row?.version ?? 0;
}

/**
 * A question a person has said the agent must not answer: "Wrong answer" on an agent's reply in the inbox, or the KB
 * page. The engine learns these as questions to escalate (engine-cache.ts reads them as TrainInput.negatives): never
 * answered, and questions close to one lose confidence, so the next customer who asks it goes to a person.
 */
export interface EscalateQuestion {
  id: string;
  agentId: string;
  text: string;
  /** Why, in the person's words (optional). */
  note: string;
  createdBy: string;
  createdAt: Date;
}

/** At most this many per agent: a list that long means the KB lacks entries, not that it needs more exceptions. */
export const MAX_ESCALATE_QUESTIONS = 1000;

export const EscalateQuestionSchema = z
  .object({ text: z.string().trim().min(1).max(1000), note: z.string().trim().max(500).default('') })
  .strict();

export function presentEscalateQuestionRow(r: Record<string, unknown>): EscalateQuestion {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    text: String(r.text),
    note: String(r.note ?? ''),
    createdBy: String(r.created_by),
    createdAt: r.created_at as Date,
  };
}

/** Case, spacing and end punctuation aside: how two askings of one question are compared. */
export const sameQuestion = (s: string) =>
  s
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s?!.,;:]+$/u, '')
    .trim();

export async function escalateQuestionAdder(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: z.input<typeof EscalateQuestionSchema>,
): Promise<EscalateQuestion> {
  const data = parse(EscalateQuestionSchema, input);
  return svc.db.transaction(async (tx) => {
    // One writer at a time per agent (the KB state row), so the checks below hold when the row is written.
    await tx.query(
      `INSERT INTO kb_state (agent_id, version, updated_at) VALUES ($1, 0, now()) ON CONFLICT (agent_id) DO NOTHING`,
      [agentId],
    );
    await tx.query('SELECT 1 FROM kb_state WHERE agent_id = $1 FOR UPDATE', [agentId]);
    const key = sameQuestion(data.text);
    const entries = await tx.query<{ title: string; phrasings: string[] }>(
      'SELECT title, phrasings FROM kb_entries WHERE agent_id = $1 AND deleted_at IS NULL',
      [agentId],
    );
    // The same words cannot both answer with an entry and go to a person: the engine would learn both.
    const owner = entries.find((e) => [e.title, ...e.phrasings].some((p) => sameQuestion(p) === key));
    if (owner)
      throw new AppError(
        'conflict',
        `“${data.text}” is a phrasing of the entry “${owner.title}”: remove it from the entry first`,
      );
    const existing = await tx.query<{ text: string }>(
      'SELECT text FROM kb_escalate_questions WHERE agent_id = $1 AND deleted_at IS NULL',
      [agentId],
    );
    if (existing.some((e) => sameQuestion(e.text) === key))
      throw new AppError('conflict', `“${data.text}” already goes to a person`);
    if (existing.length >= MAX_ESCALATE_QUESTIONS)
      throw new AppError(
        'validation_failed',
        `an agent holds at most ${MAX_ESCALATE_QUESTIONS} questions that go to a person`,
      );
    const [row] = await tx.query(
      `INSERT INTO kb_escalate_questions (agent_id, text, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [agentId, data.text, data.note, actor, svc.clock.now()],
    );
    const question = presentEscalateQuestionRow(row!);
    await revise(
      svc,
      tx,
      actor,
      agentId,
      `kb_escalate:${question.id}`,
      1,
      'kb.escalate_question_added',
      question,
    );
    return question;
  });
}

/**
 * An entry's title or phrasing that is also on the list of questions that go to a person: the later decision wins,
 * so the question leaves the list (its own revision, audited, saying which entry took it). The engine would otherwise
 * learn the same words as both.
 */
async function unlistAnswered(svc: Services, tx: Queryable, actor: Actor, entry: FaqEntry): Promise<void> {
  const listed = await tx.query<{ id: string; text: string }>(
    'SELECT id, text FROM kb_escalate_questions WHERE agent_id = $1 AND deleted_at IS NULL',
    [entry.agentId],
  );
  if (listed.length === 0) return;
  const own = new Set([entry.title, ...entry.phrasings].map(sameQuestion));
  for (const q of listed.filter((l) => own.has(sameQuestion(l.text))))
    await unlist(svc, tx, actor, q.id, { answeredBy: { entryId: entry.id, title: entry.title } });
}

/** Takes a question off the list (kept with its revisions); false when it is not listed. */
async function unlist(
  svc: Services,
  tx: Queryable,
  actor: Actor,
  id: string,
  why: Record<string, unknown> = {},
): Promise<boolean> {
  const [row] = await tx.query<{ agent_id: string }>(
    'UPDATE kb_escalate_questions SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING agent_id',
    [id, svc.clock.now()],
  );
  if (!row) return false;
  await revise(svc, tx, actor, String(row.agent_id), `kb_escalate:${id}`, 2, 'kb.escalate_question_deleted', {
    deleted: true,
    ...why,
  });
  return true;
}

export async function escalateQuestionDeleter(svc: Services, actor: Actor, id: string): Promise<void> {
  await svc.db.transaction(async (tx) => {
    if (!(await unlist(svc, tx, actor, id))) throw new AppError('not_found', 'no such question');
  });
}

export async function listEscalateQuestions(q: Queryable, agentId: string): Promise<EscalateQuestion[]> {
  return (
    await q.query(
      'SELECT * FROM kb_escalate_questions WHERE agent_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id',
      [agentId],
    )
  ).map(presentEscalateQuestionRow);
}

/**
 * The sources (`faq:<id>`, `article:<id>`) of the entries and articles whose title contains `text`, any agent: the
 * Conversations view finds the conversations an entry answered in (an article's passages are `article:<id>#<n>`).
 */
export async function sourcesTitled(q: Queryable, text: string, limit = 200): Promise<string[]> {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await q.query<{ source: string }>(
    `(SELECT 'faq:' || id AS source FROM kb_entries WHERE deleted_at IS NULL AND title ILIKE $1 LIMIT $2)
     UNION ALL
     (SELECT 'article:' || id FROM kb_articles WHERE deleted_at IS NULL AND title ILIKE $1 LIMIT $2)`,
    [like, limit],
  );
  return rows.map((r) => r.source);
}
