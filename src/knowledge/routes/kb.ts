// The knowledge base over HTTP: FAQ entries (create, edit, delete, add a phrasing, revision history), articles
// imported from pasted Markdown, HTML or text or uploaded as a file (PDF too), and the inbox's one click that turns a human's answer into an entry
// or a customer's question into a phrasing. Every change goes through the kb.ts commands, which version, audit and
// bump the KB version (so the agent's engine retrains: servers start at once, see EngineCache.prepare).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { customerQuestion } from '../../conversations/substantive.ts';
import {
  DOCUMENT_EXTENSIONS,
  DOCUMENT_MEDIA_TYPES,
  htmlToText,
  MAX_FILE_BYTES,
} from '../../documents/read.ts';
import { AppError } from '../../errors.ts';
import { findAgent } from '../../runtime/agents.ts';
import { escalationTranscript, type Message, presentEscalationRow } from '../../runtime/escalations.ts';
import { AgentParam, route, UuidParam } from '../../server/http.ts';
import type { Queryable } from '../../store/db.ts';
import { faqEntriesCsv } from '../csv.ts';
import { engineNodes } from '../engine-reports.ts';
import { kbHealth } from '../health.ts';
import { documentImporter } from '../import.ts';
import {
  type Article,
  articleImporter,
  type EscalateQuestion,
  EscalateQuestionSchema,
  escalateQuestionAdder,
  escalateQuestionDeleter,
  type FaqEntry,
  FaqInputSchema,
  FaqPatchSchema,
  faqCreator,
  faqDeleter,
  faqUpdater,
  kbVersion,
  listArticles,
  listEscalateQuestions,
  listFaqs,
  phrasingAdder,
} from '../kb.ts';
import { assertHasKnowledge, type KnowledgeContext, knowledgeAgent } from '../knowledge.ts';
import { DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS, phrasingSuggester } from '../suggest.ts';

/** Pasted article text; the server's body limit (1 MiB) bounds the request before this does. */
export const MAX_ARTICLE_CHARS = 1_000_000;
const MAX_PHRASING_CHARS = 1000;

const PatchBody = FaqPatchSchema.refine((p) => Object.keys(p).length > 0, {
  message: 'say what to change: title, answer, phrasings or tags',
});
const Phrasing = z.string().trim().min(1).max(MAX_PHRASING_CHARS);
/** One phrasing (the inbox's click, the KB page's form) or several in one version (picked suggestions). */
const PhrasingBody = z.union([
  z.object({ phrasing: Phrasing }).strict(),
  z.object({ phrasings: z.array(Phrasing).min(1).max(MAX_SUGGESTIONS) }).strict(),
]);
const SuggestBody = z
  .object({
    count: z.number().int().min(1).max(MAX_SUGGESTIONS).default(DEFAULT_SUGGESTIONS),
    /** Another entry whose questions this one's are taken for: phrasings that tell the two apart. */
    contrast: z.string().uuid().optional(),
  })
  .strict();
const ArticleBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    /** Identifies the article: importing again with the same source replaces it (a new version). */
    source: z.string().trim().min(1).max(500),
    format: z.enum(['markdown', 'html', 'text']),
    content: z.string().min(1).max(MAX_ARTICLE_CHARS),
  })
  .strict();
const FileQuery = z
  .object({
    /** The file's name: its extension says the format, and it names the article (the same name again replaces it). */
    filename: z
      .string()
      .trim()
      .min(1)
      .max(200)
      // A name, not a path: no folders, no control characters.
      .regex(/^[^/\\\p{Cc}]+$/u, 'a file name without folders or control characters')
      .refine((n) => n !== '.' && n !== '..', 'a file name'),
  })
  .strict();
const Question = z.string().trim().min(1).max(MAX_PHRASING_CHARS);
const ToKbBody = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('new'),
      title: z.string().trim().min(1).max(300),
      /** The phrasing to store; defaults to the customer's question (see lastExchange). */
      question: Question.optional(),
      /** Defaults to the human's last reply in the conversation. */
      answer: z.string().trim().min(1).max(10_000).optional(),
      tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    })
    .strict(),
  z
    .object({ mode: z.literal('phrasing'), entryId: z.string().uuid(), question: Question.optional() })
    .strict(),
]);

const iso = (d: Date) => d.toISOString();

export function presentFaq(e: FaqEntry) {
  return {
    id: e.id,
    agentId: e.agentId,
    title: e.title,
    answer: e.answer,
    phrasings: e.phrasings,
    tags: e.tags,
    version: e.version,
    updatedAt: iso(e.updatedAt),
  };
}

export function presentArticle(a: Article) {
  return {
    id: a.id,
    agentId: a.agentId,
    title: a.title,
    source: a.source,
    format: a.format,
    version: a.version,
    passages: a.passages,
    updatedAt: iso(a.updatedAt),
  };
}

/** A live (not deleted) entry; 404 otherwise. */
async function liveEntry(q: Queryable, id: string): Promise<{ id: string; agentId: string }> {
  const [row] = await q.query<{ agent_id: string }>(
    'SELECT agent_id FROM kb_entries WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  if (!row) throw new AppError('not_found', 'no such FAQ entry');
  return { id, agentId: row.agent_id };
}

/**
 * What an escalation's conversation offers the KB: the human's last reply (the answer) and the customer question
 * it answered (the last substantive one before that reply, so neither a closing "thanks!" nor "I would like to talk
 * to a person" is taken for the question: conversations/substantive.ts). Without a human reply, the customer's last
 * substantive message.
 */
export function lastExchange(messages: Message[]): { question: string | null; answer: string | null } {
  let replyAt = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.author === 'human' && messages[i]!.direction === 'out') {
      replyAt = i;
      break;
    }
  }
  const before = replyAt >= 0 ? messages.slice(0, replyAt) : messages;
  // The customer's last substantive message: never a request for a person (the widget's button sends one) or a thanks.
  const question = customerQuestion(before);
  // A customer message may be longer than a phrasing may be (4000 vs 1000 characters); its start carries the ask.
  return {
    question: question?.slice(0, MAX_PHRASING_CHARS) || null,
    answer: replyAt >= 0 ? messages[replyAt]!.body : null,
  };
}

/** The LLM that would write phrasing suggestions, or null when none is configured (or its settings are wrong). */
function llmInfo(app: KnowledgeContext): { provider: string; model: string } | null {
  try {
    const { client } = app.llm();
    return { provider: client.provider, model: client.model };
  } catch {
    return null;
  }
}

function presentEscalateQuestion(q: EscalateQuestion) {
  return { id: q.id, text: q.text, note: q.note, createdBy: q.createdBy, createdAt: iso(q.createdAt) };
}

export function registerKbRoutes(server: FastifyInstance, app: KnowledgeContext): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/kb',
      summary: "An agent's knowledge base: FAQ entries, articles and the KB version",
      tags: ['kb'],
      permission: 'kb.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await knowledgeAgent(app, params.agent);
      const [entries, articles, escalate, version] = await Promise.all([
        listFaqs(app.db, agent.id),
        listArticles(app.db, agent.id),
        listEscalateQuestions(app.db, agent.id),
        kbVersion(app.db, agent.id),
      ]);
      return {
        entries: entries.map(presentFaq),
        articles: articles.map(presentArticle),
        escalate: escalate.map(presentEscalateQuestion),
        version,
        suggest: llmInfo(app),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/kb/entries.csv',
      summary: "An agent's FAQ entries as CSV (title, answer, phrasings one per line, tags, version)",
      tags: ['kb'],
      permission: 'kb.read',
      params: AgentParam,
    },
    async ({ params, reply }) => {
      const agent = await knowledgeAgent(app, params.agent);
      const entries = await listFaqs(app.db, agent.id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="twelve-kb-${agent.name}.csv"`)
        .send(faqEntriesCsv(entries));
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/kb/engine',
      summary:
        "What answers the agent's questions on this node (the KB version whose engine is in, and the one training), and on every running server (`nodes`)",
      tags: ['kb'],
      permission: 'kb.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await knowledgeAgent(app, params.agent);
      const [engine, nodes] = await Promise.all([
        app.knowledge.engines.status(app.db, agent.id),
        engineNodes(app.db, agent.id, app.nodeId),
      ]);
      return { engine, nodes };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/kb/health',
      summary:
        'How well the engine tells the entries apart: per entry, how many held-out phrasings it recognized while training, and the entries it takes for one another',
      tags: ['kb'],
      permission: 'kb.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await knowledgeAgent(app, params.agent);
      // The current version's engine: waits for its training (seconds on a large KB).
      const snap = await app.knowledge.engines.get(app.db, agent.id);
      return { version: snap.version, health: kbHealth(snap) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/kb/entries',
      summary: 'Create an FAQ entry (a canonical answer and the phrasings that ask for it)',
      tags: ['kb'],
      permission: 'kb.write',
      params: AgentParam,
      body: FaqInputSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await knowledgeAgent(app, params.agent);
      return { entry: presentFaq(await faqCreator(app, principal.actor, agent.id, body)) };
    },
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/kb/entries/:id',
      summary: 'Edit an FAQ entry (a new version); fields left out keep their value',
      tags: ['kb'],
      permission: 'kb.write',
      params: UuidParam,
      body: PatchBody,
    },
    async ({ params, body, principal }) => ({
      entry: presentFaq(await faqUpdater(app, principal.actor, params.id, body)),
    }),
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/kb/entries/:id',
      summary: 'Delete an FAQ entry (kept with its revisions; the agent stops using it)',
      tags: ['kb'],
      permission: 'kb.write',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      await faqDeleter(app, principal.actor, params.id);
      return { ok: true };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/kb/entries/:id/phrasings',
      summary: 'Add a phrasing to an FAQ entry',
      tags: ['kb'],
      permission: 'kb.write',
      params: UuidParam,
      body: PhrasingBody,
      status: 201,
    },
    async ({ params, body, principal }) => ({
      entry: presentFaq(
        await phrasingAdder(
          app,
          principal.actor,
          params.id,
          'phrasing' in body ? body.phrasing : body.phrasings,
        ),
      ),
    }),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/kb/escalate-questions',
      summary:
        'A question the agent must not answer (a wrong answer seen in the inbox): learned as one to escalate, so it and questions like it go to a person. 409 when it is a phrasing of an entry or listed already',
      tags: ['kb'],
      permission: 'kb.write',
      params: AgentParam,
      body: EscalateQuestionSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await knowledgeAgent(app, params.agent);
      const question = await escalateQuestionAdder(app, principal.actor, agent.id, body);
      return { question: presentEscalateQuestion(question), version: await kbVersion(app.db, agent.id) };
    },
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/kb/escalate-questions/:id',
      summary: 'Let the agent answer a question again that was set to go to a person',
      tags: ['kb'],
      permission: 'kb.write',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      await escalateQuestionDeleter(app, principal.actor, params.id);
      return { ok: true };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/kb/entries/:id/phrasing-suggestions',
      summary:
        "New phrasings of an FAQ entry written by the configured LLM, each with what the engine does with it today (nothing is added: a person picks, then POST …/phrasings). A cost against the agent's spend cap",
      tags: ['kb'],
      permission: 'kb.write',
      params: UuidParam,
      body: SuggestBody,
    },
    async ({ params, body, principal }) =>
      phrasingSuggester(app, principal.actor, params.id, body.count, body.contrast),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/kb/entries/:id/revisions',
      summary: 'Every version of an FAQ entry: snapshot, who edited it and when (deleted entries too)',
      tags: ['kb'],
      permission: 'kb.read',
      params: UuidParam,
    },
    async ({ params }) => {
      const [entry] = await app.db.query('SELECT id FROM kb_entries WHERE id = $1', [params.id]);
      if (!entry) throw new AppError('not_found', 'no such FAQ entry');
      const rows = await app.db.query<{
        version: number;
        snapshot: unknown;
        edited_by: string;
        created_at: Date;
      }>(
        'SELECT version, snapshot, edited_by, created_at FROM kb_revisions WHERE subject = $1 ORDER BY version DESC, id DESC',
        [`kb_entry:${params.id}`],
      );
      return {
        revisions: rows.map((r) => ({
          version: Number(r.version),
          snapshot: r.snapshot,
          editedBy: r.edited_by,
          createdAt: iso(r.created_at),
        })),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/kb/articles',
      summary: 'Import an article from Markdown, HTML or plain text; the same source again replaces it',
      tags: ['kb'],
      permission: 'kb.write',
      params: AgentParam,
      body: ArticleBody,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await knowledgeAgent(app, params.agent);
      const text = body.format === 'html' ? htmlToText(body.content) : body.content;
      if (!text.trim()) throw new AppError('validation_failed', 'the article has no text');
      const { article, changed } = await articleImporter(app, principal.actor, agent.id, {
        title: body.title,
        source: body.source,
        format: body.format,
        text,
      });
      return { article: presentArticle(article), changed };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/kb/files',
      summary:
        'Upload a document (PDF, Markdown, HTML or plain text) as an article: the file is the body, ?filename= names it; the same name again replaces it',
      tags: ['kb'],
      permission: 'kb.write',
      params: AgentParam,
      query: FileQuery,
      upload: {
        mediaTypes: Object.keys(DOCUMENT_MEDIA_TYPES),
        maxBytes: MAX_FILE_BYTES,
        description: `The file's bytes, at most ${MAX_FILE_BYTES / 1024 / 1024} MiB. The name's extension (${DOCUMENT_EXTENSIONS.join(', ')}) says the format; the Content-Type must agree with it (or be application/octet-stream), and the bytes must be what both say (a PDF starts with %PDF-). Text is decoded by its byte order mark, else the Content-Type's charset, else (HTML) its <meta charset>, else as UTF-8 when valid, else by detection (Windows-1252, ISO-8859-x, Shift_JIS, GB18030 …); the response's \`encoding\` says which was used, and a charset that is unknown, contradicted by the bytes or cannot be told is refused (415). The article, its passages, its revision and the audit event are written together or not at all.`,
      },
      status: 201,
    },
    async ({ params, query, raw, req, principal }) => {
      const agent = await knowledgeAgent(app, params.agent);
      const { article, changed, encoding } = await documentImporter(app, principal.actor, agent.id, {
        name: query.filename,
        data: raw!,
        contentType: req.headers['content-type'] ?? '',
      });
      return { article: presentArticle(article), changed, encoding };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/escalations/:id/to-kb',
      summary:
        "Grow the KB from the inbox: a new FAQ entry from the human's reply, or the customer's question as a phrasing",
      tags: ['kb', 'escalations'],
      permission: 'kb.write',
      params: UuidParam,
      body: ToKbBody,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const [row] = await app.db.query('SELECT * FROM escalations WHERE id = $1', [params.id]);
      if (!row) throw new AppError('not_found', 'no such escalation');
      const escalation = presentEscalationRow(row);
      const agent = assertHasKnowledge(app.knowledge, await findAgent(app.db, escalation.agentId));
      const exchange = lastExchange(await escalationTranscript(app.db, escalation));
      const question = body.question ?? exchange.question;
      if (body.mode === 'new') {
        const answer = body.answer ?? exchange.answer;
        if (!answer)
          throw new AppError(
            'invalid_state',
            'nobody has replied in this conversation yet: reply first, or send the answer',
          );
        const entry = await faqCreator(app, principal.actor, agent.id, {
          title: body.title,
          answer,
          phrasings: question ? [question] : [],
          tags: body.tags ?? [],
        });
        return { entry: presentFaq(entry) };
      }
      const target = await liveEntry(app.db, body.entryId);
      if (target.agentId !== agent.id)
        throw new AppError('not_found', "no such FAQ entry in this agent's KB");
      if (!question)
        throw new AppError('invalid_state', 'the conversation has no customer message to add as a phrasing');
      return { entry: presentFaq(await phrasingAdder(app, principal.actor, target.id, question)) };
    },
  );
}
