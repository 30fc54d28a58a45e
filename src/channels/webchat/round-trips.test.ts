// The database round trips of one web chat turn, counted on the app's own Db (statements, plus BEGIN and COMMIT of
// every transaction, as the support bench counts them). A regression guard for the hot path: a turn the agent
// answers is two statements (the run's birth, which also checks that no human has the conversation and that the
// clientId is new, and reads the conversation's last reply: was it a request to rephrase? two in a row go to a
// person; the final reply), pushed to the socket as the runtime wrote them, source titles from the KB snapshot that
// answered (no read back); a request to rephrase is two statements as well, and the event about the agent's own
// answer costs the socket that pushed it nothing. The turn's touch of its conversation stays HOT-eligible (migration
// 012).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLARIFY_TEXT } from '../../../test/support/agents.ts';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { ChatClient, type Frame, northwindAgent } from '../../../test/support/webchat.ts';
import { type App, createApp } from '../../app.ts';
import { type EventBus, openEventBus, type TwelveEvent } from '../../events/bus.ts';
import { buildServer } from '../../server/server.ts';
import type { Db, Queryable } from '../../store/db.ts';

interface Counter {
  trips: number;
  statements: string[];
}

// The shared per-IP limiter adds its counts to PostgreSQL on a timer (every 200 ms), whatever a turn does: its
// statement lands inside a turn now and then, and is not the turn's.
const background = (sql: string) => sql.includes('rate_limit_hits');

function counted(q: Queryable, c: Counter): Queryable {
  return {
    query(sql, params) {
      if (background(sql)) return q.query(sql, params);
      c.trips++;
      c.statements.push(sql.replace(/\s+/g, ' ').trim().slice(0, 60));
      return q.query(sql, params);
    },
    exec(sql) {
      c.trips++;
      c.statements.push(sql.slice(0, 60));
      return q.exec(sql);
    },
  };
}

function countingDb(db: Db, c: Counter): Db {
  const base = counted(db, c);
  return {
    driver: db.driver,
    ...(db.pglite ? { pglite: db.pglite } : {}),
    ...(db.pool ? { pool: db.pool } : {}),
    query: base.query,
    exec: base.exec,
    transaction(fn) {
      c.trips += 2; // BEGIN, COMMIT
      c.statements.push('BEGIN … COMMIT');
      return db.transaction((tx) => fn(counted(tx, c)));
    },
    close: () => db.close(),
  };
}

const counter: Counter = { trips: 0, statements: [] };
let db: TestDb;
let app: App;
let bus: EventBus;
let server: FastifyInstance;
let url = '';
const sent: string[] = [];

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(countingDb(db, counter));
  await northwindAgent(app, 'northwind');
  bus = await openEventBus(app.db);
  bus.subscribe((e: TwelveEvent) => {
    if (e.type === 'message.sent' && typeof e.messageId === 'string') sent.push(e.messageId);
  });
  server = await buildServer(app, { logLevel: 'silent', events: bus });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/webchat/northwind/socket`;
});
afterAll(async () => {
  await server.close();
  await bus.close();
  await db.dispose();
});

const isAgent = (f: Frame) => f.type === 'message' && f.author === 'agent';

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
}

describe('web chat turn round trips', () => {
  it('answers a question in two statements (and its event), and the event costs its own socket nothing', async () => {
    const client = await ChatClient.open(url);
    client.send({ type: 'hello' });
    await client.type('welcome');
    // The first turn fills the node's caches (the agent and its mode, the trained engine).
    client.send({ type: 'message', text: 'what time do you open on monday', clientId: 'warm' });
    await client.next(isAgent);
    await until(() => sent.length === 1);

    const questions = [
      'When are you open?',
      'How much is delivery?',
      'Do you sell gift cards?',
      'xyzzy plugh',
    ];
    const perTurn: string[] = [];
    for (const [i, text] of questions.entries()) {
      counter.trips = 0;
      counter.statements = [];
      client.send({ type: 'message', text, clientId: `q-${i}` });
      const echo = await client.next((f) => f.type === 'message' && f.author === 'customer');
      expect(echo).toMatchObject({ text, clientId: `q-${i}` });
      const answer = await client.next(isAgent);
      // The bus has delivered this answer's event (to the hub as well: one fanout); a frame sent now is handled
      // after the refresh it queued, and a rejected hello reads nothing itself.
      await until(() => sent.includes(String(answer.id)));
      client.send({ type: 'hello' });
      await client.next((f) => f.type === 'error' && f.id === 'validation_failed');
      const kind = answer.text === CLARIFY_TEXT ? 'clarify' : 'answer';
      if (kind === 'answer') expect(answer.sources).not.toEqual([]);
      // Besides the turn's two statements, its event goes after the commit (AfterCommitNotifier), in a statement
      // shared by the turns that finish together: one here, as these turns come one at a time.
      const notifies = counter.statements.filter((sql) => sql.includes('pg_notify'));
      expect(notifies, counter.statements.join('\n')).toHaveLength(1);
      const trips = counter.trips - notifies.length;
      perTurn.push(`${kind} ${trips}`);
      expect(trips, counter.statements.join('\n')).toBe(2);
    }
    expect(perTurn.filter((t) => t.startsWith('answer')).length).toBeGreaterThanOrEqual(2);
    expect(perTurn.at(-1)).toBe('clarify 2');
    client.close();
  });

  it("moves the conversation's updated_at with an update that can be HOT: no index of conversations covers it", async () => {
    // Every turn touches its conversation; an indexed updated_at would write the row into every index each time.
    const covered = await db.query<{ index: string }>(
      `SELECT i.indexrelid::regclass::text AS index FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
       WHERE i.indrelid = 'conversations'::regclass AND a.attname = 'updated_at'
       UNION
       SELECT i.indexrelid::regclass::text FROM pg_index i
       WHERE i.indrelid = 'conversations'::regclass
         AND (pg_get_expr(i.indexprs, i.indrelid) LIKE '%updated_at%' OR pg_get_expr(i.indpred, i.indrelid) LIKE '%updated_at%')`,
    );
    expect(covered).toEqual([]);
    const [options] = await db.query<{ reloptions: string[] | null }>(
      `SELECT reloptions FROM pg_class WHERE oid = 'conversations'::regclass`,
    );
    expect(options!.reloptions).toContain('fillfactor=80');
  });

  it('echoes a resent clientId without a run: the refused start, then the stored message', async () => {
    const client = await ChatClient.open(url);
    client.send({ type: 'hello' });
    await client.type('welcome');
    client.send({ type: 'message', text: 'are you open on a sunday', clientId: 'again' });
    await client.next(isAgent);
    counter.trips = 0;
    counter.statements = [];
    client.send({ type: 'message', text: 'are you open on a sunday', clientId: 'again' });
    expect(await client.next((f) => f.type === 'message')).toMatchObject({
      author: 'customer',
      clientId: 'again',
    });
    expect(counter.trips, counter.statements.join('\n')).toBe(2);
    client.close();
  });
});
