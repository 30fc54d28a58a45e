// Where an agent's answer came from: sources are stored as `faq:<entryId>` and `article:<articleId>#<passageId>`;
// people (the customer in the widget, a person in the inbox) see the entries' and articles' titles instead.
import type { Queryable } from '../store/db.ts';
import type { KbSnapshot } from './engine-cache.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `passageId`: an article source's passage, when it names one. */
export function parseSource(
  source: string,
): { kind: 'faq' | 'article'; id: string; passageId?: string } | null {
  const faq = /^faq:(.+)$/.exec(source);
  if (faq && UUID.test(faq[1]!)) return { kind: 'faq', id: faq[1]! };
  const article = /^article:([^#]+)(?:#(.*))?$/.exec(source);
  if (!article || !UUID.test(article[1]!)) return null;
  const passage = article[2];
  return passage && UUID.test(passage)
    ? { kind: 'article', id: article[1]!, passageId: passage }
    : { kind: 'article', id: article[1]! };
}

/**
 * Titles for every source in one query per kind; sources whose entry is unknown are left out. With `sections`, an
 * article source names its section too ("Warranty — How to make a claim"), for the person in the inbox judging the
 * answer; the customer sees the article's title.
 */
export async function sourceTitles(
  q: Queryable,
  agentId: string,
  sources: string[],
  options: { sections?: boolean } = {},
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
  const headings = new Map<string, string>();
  const passageIds = options.sections
    ? [...new Set(sources.flatMap((s) => parseSource(s)?.passageId ?? []))]
    : [];
  if (passageIds.length) {
    const rows = await q.query<{ id: string; heading: string }>(
      'SELECT id::text, heading FROM kb_passages WHERE agent_id = $1 AND id = ANY($2::uuid[])',
      [agentId, passageIds],
    );
    for (const r of rows) if (r.heading) headings.set(r.id, r.heading);
  }
  const out = new Map<string, string>();
  for (const s of sources) {
    const p = parseSource(s);
    const title = p && titles.get(`${p.kind}:${p.id}`);
    if (!title) continue;
    const heading = p.passageId ? headings.get(p.passageId) : undefined;
    out.set(s, heading && heading !== title ? `${title} — ${heading}` : title);
  }
  return out;
}

/** Every source's title from a KB snapshot, or null when the snapshot lacks one (or one cannot be parsed). */
export function titlesIn(snapshot: KbSnapshot, sources: string[]): Map<string, string> | null {
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
