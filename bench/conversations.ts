// Conversations suite: the Conversations view's list (src/conversations/list.ts) over BENCH_CONVERSATIONS seeded
// conversations of one agent (default 5000; 4 messages each: question, answer with a confidence and a source, a
// follow-up, its answer), on PGlite and on a PostgreSQL server. Scenarios, each timed BENCH_ROUNDS times (default 20):
//   baseline   the bare page query: SELECT … FROM conversations ORDER BY updated_at DESC LIMIT 25;
//   page       GET /api/conversations's first page, unfiltered (outcomes decided for the page only);
//   search     the same with a text search (ILIKE over every message);
//   outcome    filtered by outcome (every conversation's outcome decided, then the page);
//   review     the review queue.
// Figures are ratios to the baseline in the same run (p50 of each), so a shared machine's drift hits both.
// Environment: BENCH_CONVERSATIONS, BENCH_ROUNDS, BENCH_DRIVERS (default "pglite,pg"), BENCH_DATABASE_URL.
import { performance } from 'node:perf_hooks';
import { listConversations } from '../src/conversations/list.ts';
import type { Db } from '../src/store/db.ts';
import { openTarget } from './db.ts';
import { round, type ScenarioResult, type Suite, summarize, table } from './stats.ts';

const N = Number(process.env.BENCH_CONVERSATIONS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pglite,pg').split(',').map((d) => d.trim());

async function seed(db: Db): Promise<string> {
  const [agent] = await db.query<{ id: string }>(
    `INSERT INTO agents (name, display_name, kind) VALUES ('bench', 'Bench', 'support') RETURNING id`,
  );
  const id = agent!.id;
  await db.query(
    `INSERT INTO conversations (id, agent_id, channel, customer_id, created_at, updated_at)
     SELECT 'c_' || i, $1, CASE WHEN i % 3 = 0 THEN 'email' ELSE 'webchat' END, 'visitor-' || (i % 997),
       now() - make_interval(mins => i * 7), now() - make_interval(mins => i * 7 - 3)
     FROM generate_series(1, $2::int) i`,
    [id, N],
  );
  await db.query(
    `INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, confidence, sources, meta, created_at)
     SELECT $1, 'c_' || i, d.direction, d.author, d.status,
       CASE d.k WHEN 0 THEN 'question number ' || i || ' about wheels' WHEN 2 THEN 'and the price of tyres?' ELSE 'An answer.' END,
       CASE WHEN d.author = 'agent' THEN ((i * 37) % 100) / 100.0 END,
       CASE WHEN d.author = 'agent' THEN '["faq:00000000-0000-4000-8000-000000000001"]'::jsonb ELSE '[]'::jsonb END,
       CASE WHEN d.author = 'agent' THEN jsonb_build_object('intent', 'answer', 'topic', 't' || (i % 40)) ELSE '{}'::jsonb END,
       now() - make_interval(mins => i * 7) + make_interval(secs => d.k)
     FROM generate_series(1, $2::int) i,
       (VALUES (0, 'in', 'customer', 'received'), (1, 'out', 'agent', 'sent'), (2, 'in', 'customer', 'received'),
               (3, 'out', 'agent', 'sent')) d(k, direction, author, status)`,
    [id, N],
  );
  await db.query('ANALYZE');
  return id;
}

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export const suite: Suite = {
  name: 'conversations',
  description: `the Conversations list over ${N} conversations: page, search, outcome filter, review queue vs the bare page query`,
  async run() {
    const results: ScenarioResult[] = [];
    for (const driver of DRIVERS) {
      const target = await openTarget(driver, 'bench_conv', 4);
      if (!target) continue;
      try {
        const agentId = await seed(target.db);
        const now = new Date();
        const page = { offset: 0, limit: 25 };
        const list = (f: Parameters<typeof listConversations>[1]) => () =>
          listConversations(target.db, { agentId, ...f }, page, now);
        const scenarios: [string, () => Promise<unknown>][] = [
          [
            'baseline',
            () =>
              target.db.query(
                'SELECT * FROM conversations WHERE agent_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 25',
                [agentId],
              ),
          ],
          ['page', list({})],
          ['search', list({ text: 'tyres' })],
          ['outcome', list({ outcome: 'resolvedByAi' })],
          ['review', list({ review: true })],
        ];
        const rows: (string | number)[][] = [];
        let base = Number.NaN;
        for (const [name, fn] of scenarios) {
          const s = summarize(await time(fn));
          if (name === 'baseline') base = s.p50;
          const ratio = s.p50 / base;
          rows.push([name, round(s.p50, 2), round(s.p90, 2), round(ratio, 1)]);
          results.push({
            suite: 'conversations',
            scenario: `${driver}:${name}`,
            conversations: N,
            p50Ms: round(s.p50, 2),
            p90Ms: round(s.p90, 2),
            ratioToBaseline: round(ratio, 1),
          });
        }
        console.log(`${driver}, ${N} conversations, ${ROUNDS} rounds`);
        console.log(table(['scenario', 'p50 ms', 'p90 ms', '× baseline'], rows));
      } finally {
        await target.cleanup();
      }
    }
    return results;
  },
};
