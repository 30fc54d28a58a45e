// What a turn shows the customer without reading it back: the messages the runtime reports as written, source
// titles from the KB snapshot that answered, and a database read only when the snapshot does not know a source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  faqUpdater,
  listArticles,
  listFaqs,
  sourceTitles,
  supportOf,
  titlesIn,
} from '../../../test/support/agents.ts';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { northwindAgent, northwindShadowAgent } from '../../../test/support/webchat.ts';
import { type App, createApp } from '../../app.ts';
import { conversationOpener, customerMessageHandler } from '../../conversations/conversations.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { presentMessages } from './present.ts';

let db: TestDb;
let app: App;
let agent: AgentConfig;

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
  agent = await northwindAgent(app, 'northwind');
});
afterAll(() => db.dispose());

function counting(q: Queryable): { q: Queryable; reads: () => number } {
  let n = 0;
  return {
    q: {
      query: (sql, params) => {
        n++;
        return q.query(sql, params);
      },
      exec: (sql) => {
        n++;
        return q.exec(sql);
      },
    },
    reads: () => n,
  };
}

async function turn(text: string) {
  const { conversation } = await conversationOpener(app, { agentId: agent.id, channel: 'webchat' });
  return customerMessageHandler(app, { conversation, text, clientId: 'c1' });
}

describe('the messages a turn wrote', () => {
  it('are the stored rows: the customer message, then the answer, with ids, bodies, sources and times', async () => {
    const result = await turn('How much is delivery?');
    expect(result.written?.map((m) => [m.direction, m.author, m.status])).toEqual([
      ['in', 'customer', 'received'],
      ['out', 'agent', 'sent'],
    ]);
    const stored = await db.query<Record<string, unknown>>(
      'SELECT id, body, sources, meta, created_at FROM messages WHERE run_id = $1 ORDER BY created_at, direction',
      [result.run!.id],
    );
    expect(stored.map((r) => String(r.id))).toEqual(result.written!.map((m) => m.id));
    for (const [i, m] of result.written!.entries()) {
      expect(m.body).toBe(stored[i]!.body);
      expect(m.sources).toEqual(stored[i]!.sources ?? []);
      expect(m.meta).toEqual(stored[i]!.meta);
      expect(m.createdAt.getTime()).toBe(new Date(stored[i]!.created_at as Date).getTime());
    }
    expect(result.written![0]!.meta).toEqual({ clientId: 'c1' });
    expect(result.written![1]!.sources.length).toBeGreaterThan(0);
  });

  it('are shown with the titles of the snapshot that answered, reading nothing, and they match the database', async () => {
    const result = await turn('What does the frame warranty cover?');
    const answer = result.written!.at(-1)!;
    expect(answer.sources.some((s) => s.startsWith('article:'))).toBe(true);
    const c = counting(db);
    const shown = await presentMessages(c.q, agent.id, result.written!, supportOf(app).sources);
    expect(c.reads()).toBe(0);
    const fromDb = await sourceTitles(db, agent.id, answer.sources);
    expect(shown.at(-1)!.sources.map((s) => s.title)).toEqual(
      [...new Set(answer.sources.map((s) => fromDb.get(s)))].filter(Boolean),
    );
    expect(shown.map((m) => m.author)).toEqual(['customer', 'agent']);
  });

  it('reads the titles when the snapshot lacks a source (an entry added since), and shows them', async () => {
    const snapshot = app.knowledge.engines.latest(agent.id)!;
    const [faq] = await listFaqs(db, agent.id);
    const [article] = await listArticles(db, agent.id);
    const missing = { ...snapshot, answers: new Map(), articleTitles: new Map() };
    const message = {
      id: '00000000-0000-4000-8000-000000000001',
      direction: 'out' as const,
      author: 'agent' as const,
      status: 'sent',
      body: 'see these',
      sources: [`faq:${faq!.id}`, `article:${article!.id}#p1`],
      meta: {},
      createdAt: new Date(),
    };
    const c = counting(db);
    const shown = await presentMessages(c.q, agent.id, [message], {
      titles: sourceTitles,
      cached: (_, sources) => titlesIn(missing, sources),
    });
    expect(c.reads()).toBeGreaterThan(0);
    expect(shown[0]!.sources.map((s) => s.title)).toEqual([faq!.title, article!.title]);
  });

  it('shows a renamed entry under its new title on the next answer', async () => {
    const first = await turn('Do you sell gift cards?');
    const source = first.written!.at(-1)!.sources[0]!;
    const id = source.slice('faq:'.length);
    await faqUpdater(app, 'user:admin@example.com', id, { title: 'Gift vouchers and cards' });
    const second = await turn('Do you sell gift cards?');
    expect(second.written!.at(-1)!.sources[0]).toBe(source);
    const shown = await presentMessages(db, agent.id, second.written!, supportOf(app).sources);
    expect(shown.at(-1)!.sources[0]!.title).toBe('Gift vouchers and cards');
  });

  it('include a draft with its status, which the customer is not shown (shadow mode)', async () => {
    const shadow = await northwindShadowAgent(app);
    const { conversation } = await conversationOpener(app, { agentId: shadow.id, channel: 'webchat' });
    const result = await customerMessageHandler(app, { conversation, text: 'How much is delivery?' });
    expect(result.written?.map((m) => m.status)).toEqual(['received', 'draft']);
    const shown = await presentMessages(db, shadow.id, result.written!, supportOf(app).sources);
    expect(shown.map((m) => m.author)).toEqual(['customer']);
  });
});
