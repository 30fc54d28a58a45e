// Pins what the public chat endpoints do under hostile or careless clients: malformed, oversized, binary and
// out-of-order frames get error frames (the socket and the server live on), floods are rate limited per
// connection and per IP, open sockets are capped per IP; and the widget script and demo page are served right.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverName, openTestDb, type TestDb } from '../../../test/support/db.ts';
import { ChatClient, type Frame, northwindAgent } from '../../../test/support/webchat.ts';
import { type App, createApp } from '../../app.ts';
import { MAX_MESSAGE_CHARS } from '../../conversations/conversations.ts';
import { buildServer } from '../../server/server.ts';
import { registerWebchat } from './routes.ts';

let db: TestDb;
let app: App;
let server: FastifyInstance;
let strict: FastifyInstance;
let base = '';
let strictBase = '';

const portOf = (s: FastifyInstance) => {
  const a = s.server.address();
  return typeof a === 'object' && a ? a.port : 0;
};
const isError = (id: string) => (f: Frame) => f.type === 'error' && f.id === id;

async function greeted(url = `ws://${base}/api/webchat/northwind/socket`) {
  const client = await ChatClient.open(url);
  client.send({ type: 'hello' });
  await client.type('welcome');
  return client;
}

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
  await northwindAgent(app);
  server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `127.0.0.1:${portOf(server)}`;
  // The same routes with tiny limits, so the limits are reached without thousands of frames.
  strict = Fastify({ logger: false });
  await registerWebchat(strict, app, {
    limits: {
      messages: { max: 3, windowMs: 60_000 },
      perIp: { max: 6, windowMs: 60_000 },
      frames: { max: 50, windowMs: 60_000 },
      connectionsPerIp: 3,
    },
  });
  await strict.listen({ port: 0, host: '127.0.0.1' });
  strictBase = `ws://127.0.0.1:${portOf(strict)}/api/webchat/northwind/socket`;
});
afterAll(async () => {
  await strict.close();
  await server.close();
  await db.dispose();
});

describe('hostile frames', () => {
  it('answers every bad frame with an error frame and keeps the socket usable', async () => {
    const client = await ChatClient.open(`ws://${base}/api/webchat/northwind/socket`);
    client.send({ type: 'message', text: 'hi', clientId: 'early' });
    expect(await client.next(isError('validation_failed'))).toMatchObject({ message: 'send hello first' });
    client.send({ type: 'hello' });
    await client.type('welcome');

    const bad: Array<[Frame | string | Buffer, RegExp]> = [
      ['{"type": "message", "text": "unterminated', /not valid JSON/],
      ['null', /unknown frame type/],
      ['[1,2,3]', /unknown frame type/],
      [{ type: 'reboot' }, /unknown frame type/],
      [{ type: 'message', text: 42, clientId: 'n-1' }, /text/],
      [{ type: 'message', text: 'no id' }, /clientId/],
      [{ type: 'message', text: 'x', clientId: '<script>' }, /clientId/],
      [{ type: 'hello' }, /already/],
      [Buffer.from([0, 1, 2, 3]), /JSON text/],
      [JSON.stringify({ type: 'human', pad: 'x'.repeat(17_000) }), /16384 bytes/],
    ];
    for (const [frame, message] of bad) {
      client.send(frame);
      expect(String((await client.next(isError('validation_failed'))).message)).toMatch(message);
    }

    client.send({ type: 'message', text: 'x'.repeat(MAX_MESSAGE_CHARS + 1), clientId: 'long-1' });
    expect(await client.next(isError('validation_failed'))).toMatchObject({
      clientId: 'long-1',
      message: expect.stringContaining(`${MAX_MESSAGE_CHARS} characters`),
    });
    client.send({ type: 'message', text: '   \n ', clientId: 'blank-1' });
    expect(await client.next(isError('validation_failed'))).toMatchObject({ clientId: 'blank-1' });

    // Still alive and answering.
    client.send({ type: 'message', text: 'Is delivery free?', clientId: 'ok-1' });
    expect(await client.next((f) => f.type === 'message' && f.author === 'agent')).toMatchObject({
      text: expect.stringContaining('free on orders over £50'),
    });
    client.close();
  });

  it('takes a message holding NUL or an unpaired surrogate, cleaned, and answers it', async () => {
    const client = await greeted();
    // As JSON escapes, the way a script would send them: text PostgreSQL cannot store as it is.
    client.send('{"type":"message","text":"When are\\u0000 you open?\\ud800","clientId":"nul-1"}');
    expect(await client.next((f) => f.type === 'message' && f.author === 'customer')).toMatchObject({
      text: 'When are you open?\ufffd',
    });
    expect(await client.next((f) => f.type === 'message' && f.author === 'agent')).toMatchObject({
      text: expect.stringContaining('Monday to Friday'),
    });
    client.send('{"type":"message","text":"\\u0000 \\u0000","clientId":"nul-2"}');
    expect(await client.next(isError('validation_failed'))).toMatchObject({ clientId: 'nul-2' });
    client.close();
  });

  it('cuts a frame beyond the hard payload limit without harming the server', async () => {
    const client = await greeted();
    client.send(JSON.stringify({ type: 'human', pad: 'x'.repeat(70_000) }));
    expect(await client.closed).toBe(1009);
    const res = await fetch(`http://${base}/health`);
    expect(res.status).toBe(200);
  });
});

describe('limits', () => {
  it('rate limits a flood per connection, then per IP, and caps open sockets per IP [channel:flood-limited]', async () => {
    const first = await greeted(strictBase);
    for (let i = 0; i < 5; i++) first.send({ type: 'message', text: `flood ${i}`, clientId: `f-${i}` });
    expect(await first.next(isError('rate_limited'))).toMatchObject({ clientId: 'f-3' });
    expect(await first.next(isError('rate_limited'))).toMatchObject({ clientId: 'f-4' });

    // A second connection from the same address: its own budget, and it spends the rest of the address's (6).
    const second = await greeted(strictBase);
    for (let i = 0; i < 3; i++) second.send({ type: 'message', text: `more ${i}`, clientId: `m-${i}` });
    for (let i = 0; i < 3; i++)
      await second.next((f) => f.type === 'message' && f.author === 'customer' && f.clientId === `m-${i}`);

    // A new conversation is welcomed without a write; its first message (within its own connection's budget) finds
    // the address's budget spent, and no conversation is written for it.
    const third = await ChatClient.open(strictBase);
    third.send({ type: 'hello' });
    const welcome = await third.type('welcome');
    third.send({ type: 'message', text: 'and me', clientId: 't-0' });
    expect(await third.next(isError('rate_limited'))).toMatchObject({ clientId: 't-0' });
    const [written] = await db.query('SELECT 1 FROM conversations WHERE id = $1', [welcome.conversationId]);
    expect(written).toBeUndefined();
    third.close();

    // first + second + one more is the cap of 3 (the server frees the third one's slot as it closes).
    await new Promise((r) => setTimeout(r, 200));
    const held = [await ChatClient.open(strictBase)];
    const over = await ChatClient.open(strictBase);
    expect(await over.next(isError('rate_limited'))).toMatchObject({ message: /too many open chats/ });
    expect(await over.closed).toBe(4429);
    for (const c of [first, second, ...held]) c.close();
    expect((await fetch(`http://${base}/health`)).status).toBe(200);
  });
});

describe('limits across nodes', () => {
  it.skipIf(driverName !== 'pg')(
    'holds the per-IP limit for an address spread over two nodes on one PostgreSQL',
    async () => {
      // Two web chat "nodes" (two servers, each with its own limiter) on one database, same limits.
      const limits = {
        messages: { max: 100, windowMs: 60_000 },
        perIp: { max: 4, windowMs: 60_000 },
        frames: { max: 100, windowMs: 60_000 },
        connectionsPerIp: 10,
      };
      const nodes = [Fastify({ logger: false }), Fastify({ logger: false })];
      try {
        for (const n of nodes) {
          await registerWebchat(n, app, { limits });
          await n.listen({ port: 0, host: '127.0.0.1' });
        }
        const [a, b] = nodes.map((n) => `ws://127.0.0.1:${portOf(n)}/api/webchat/northwind/socket`);
        // On A: three messages (3 of the address's 4; the conversation is written with the first, at no extra cost).
        const first = await greeted(a);
        for (const i of [0, 1, 2]) {
          first.send({ type: 'message', text: `hello ${i}`, clientId: `n-${i}` });
          await first.next((f) => f.type === 'message' && f.author === 'agent');
        }
        // On B: a message in a new conversation (4 of 4; B had not seen the address), then both nodes sync (every
        // 200 ms).
        const second = await greeted(b);
        second.send({ type: 'message', text: 'hello from B', clientId: 'b-0' });
        await second.next((f) => f.type === 'message' && f.author === 'agent');
        await new Promise((r) => setTimeout(r, 700));
        second.send({ type: 'message', text: 'one more', clientId: 'b-1' });
        expect(await second.next(isError('rate_limited'))).toMatchObject({ clientId: 'b-1' });
        first.send({ type: 'message', text: 'and on A', clientId: 'n-3' });
        expect(await first.next(isError('rate_limited'))).toMatchObject({ clientId: 'n-3' });
        first.close();
        second.close();
      } finally {
        for (const n of nodes) await n.close();
      }
    },
  );
});

describe('widget script and demo page', () => {
  it('serves a small, cacheable widget, gzipped when asked', async () => {
    const plain = await server.inject({ method: 'GET', url: '/widget.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^application\/javascript/);
    expect(plain.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(plain.body).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
    const gz = await server.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.length).toBeLessThan(15 * 1024);
    const cached = await server.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'if-none-match': String(plain.headers.etag) },
    });
    expect(cached.statusCode).toBe(304);
  });

  it('serves the demo page pointed at the serving origin and the chosen agent', async () => {
    const res = await fetch(`http://${base}/demo`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<script src="http://${base}/widget.js" data-agent="northwind"`);
    expect(html).not.toContain('twelve.example');
    expect(html).toContain('<aside class="setup" hidden>');
    expect(res.headers.get('content-security-policy')).toMatch(
      /script-src 'self'; style-src 'self' 'sha256-/,
    );

    const other = await (await fetch(`http://${base}/demo?agent=someone-else`)).text();
    expect(other).toContain('data-agent="someone-else"');
    const bad = await fetch(`http://${base}/demo?agent=%22%3E%3Cscript%3E`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('<script>');
  });
});
