// The Conversations view's API (issue 24): every conversation, searched and filtered, a page at a time (server-side);
// the review queue and a person's verdict; one conversation with its transcript (each answer's sources by title and
// confidence); the CSV export of the same filter, streamed. Outcomes are the measurement's, one per conversation.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { findConversation } from '../../conversations/conversations.ts';
import {
  type ConversationFilter,
  conversationReviewer,
  listConversations,
  satisfactionByAgent,
} from '../../conversations/list.ts';
import { AppError } from '../../errors.ts';
import { sourcesTitled } from '../../knowledge/kb.ts';
import { OUTCOMES } from '../../metrics/outcomes.ts';
import { findAgent, listAgents } from '../../runtime/agents.ts';
import { presentMessageRow } from '../../runtime/escalations.ts';
import { csvStream } from '../csv.ts';
import { route } from '../http.ts';
import { presentMessage } from '../presenters.ts';

const DAY = 86_400_000;
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .transform((s, ctx) => {
    const d = new Date(`${s}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
      ctx.addIssue({ code: 'custom', message: 'not a calendar date' });
      return z.NEVER;
    }
    return d;
  });

const Filter = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  customer: z.string().trim().min(1).max(200).optional(),
  entry: z.string().trim().min(1).max(200).optional(),
  agent: z.string().min(1).max(100).optional(),
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a channel name such as webchat or email')
    .optional(),
  outcome: z.enum(OUTCOMES).optional(),
  band: z.enum(['low', 'medium', 'high', 'none']).optional(),
  from: day.optional(),
  /** Inclusive: the conversations started on that day count. */
  to: day.optional(),
  review: z.enum(['true', 'false']).optional(),
});
const ListQuery = Filter.extend({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(25),
}).strict();
/** Conversation ids are the channel's: c_<uuid> (web chat), e_/w_<uuid> (email, WhatsApp), v_<call id> (voice). */
const ConversationParam = z
  .object({ id: z.string().regex(/^[\w.:@-]{1,100}$/, 'a conversation id such as c_<uuid>') })
  .strict();
const ReviewBody = z.object({ verdict: z.enum(['ok', 'wrong']) }).strict();

type FilterQuery = z.infer<typeof Filter>;

async function filterOf(app: App, query: FilterQuery): Promise<ConversationFilter> {
  if (query.from && query.to && query.to < query.from)
    throw new AppError('validation_failed', 'the range ends before it starts', { field: 'to' });
  const f: ConversationFilter = {
    text: query.q,
    customer: query.customer,
    channel: query.channel,
    outcome: query.outcome,
    band: query.band,
    from: query.from,
    to: query.to ? new Date(query.to.getTime() + DAY) : undefined,
    review: query.review === 'true',
  };
  if (query.agent) f.agentId = (await findAgent(app.db, query.agent)).id;
  if (query.entry) {
    // An entry's source id as it is stored, or the entries and articles whose title contains the text.
    f.sources = /^(faq|article):[0-9a-f-]{36}$/.test(query.entry)
      ? [query.entry]
      : await sourcesTitled(app.db, query.entry);
  }
  return f;
}

/** The titles of every source cited on the page, per agent, as each agent's kind names them. */
async function sourceTitles(app: App, rows: { agent: { id: string; kind: string }; sources: string[] }[]) {
  const byAgent = new Map<string, { kind: string; sources: Set<string> }>();
  for (const r of rows) {
    const a = byAgent.get(r.agent.id) ?? { kind: r.agent.kind, sources: new Set<string>() };
    for (const s of r.sources) a.sources.add(s);
    byAgent.set(r.agent.id, a);
  }
  const titles = new Map<string, string>();
  for (const [agentId, { kind, sources }] of byAgent) {
    const named = app.kinds.get(kind)?.sources;
    if (!named || sources.size === 0) continue;
    for (const [s, t] of await named.titles(app.db, agentId, [...sources])) titles.set(s, t);
  }
  return titles;
}

export function registerConversationRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/conversations',
      summary:
        'Every conversation, newest activity first: search (q, customer, entry), filters (agent, channel, outcome, band, from, to), the review queue (review=true); a page at a time',
      tags: ['conversations'],
      permission: 'conversations.read',
      query: ListQuery,
    },
    async ({ query }) => {
      const filter = await filterOf(app, query);
      const { total, conversations } = await listConversations(
        app.db,
        filter,
        { offset: (query.page - 1) * query.limit, limit: query.limit },
        app.clock.now(),
      );
      const titles = await sourceTitles(app, conversations);
      return {
        total,
        page: query.page,
        limit: query.limit,
        pages: Math.max(1, Math.ceil(total / query.limit)),
        conversations: conversations.map((c) => ({
          ...c,
          entries: [...new Set(c.sources.map((s) => titles.get(s)).filter((t): t is string => !!t))],
          review: c.review ? { ...c.review, at: c.review.at.toISOString() } : null,
          createdAt: c.createdAt.toISOString(),
          updatedAt: c.updatedAt.toISOString(),
        })),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/conversations/csv',
      summary: 'The conversations matching the same filters as CSV, streamed (one row per conversation)',
      tags: ['conversations'],
      permission: 'conversations.export',
      query: Filter.strict(),
    },
    async ({ query, reply }) => {
      const filter = await filterOf(app, query);
      const asOf = app.clock.now();
      const PAGE = 500;
      const stream = csvStream(
        [
          'id',
          'agent',
          'channel',
          'customer',
          'started_at',
          'last_activity_at',
          'messages',
          'outcome',
          'min_confidence',
          'band',
          'satisfaction',
          'review',
          'question',
          'entries',
        ],
        async function* () {
          for (let offset = 0; ; offset += PAGE) {
            const { conversations } = await listConversations(app.db, filter, { offset, limit: PAGE }, asOf);
            const titles = await sourceTitles(app, conversations);
            yield conversations.map((c) => [
              c.id,
              c.agent.name,
              c.channel,
              c.customer,
              c.createdAt,
              c.updatedAt,
              c.messages,
              c.outcome,
              c.minConfidence === null ? null : c.minConfidence.toFixed(3),
              c.band,
              c.satisfaction === 1 ? 'up' : c.satisfaction === -1 ? 'down' : null,
              c.review?.verdict ?? null,
              c.question,
              [...new Set(c.sources.map((s) => titles.get(s)).filter(Boolean))].join(' | '),
            ]);
            if (conversations.length < PAGE) return;
          }
        },
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="twelve-conversations.csv"')
        .send(stream);
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/conversations/satisfaction',
      summary:
        'Per agent: conversations started in from..to whose customer said they helped (up) or not (down)',
      tags: ['conversations'],
      permission: 'conversations.read',
      query: z.object({ from: day.optional(), to: day.optional() }).strict(),
    },
    async ({ query }) => {
      if (query.from && query.to && query.to < query.from)
        throw new AppError('validation_failed', 'the range ends before it starts', { field: 'to' });
      const agents = await satisfactionByAgent(app.db, {
        from: query.from,
        to: query.to ? new Date(query.to.getTime() + DAY) : undefined,
      });
      return { agents };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/conversations/:id',
      summary:
        'One conversation: its agent, outcome and review, and the transcript with each answer’s sources',
      tags: ['conversations'],
      permission: 'conversations.read',
      params: ConversationParam,
    },
    async ({ params }) => {
      const conversation = await findConversation(app.db, params.id);
      if (!conversation) throw new AppError('not_found', 'no such conversation');
      const agent = (await listAgents(app.db)).find((a) => a.id === conversation.agentId);
      if (!agent) throw new AppError('not_found', 'no such conversation');
      const [{ conversations }, rows] = await Promise.all([
        listConversations(
          app.db,
          {
            ids: [conversation.id],
            agentId: agent.id,
            // The outcome rules read the conversation's own range (PostgreSQL keeps microseconds, Date milliseconds).
            from: conversation.createdAt,
            to: new Date(conversation.createdAt.getTime() + 1),
          },
          { offset: 0, limit: 1 },
          app.clock.now(),
        ),
        app.db.query('SELECT * FROM messages WHERE conversation_id = $1 ORDER BY created_at, id LIMIT 500', [
          conversation.id,
        ]),
      ]);
      const row = conversations.find((c) => c.id === conversation.id);
      const messages = rows.map(presentMessageRow);
      const sources = messages.flatMap((m) => (m.author === 'agent' ? m.sources : []));
      const named = app.kinds.get(agent.kind)?.sources;
      const titles =
        named && sources.length
          ? await named.titles(app.db, agent.id, sources, { sections: true })
          : new Map();
      return {
        conversation: {
          id: conversation.id,
          channel: conversation.channel,
          customer: row?.customer ?? conversation.customerId,
          question: row?.question ?? null,
          outcome: row?.outcome ?? null,
          band: row?.band ?? 'none',
          minConfidence: row?.minConfidence ?? null,
          satisfaction: row?.satisfaction ?? null,
          review: row?.review ? { ...row.review, at: row.review.at.toISOString() } : null,
          reviewReasons: row?.reviewReasons ?? [],
          escalation: row?.escalation ?? null,
          createdAt: conversation.createdAt.toISOString(),
        },
        agent: { id: agent.id, name: agent.name, displayName: agent.displayName, kind: agent.kind },
        messages: messages.map((m) => ({
          ...presentMessage(m),
          sourceTitles: [...new Set(m.sources.flatMap((s) => titles.get(s) ?? []))],
        })),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/conversations/:id/review',
      summary:
        'Mark the agent’s answers in a conversation checked: fine (ok) or wrong; it leaves the review queue',
      tags: ['conversations'],
      permission: 'conversations.review',
      params: ConversationParam,
      body: ReviewBody,
    },
    async ({ params, body, principal }) => {
      const review = await conversationReviewer(app, principal.actor, params.id, body.verdict);
      return { review: { ...review, at: review.at.toISOString() } };
    },
  );
}
