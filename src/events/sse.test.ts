// GET /api/events: authenticated SSE over a real port; bus events arrive as `event:/data:` frames, heartbeats keep
// the stream alive, a disconnecting client unsubscribes, and server.close() ends open streams instead of hanging.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverName, openTestDb, type TestDb } from '../../test/support/db.ts';
import { tokenCreator } from '../accounts/users.ts';
import { type App, createApp } from '../app.ts';
import { installErrorHandling } from '../server/http.ts';
import { closeServer, trackSockets } from '../server/lifecycle.ts';
import { registerEventRoutes, sseFrame } from '../server/routes/events.ts';
import { buildServer } from '../server/server.ts';
import { type EventBus, openEventBus } from './bus.ts';
import { EVENT_CHANNEL_SQL } from './emit.ts';

let db: TestDb;
let app: App;
let bus: EventBus;
let token: string;
beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
  bus = await openEventBus(db);
  token = (await tokenCreator(app, 'cli', { name: `viewer-${randomUUID().slice(0, 6)}`, role: 'viewer' }))
    .token;
});
afterAll(async () => {
  await bus.close();
  await db.dispose();
});

/** Counts live subscriptions so the test can see a stream let go of the bus. */
function countingBus(inner: EventBus): EventBus & { live: () => number } {
  let live = 0;
  return {
    live: () => live,
    subscribe(fn) {
      live++;
      const off = inner.subscribe(fn);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        live--;
        off();
      };
    },
    close: () => inner.close(),
  };
}

async function serve(options: { bus: EventBus; heartbeatMs?: number; maxStreamMs?: number }): Promise<{
  server: FastifyInstance;
  url: string;
}> {
  const server = Fastify({ logger: false });
  installErrorHandling(server);
  await server.register(cookie);
  registerEventRoutes(server, app, options);
  trackSockets(server);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url };
}

/** Opens the stream and returns a reader that waits for text matching a pattern. */
async function openStream(url: string, signal: AbortSignal) {
  const res = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    res,
    text: () => text,
    async until(pattern: RegExp, timeoutMs = 5000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`stream never matched ${pattern}; got ${text}`);
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended before ${pattern}; got ${text}`);
        text += decoder.decode(chunk.value, { stream: true });
      }
      return text;
    },
    async ended(): Promise<boolean> {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return true;
      }
    },
  };
}

const notify = (event: object) =>
  db.query(`SELECT pg_notify(${EVENT_CHANNEL_SQL}, $1)`, [JSON.stringify(event)]);

describe(`SSE /api/events (${driverName})`, () => {
  it('formats frames and keeps the event type from breaking the framing', () => {
    expect(sseFrame({ type: 'approval.decided', approvalId: 'a' })).toBe(
      'event: approval.decided\ndata: {"type":"approval.decided","approvalId":"a"}\n\n',
    );
    expect(sseFrame({ type: 'x\ndata: forged' })).toMatch(/^event: x_data__forged\ndata: /);
  });

  it('needs a signed-in caller', async () => {
    const server = await buildServer(app, { logLevel: 'silent', events: bus });
    const res = await server.inject({ url: '/api/events' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.id).toBe('unauthorized');
    await server.close();
  });

  it('streams bus events and heartbeats, and unsubscribes when the client goes away', async () => {
    const counted = countingBus(bus);
    const { server, url } = await serve({ bus: counted, heartbeatMs: 100 });
    const abort = new AbortController();
    try {
      const stream = await openStream(url, abort.signal);
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await stream.until(/: connected\n\n/);
      expect(counted.live()).toBe(1);
      const marker = randomUUID();
      await notify({ type: 'approval.decided', approvalId: marker });
      const text = await stream.until(new RegExp(`data: .*${marker}.*\\n\\n`));
      expect(text).toContain(
        `event: approval.decided\ndata: ${JSON.stringify({ type: 'approval.decided', approvalId: marker })}\n\n`,
      );
      await stream.until(/: heartbeat\n\n/);
      abort.abort();
      for (let i = 0; i < 50 && counted.live() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(counted.live()).toBe(0);
    } finally {
      abort.abort();
      // fetch keeps a spare connection open after an abort; the node's shutdown path drops it.
      await closeServer(server, 5000);
    }
  });

  it('ends open streams when the server closes, so shutdown does not hang', async () => {
    const counted = countingBus(bus);
    const { server, url } = await serve({ bus: counted });
    const stream = await openStream(url, new AbortController().signal);
    await stream.until(/: connected/);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await stream.ended()).toBe(true);
    expect(counted.live()).toBe(0);
  });

  it('ends a stream after its maximum age, so the browser reconnects and authenticates again', async () => {
    const counted = countingBus(bus);
    const { server, url } = await serve({ bus: counted, maxStreamMs: 300 });
    try {
      const stream = await openStream(url, new AbortController().signal);
      await stream.until(/: connected/);
      expect(await stream.ended()).toBe(true);
      expect(counted.live()).toBe(0);
    } finally {
      await closeServer(server, 5000);
    }
  });

  it('opens its own bus when the server was built without one, and closes it with the server', async () => {
    const server = await buildServer(app, { logLevel: 'silent' });
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    try {
      const stream = await openStream(url, abort.signal);
      await stream.until(/: connected/);
      const marker = randomUUID();
      await notify({ type: 'escalation.opened', runId: marker });
      await stream.until(new RegExp(`event: escalation.opened\\ndata: .*${marker}`));
    } finally {
      abort.abort();
      await server.close();
    }
  });
});
