// Messages as the customer sees them: only what was sent to them plus their own words, each agent answer with the
// titles of the knowledge-base entries it came from (sources are stored as `faq:<id>` and
// `article:<articleId>#<passageId>`; the customer sees titles, never ids of internal rows they cannot open).
import type { TranscriptMessage } from '../../agents/support/conversations.ts';
import type { Queryable } from '../../store/db.ts';
import type { WireMessage, WireSource } from './protocol.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Outbound states a customer has received (channels may move 'sent' on to delivered/read). */
const DELIVERED = new Set(['sent', 'delivered', 'read']);

export function visibleToCustomer(m: Pick<TranscriptMessage, 'direction' | 'status'>): boolean {
  return m.direction === 'in' || DELIVERED.has(m.status);
}

function parseSource(source: string): { kind: 'faq' | 'article'; id: string } | null {
  const faq = /^faq:(.+)$/.exec(source);
  if (faq && UUID.test(faq[1]!)) return { kind: 'faq', id: faq[1]! };
  const article = /^article:([^#]+)(?:#.*)?$/.exec(source);
  if (article && UUID.test(article[1]!)) return { kind: 'article', id: article[1]! };
  return null;
}

/** Titles for every source in one query per kind; sources whose entry is unknown are left out. */
export async function sourceTitles(
  q: Queryable,
  agentId: string,
  sources: string[],
): Promise<Map<string, string>> {
  const faqIds = new Set<string>();
  const articleIds = new Set<string>();
  for (const s of sources) {
    const p = parseSource(s);
    if (p?.kind === 'faq') faqIds.add(p.id);
    else if (p?.kind === 'article') articleIds.add(p.id);
  }
  const titles = new Map<string, string>();
  if (faqIds.size) {
    const rows = await q.query<{ id: string; title: string }>(
      'SELECT id::text, title FROM kb_entries WHERE agent_id = $1 AND id = ANY($2::uuid[])',
      [agentId, [...faqIds]],
    );
    for (const r of rows) titles.set(`faq:${r.id}`, r.title);
  }
  if (articleIds.size) {
    const rows = await q.query<{ id: string; title: string }>(
      'SELECT id::text, title FROM kb_articles WHERE agent_id = $1 AND id = ANY($2::uuid[])',
      [agentId, [...articleIds]],
    );
    for (const r of rows) titles.set(`article:${r.id}`, r.title);
  }
  const out = new Map<string, string>();
  for (const s of sources) {
    const p = parseSource(s);
    const title = p && titles.get(`${p.kind}:${p.id}`);
    if (title) out.set(s, title);
  }
  return out;
}

/** Transcript rows → wire messages (customer-visible only), sources resolved to titles and de-duplicated. */
export async function presentMessages(
  q: Queryable,
  agentId: string,
  messages: TranscriptMessage[],
): Promise<WireMessage[]> {
  const visible = messages.filter(visibleToCustomer);
  const titles = await sourceTitles(
    q,
    agentId,
    visible.flatMap((m) => (m.author === 'agent' ? m.sources : [])),
  );
  return visible.map((m) => {
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
  });
}
