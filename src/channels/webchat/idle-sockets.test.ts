// Opening a chat socket writes nothing: 1,000 sockets say hello and stay idle, and not a row changes in any table
// (conversations, messages, the shared rate-limit counts, the audit trail, anything), and the app sends the database
// nothing but reads for them. Their welcomes still carry a conversation id and a resume token, and the
// first message of one of them writes its conversation with that id.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { ChatClient, type Frame, northwindAgent } from '../../../test/support/webchat.ts';
import { type App, createApp } from '../../app.ts';
import type { Db } from '../../store/db.ts';
import { registerWebchat } from './routes.ts';

const SOCKETS = 1000;

let db: TestDb;
let app: App;
let server: FastifyInstance;
let url = '';
const statements: string[] = [];

/** The database as the app sees it, recording every statement it is sent (a transaction as BEGIN). */
function recording(inner: Db): Db {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'query' || prop === 'exec' || prop === 'transaction') {
        const fn = Reflect.get(target, prop, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          statements.push(prop === 'transaction' ? 'BEGIN' : String(args[0]).slice(0, 80));
          return fn.apply(target, args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
    counts[name] = row!.n;
  }
  return counts;
}

beforeAll(async () => {
  db = await openTestDb();
  await northwindAgent(createApp(db));
  app = createApp(recording(db));
  const { default: Fastify } = await import('fastify');
  server = Fastify({ logger: false });
  await registerWebchat(server, app, {
    limits: {
      messages: { max: 10, windowMs: 60_000 },
      perIp: { max: 10, windowMs: 60_000 },
      frames: { max: 10, windowMs: 60_000 },
      connectionsPerIp: SOCKETS + 10,
    },
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const a = server.server.address();
  url = `ws://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/api/webchat/northwind/socket`;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db.dispose();
});

describe('idle chat sockets', () => {
  it(`${SOCKETS} sockets that say hello and nothing else write nothing`, async () => {
    const before = await rowCounts();
    statements.length = 0;
    const clients: ChatClient[] = [];
    const welcomes: Frame[] = [];
    for (let i = 0; i < SOCKETS; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, SOCKETS - i) }, async () => {
          const client = await ChatClient.open(url);
          client.send({ type: 'hello' });
          return { client, welcome: await client.type('welcome') };
        }),
      );
      for (const b of batch) {
        clients.push(b.client);
        welcomes.push(b.welcome);
      }
    }
    expect(welcomes).toHaveLength(SOCKETS);
    expect(new Set(welcomes.map((w) => w.conversationId)).size).toBe(SOCKETS);
    for (const w of welcomes) expect(String(w.resumeToken)).toMatch(/^[\w-]{20,}$/);
    // Reads only (the agent behind each socket): no INSERT, UPDATE, DELETE, no transaction, no data-changing CTE.
    expect(statements.filter((sql) => !/^\s*SELECT\b/i.test(sql))).toEqual([]);
    for (const c of clients) c.close();
    expect(await rowCounts()).toEqual(before);

    // The first message of a promised conversation writes it, under the id its welcome gave.
    const client = await ChatClient.open(url);
    client.send({ type: 'hello' });
    const welcome = await client.type('welcome');
    client.send({ type: 'message', text: 'When are you open?', clientId: 'first' });
    await client.next((f) => f.type === 'message' && f.author === 'agent');
    const [conv] = await db.query<{ channel: string }>('SELECT channel FROM conversations WHERE id = $1', [
      welcome.conversationId,
    ]);
    expect(conv).toEqual({ channel: 'webchat' });
    client.close();
  }, 120_000);
});
