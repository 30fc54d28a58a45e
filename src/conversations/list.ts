// The Conversations view (issue 24): every conversation, searched (text, customer, the entry that answered) and
// filtered (agent, channel, outcome, confidence band, date), a page at a time, newest activity first; and the review
// queue: conversations whose answers a person should check (low confidence, a customer's thumbs down, or a
// deterministic 1-in-10 sample), until someone reviews them. Outcomes are the measurement's (metrics/outcomes.ts),
// one per conversation, so the view's counts add up to the overview's.
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { conversationOutcomeList, type Outcome } from '../metrics/outcomes.ts';
import type { Queryable } from '../store/db.ts';
import { customerQuestion } from './substantive.ts';

/** Confidence bands of a conversation's least confident agent reply (clarifications included; a hand-off notice is no reply). */
export const BANDS = { low: 0.6, high: 0.85 } as const;
export type Band = 'low' | 'medium' | 'high' | 'none';
/** One conversation in SAMPLE_EVERY (by a hash of its id, so the same ones every time) goes to the review queue. */
export const SAMPLE_EVERY = 10;

export type ReviewReason = 'low_confidence' | 'customer_unhappy' | 'sample';

export interface ConversationFilter {
  ids?: string[];
  text?: string;
  customer?: string;
  /** Sources (`faq:<id>`, `article:<id>`) one of which an agent message cited; [] matches none. */
  sources?: string[];
  agentId?: string;
  channel?: string;
  outcome?: Outcome;
  band?: Band;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Only the review queue: answered, not yet reviewed, and low, unhappy or sampled. */
  review?: boolean;
}

export interface ConversationRow {
  id: string;
  agent: { id: string; name: string; kind: string };
  channel: string;
  customer: string | null;
  subject: string | null;
  question: string | null;
  messages: number;
  minConfidence: number | null;
  band: Band;
  outcome: Outcome | null;
  satisfaction: 1 | -1 | null;
  review: { verdict: 'ok' | 'wrong'; by: string; at: Date } | null;
  reviewReasons: ReviewReason[];
  /** Sources the agent cited (the route names them). */
  sources: string[];
  escalation: { id: string; state: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

const likeOf = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const EPOCH = new Date('1970-01-01T00:00:00Z');
const END = new Date('9999-12-31T00:00:00Z');

/** Each conversation's outcome, for the agents and range asked (metrics/outcomes.ts, the measurement's rules). */
async function outcomesOf(q: Queryable, f: ConversationFilter, asOf: Date): Promise<Map<string, Outcome>> {
  const agents = f.agentId
    ? [f.agentId]
    : (await q.query<{ id: string }>('SELECT id FROM agents ORDER BY created_at')).map((a) => a.id);
  const range = { from: f.from ?? EPOCH, to: f.to ?? END };
  const out = new Map<string, Outcome>();
  for (const agentId of agents)
    for (const o of await conversationOutcomeList(q, agentId, range, asOf)) out.set(o.id, o.outcome);
  return out;
}

/**
 * The outcomes of a page's conversations only: per agent, over the span of their start times. The rules read later
 * messages of any conversation (metrics/outcomes.ts), so the narrower range gives each of them the same outcome,
 * without deciding every other conversation's too.
 */
async function pageOutcomes(
  q: Queryable,
  rows: { id: string; agentId: string; createdAt: Date }[],
  asOf: Date,
): Promise<Map<string, Outcome>> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const r of rows) {
    const t = r.createdAt.getTime();
    const s = spans.get(r.agentId) ?? { from: t, to: t };
    spans.set(r.agentId, { from: Math.min(s.from, t), to: Math.max(s.to, t) });
  }
  const out = new Map<string, Outcome>();
  for (const [agentId, span] of spans) {
    // Dates keep milliseconds, PostgreSQL microseconds: the end is one millisecond past the last start.
    const range = { from: new Date(span.from), to: new Date(span.to + 1) };
    for (const o of await conversationOutcomeList(q, agentId, range, asOf)) out.set(o.id, o.outcome);
  }
  return out;
}

/** The SQL condition of a review reason, over `c` (conversations) and `f` (its facts). */
const LOW = `f.min_conf < ${BANDS.low}`;
const UNHAPPY = 'c.satisfaction = -1';
const SAMPLED = `get_byte(decode(md5(c.id), 'hex'), 0) % ${SAMPLE_EVERY} = 0`;

function bandOf(minConfidence: number | null): Band {
  if (minConfidence === null) return 'none';
  if (minConfidence < BANDS.low) return 'low';
  if (minConfidence < BANDS.high) return 'medium';
  return 'high';
}

/** One page of conversations matching the filter, with the total; `asOf` decides the outcomes. */
export async function listConversations(
  q: Queryable,
  f: ConversationFilter,
  page: { offset: number; limit: number },
  asOf: Date,
): Promise<{ total: number; conversations: ConversationRow[]; outcomes: Map<string, Outcome> }> {
  // Filtering by outcome needs every conversation's; otherwise only the page's are decided (below).
  const filtered = f.outcome ? await outcomesOf(q, f, asOf) : null;
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.ids) where.push(`c.id = ANY(${p(f.ids)}::text[])`);
  if (f.agentId) where.push(`c.agent_id = ${p(f.agentId)}`);
  if (f.channel) where.push(`c.channel = ${p(f.channel)}`);
  if (f.from) where.push(`c.created_at >= ${p(f.from)}`);
  if (f.to) where.push(`c.created_at < ${p(f.to)}`);
  if (f.customer) {
    const like = p(likeOf(f.customer));
    where.push(`(c.customer_id ILIKE ${like} OR c.address ILIKE ${like})`);
  }
  if (f.text) {
    const like = p(likeOf(f.text));
    where.push(
      `(c.subject ILIKE ${like} OR EXISTS (SELECT 1 FROM messages t WHERE t.conversation_id = c.id AND t.body ILIKE ${like}))`,
    );
  }
  if (f.sources)
    where.push(`EXISTS (SELECT 1 FROM messages s, jsonb_array_elements_text(s.sources) src
      WHERE s.conversation_id = c.id AND s.author = 'agent' AND split_part(src, '#', 1) = ANY(${p(f.sources)}::text[]))`);
  if (f.outcome)
    where.push(
      `c.id = ANY(${p([...(filtered ?? [])].filter(([, o]) => o === f.outcome).map(([id]) => id))}::text[])`,
    );
  const outer: string[] = [];
  if (f.band === 'none') outer.push('f.min_conf IS NULL');
  else if (f.band === 'low') outer.push(LOW);
  else if (f.band === 'medium') outer.push(`f.min_conf >= ${BANDS.low} AND f.min_conf < ${BANDS.high}`);
  else if (f.band === 'high') outer.push(`f.min_conf >= ${BANDS.high}`);
  if (f.review) outer.push(`r.verdict IS NULL AND f.answered AND (${LOW} OR ${UNHAPPY} OR ${SAMPLED})`);
  const base = params.length;
  // The facts of a conversation (its least confident reply, messages, sources); computed for the page's rows, and for
  // every matching row only when a filter reads them (band, review queue).
  const facts = `(SELECT min(m.confidence) FILTER (WHERE m.author = 'agent' AND m.meta ? 'intent') AS min_conf,
       count(*)::int AS messages, bool_or(m.author = 'agent' AND m.direction = 'out') AS answered,
       coalesce(jsonb_agg(DISTINCT src) FILTER (WHERE src IS NOT NULL), '[]') AS sources
       FROM messages m LEFT JOIN LATERAL jsonb_array_elements_text(CASE WHEN m.author = 'agent' THEN m.sources END) src ON true
       WHERE m.conversation_id = c.id)`;
  const select = (offset: number, limit: number) =>
    q.query<Record<string, unknown>>(
      `SELECT c.id, c.channel, c.customer_id, c.address, c.subject, c.satisfaction, c.created_at, c.updated_at, c.total,
       a.id AS agent_id, a.name AS agent_name, a.kind AS agent_kind, f.min_conf, f.messages, f.answered, f.sources,
       r.verdict, r.reviewed_by, r.reviewed_at, ${LOW} AS is_low, ${UNHAPPY} AS is_unhappy, ${SAMPLED} AS is_sampled,
       e.id AS escalation_id, e.state AS escalation_state
     FROM (SELECT c.*, count(*) OVER () AS total FROM conversations c
       ${outer.length ? `CROSS JOIN LATERAL ${facts} f LEFT JOIN conversation_reviews r ON r.conversation_id = c.id` : ''}
       WHERE ${where.length ? where.join(' AND ') : 'true'} AND ${outer.length ? outer.join(' AND ') : 'true'}
       ORDER BY c.updated_at DESC, c.id DESC
       LIMIT $${base + 1} OFFSET $${base + 2}) c
     JOIN agents a ON a.id = c.agent_id
     CROSS JOIN LATERAL ${facts} f
     LEFT JOIN conversation_reviews r ON r.conversation_id = c.id
     LEFT JOIN LATERAL (SELECT id, state FROM escalations WHERE conversation_id = c.id ORDER BY created_at DESC LIMIT 1) e ON true
     ORDER BY c.updated_at DESC, c.id DESC`,
      [...params, limit, offset],
    );
  const rows = await select(page.offset, page.limit);
  // A page past the end has no row to carry the total: count on the first page.
  const total = rows.length
    ? Number(rows[0]!.total)
    : page.offset > 0
      ? Number((await select(0, 1))[0]?.total ?? 0)
      : 0;
  const outcomes =
    filtered ??
    (await pageOutcomes(
      q,
      rows.map((r) => ({ id: String(r.id), agentId: String(r.agent_id), createdAt: r.created_at as Date })),
      asOf,
    ));
  const asked = await customerLines(
    q,
    rows.map((r) => String(r.id)),
  );
  const conversations = rows.map((r): ConversationRow => {
    const id = String(r.id);
    const minConfidence = r.min_conf === null || r.min_conf === undefined ? null : Number(r.min_conf);
    const answered = r.answered === true;
    const reasons: ReviewReason[] = [];
    if (answered && r.is_low === true) reasons.push('low_confidence');
    if (answered && r.is_unhappy === true) reasons.push('customer_unhappy');
    if (answered && r.is_sampled === true) reasons.push('sample');
    return {
      id,
      agent: { id: String(r.agent_id), name: String(r.agent_name), kind: String(r.agent_kind) },
      channel: String(r.channel),
      customer: (r.address as string | null) ?? (r.customer_id as string | null) ?? null,
      subject: (r.subject as string | null) ?? null,
      question: customerQuestion(
        (asked.get(id) ?? []).map((body) => ({ author: 'customer', direction: 'in', body })),
      ),
      messages: Number(r.messages),
      minConfidence,
      band: bandOf(minConfidence),
      outcome: outcomes.get(id) ?? null,
      satisfaction:
        r.satisfaction === null || r.satisfaction === undefined ? null : (Number(r.satisfaction) as 1 | -1),
      review: r.verdict
        ? { verdict: r.verdict as 'ok' | 'wrong', by: String(r.reviewed_by), at: r.reviewed_at as Date }
        : null,
      reviewReasons: reasons,
      sources: (r.sources as string[]) ?? [],
      escalation: r.escalation_id ? { id: String(r.escalation_id), state: String(r.escalation_state) } : null,
      createdAt: r.created_at as Date,
      updatedAt: r.updated_at as Date,
    };
  });
  return { total, conversations, outcomes };
}

/** The latest customer messages of each conversation, oldest first (to find its question). */
async function customerLines(q: Queryable, ids: string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; asked: string[] | null }>(
    `SELECT c.id, (SELECT array_agg(body ORDER BY created_at, id) FROM (SELECT body, created_at, id FROM messages
        WHERE conversation_id = c.id AND direction = 'in' AND author = 'customer'
        ORDER BY created_at DESC, id DESC LIMIT 30) m) AS asked
     FROM conversations c WHERE c.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.asked ?? []]));
}

/** A person checked the agent's answers in a conversation: fine, or wrong. It leaves the review queue. */
export async function conversationReviewer(
  svc: Pick<Services, 'db' | 'audit' | 'clock'>,
  actor: Actor,
  conversationId: string,
  verdict: 'ok' | 'wrong',
): Promise<{ verdict: 'ok' | 'wrong'; by: string; at: Date }> {
  return svc.db.transaction(async (tx) => {
    const [conv] = await tx.query<{ agent_id: string }>('SELECT agent_id FROM conversations WHERE id = $1', [
      conversationId,
    ]);
    if (!conv) throw new AppError('not_found', 'no such conversation');
    const at = svc.clock.now();
    await tx.query(
      `INSERT INTO conversation_reviews (conversation_id, verdict, reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id) DO UPDATE SET verdict = $2, reviewed_by = $3, reviewed_at = $4`,
      [conversationId, verdict, actor, at],
    );
    await svc.audit.append(
      {
        stream: `agent:${conv.agent_id}`,
        actor,
        action: 'conversation.reviewed',
        subject: `conversation:${conversationId}`,
        payload: { verdict },
      },
      tx,
    );
    return { verdict, by: actor, at };
  });
}

export interface AgentSatisfaction {
  agent: { id: string; name: string; displayName: string };
  up: number;
  down: number;
  /** Conversations in the range (rated or not). */
  conversations: number;
}

/** Per agent: how many customers said a conversation started in the range helped, or not. */
export async function satisfactionByAgent(
  q: Queryable,
  range: { from?: Date; to?: Date },
): Promise<AgentSatisfaction[]> {
  const rows = await q.query<{
    id: string;
    name: string;
    display_name: string;
    up: number;
    down: number;
    conversations: number;
  }>(
    `SELECT a.id, a.name, a.display_name, count(*) FILTER (WHERE c.satisfaction = 1)::int AS up,
       count(*) FILTER (WHERE c.satisfaction = -1)::int AS down, count(c.id)::int AS conversations
     FROM agents a LEFT JOIN conversations c ON c.agent_id = a.id AND c.created_at >= $1 AND c.created_at < $2
     GROUP BY a.id ORDER BY a.name`,
    [range.from ?? EPOCH, range.to ?? END],
  );
  return rows.map((r) => ({
    agent: { id: r.id, name: r.name, displayName: r.display_name },
    up: r.up,
    down: r.down,
    conversations: r.conversations,
  }));
}
