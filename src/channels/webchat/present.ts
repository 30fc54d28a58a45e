// Messages as the customer sees them: only what was sent to them plus their own words, each agent answer with the
// titles of the knowledge-base entries it came from (sources are stored as `faq:<id>` and
// `article:<articleId>#<passageId>`; the customer sees titles, never ids of internal rows they cannot open).

import type { KbSnapshot } from '../../agents/support/engine-cache.ts';
import { parseSource, sourceTitles } from '../../agents/support/sources.ts';
import type { TranscriptMessage } from '../../conversations/conversations.ts';
import type { Queryable } from '../../store/db.ts';
import type { WireMessage, WireSource } from './protocol.ts';

/** Outbound states a customer has received (channels may move 'sent' on to delivered/read). */
const DELIVERED = new Set(['sent', 'delivered', 'read']);

export function visibleToCustomer(m: Pick<TranscriptMessage, 'direction' | 'status'>): boolean {
  return m.direction === 'in' || DELIVERED.has(m.status);
}

/**
 * Transcript rows → wire messages (customer-visible only), sources resolved to titles and de-duplicated. With a
 * snapshot of the agent's KB that knows every source (the one that just answered), the titles come from it and
 * nothing is read; otherwise from the database.
 */
export async function presentMessages(
  q: Queryable,
  agentId: string,
  messages: TranscriptMessage[],
  snapshot?: KbSnapshot,
): Promise<WireMessage[]> {
  const visible = messages.filter(visibleToCustomer);
  const sources = visible.flatMap((m) => (m.author === 'agent' ? m.sources : []));
  const titles = (snapshot && titlesIn(snapshot, sources)) ?? (await sourceTitles(q, agentId, sources));
  return visible.map((m) => wireMessage(m, titles));
}

/** Every source's title from a KB snapshot, or null when the snapshot lacks one (or one cannot be parsed). */
function titlesIn(snapshot: KbSnapshot, sources: string[]): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const s of sources) {
    const p = parseSource(s);
    const title =
      p?.kind === 'faq'
        ? snapshot.answers.get(p.id)?.title
        : p?.kind === 'article'
          ? snapshot.articleTitles.get(p.id)
          : undefined;
    if (title === undefined) return null;
    out.set(s, title);
  }
  return out;
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

// parseSource as SQL patterns: the first group is the entry's or the article's id.
const UUID_SQL = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const FAQ_SQL = `^faq:(${UUID_SQL})$`;
const ARTICLE_SQL = `^article:(${UUID_SQL})(#[^\\n\\r]*)?$`;

/**
 * What a live view has not shown yet, in one statement: of the newest `limit` messages of the conversation, those
 * the customer may see and whose ids are not in `shown`, oldest first, as wire messages (titles resolved like
 * presentMessages does).
 */
export async function unseenMessages(
  q: Queryable,
  agentId: string,
  conversationId: string,
  shown: string[],
  limit = 50,
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
    titles: [string, string][] | null;
  }>(
    `SELECT m.id, m.author, m.direction, m.status, m.body, m.sources, m.meta, m.created_at,
       CASE WHEN m.author = 'agent' THEN (
         SELECT json_agg(json_build_array(s.src, t.title) ORDER BY s.n)
         FROM jsonb_array_elements_text(m.sources) WITH ORDINALITY AS s (src, n)
         CROSS JOIN LATERAL (
           SELECT e.title FROM kb_entries e WHERE e.agent_id = $2 AND e.id = substring(s.src FROM '${FAQ_SQL}')::uuid
           UNION ALL
           SELECT a.title FROM kb_articles a WHERE a.agent_id = $2 AND a.id = substring(s.src FROM '${ARTICLE_SQL}')::uuid
         ) t) END AS titles
     FROM (SELECT * FROM messages WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $3) m
     WHERE NOT (m.id = ANY ($4::uuid[])) AND (m.direction = 'in' OR m.status = ANY ($5::text[]))
     ORDER BY m.created_at, m.id`,
    [conversationId, agentId, limit, shown, [...DELIVERED]],
  );
  return rows
    .map((r) => ({
      id: String(r.id),
      author: r.author,
      direction: r.direction,
      status: r.status,
      body: r.body,
      sources: r.sources ?? [],
      meta: r.meta ?? {},
      createdAt: r.created_at,
      titles: new Map(r.titles ?? []),
    }))
    .filter(visibleToCustomer)
    .map((m) => wireMessage(m, m.titles));
}
