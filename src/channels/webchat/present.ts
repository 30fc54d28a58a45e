// Messages as the customer sees them: only what was sent to them plus their own words, each agent answer with the
// titles of what it came from, as the agent's kind names its sources (SourceTitles in conversations/sources.ts; a support
// agent's knowledge-base entries and articles): the customer sees titles, never ids of internal rows they cannot open.

import type { TranscriptMessage } from '../../conversations/conversations.ts';
import type { SourceTitles } from '../../conversations/sources.ts';
import type { Queryable } from '../../store/db.ts';
import type { WireMessage, WireSource } from './protocol.ts';

/** Outbound states a customer has received (channels may move 'sent' on to delivered/read). */
const DELIVERED = new Set(['sent', 'delivered', 'read']);

export function visibleToCustomer(m: Pick<TranscriptMessage, 'direction' | 'status'>): boolean {
  return m.direction === 'in' || DELIVERED.has(m.status);
}

/**
 * Transcript rows → wire messages (customer-visible only), sources resolved to titles by the agent's kind and
 * de-duplicated. When the kind holds every title in memory (`cached`: the snapshot that just answered), nothing is
 * read; otherwise they come from the database. Without `titles` (a kind that names no sources) none are shown.
 */
export async function presentMessages(
  q: Queryable,
  agentId: string,
  messages: TranscriptMessage[],
  titles?: SourceTitles,
): Promise<WireMessage[]> {
  const visible = messages.filter(visibleToCustomer);
  const sources = visible.flatMap((m) => (m.author === 'agent' ? m.sources : []));
  const named =
    !titles || sources.length === 0
      ? new Map<string, string>()
      : (titles.cached?.(agentId, sources) ?? (await titles.titles(q, agentId, sources)));
  return visible.map((m) => wireMessage(m, named));
}

/** The same titles, always read from the database (a transcript shown again may predate what memory holds). */
export function fromDatabase(titles: SourceTitles | undefined): SourceTitles | undefined {
  return titles && { titles: titles.titles };
}

function wireMessage(
  m: Pick<TranscriptMessage, 'id' | 'author' | 'body' | 'sources' | 'meta' | 'createdAt'>,
  titles: Map<string, string>,
): WireMessage {
  const sources: WireSource[] = [];
  const seen = new Set<string>();
  for (const s of m.author === 'agent' ? m.sources : []) {
    const title = titles.get(s);
    // Two passages of one article are one source to a reader.
    if (title && !seen.has(title)) {
      seen.add(title);
      sources.push({ id: s, title });
    }
  }
  const clientId = typeof m.meta.clientId === 'string' ? m.meta.clientId : undefined;
  return {
    id: m.id,
    author: m.author,
    text: m.body,
    sources,
    at: new Date(m.createdAt).toISOString(),
    ...(clientId && m.author === 'customer' ? { clientId } : {}),
  };
}

/**
 * What a live view has not shown yet: of the newest `limit` messages of the conversation, those the customer may see
 * and whose ids are not in `shown`, oldest first, as wire messages (titles resolved like presentMessages does, from
 * the database).
 */
export async function unseenMessages(
  q: Queryable,
  agentId: string,
  conversationId: string,
  shown: string[],
  limit = 50,
  titles?: SourceTitles,
): Promise<WireMessage[]> {
  const rows = await q.query<{
    id: string;
    author: TranscriptMessage['author'];
    direction: 'in' | 'out';
    status: string;
    body: string;
    sources: string[] | null;
    meta: Record<string, unknown> | null;
    created_at: Date;
  }>(
    `SELECT m.id, m.author, m.direction, m.status, m.body, m.sources, m.meta, m.created_at
     FROM (SELECT * FROM messages WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) m
     WHERE NOT (m.id = ANY ($3::uuid[])) AND (m.direction = 'in' OR m.status = ANY ($4::text[]))
     ORDER BY m.created_at, m.id`,
    [conversationId, limit, shown, [...DELIVERED]],
  );
  const messages = rows
    .map((r) => ({
      id: String(r.id),
      author: r.author,
      direction: r.direction,
      status: r.status,
      body: r.body,
      sources: r.sources ?? [],
      meta: r.meta ?? {},
      createdAt: r.created_at,
    }))
    .filter(visibleToCustomer);
  const sources = messages.flatMap((m) => (m.author === 'agent' ? m.sources : []));
  const named =
    !titles || sources.length === 0 ? new Map<string, string>() : await titles.titles(q, agentId, sources);
  return messages.map((m) => wireMessage(m, named));
}
