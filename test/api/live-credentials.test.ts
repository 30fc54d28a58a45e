// Live event streams end with their credential: a stream opened with an API token ends when the token is revoked,
// one opened with a session cookie ends on that session's logout, on the user's role change, disabling or removal;
// on the PostgreSQL server, also when the change is made on another node. A change to someone else leaves the
// stream open. (Streams otherwise last 15 minutes, so an ended stream is this change's doing.)
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCreator, userCreator } from '../../src/accounts/users.ts';
import { type App, createApp } from '../../src/app.ts';
import { type EventBus, openEventBus } from '../../src/events/bus.ts';
import { closeServer } from '../../src/server/lifecycle.ts';
import { buildServer } from '../../src/server/server.ts';
import type { Db } from '../../src/store/db.ts';
import { driverName, openTestDb, type TestDb } from '../support/db.ts';

interface Node {
  app: App;
  bus: EventBus;
  server: FastifyInstance;
  url: string;
}

async function startNode(db: Db): Promise<Node> {
  const app = createApp(db);
  const bus = await openEventBus(db);
  const server = await buildServer(app, { logLevel: 'silent', events: bus });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { app, bus, server, url };
}

let db: TestDb;
let node: Node;
let adminToken: string;
const opened: AbortController[] = [];
beforeAll(async () => {
  db = await openTestDb();
  node = await startNode(db);
  adminToken = (await tokenCreator(node.app, 'test', { name: 'admin', role: 'admin' })).token;
});
afterAll(async () => {
  for (const a of opened) a.abort();
  await closeServer(node.server, 5000);
  await node.bus.close();
  await db.dispose();
});

let n = 0;
async function person(role: 'admin' | 'reviewer' | 'viewer' = 'reviewer') {
  const email = `live-${++n}@example.com`;
  const password = `Marble-canyon-${n}-Echoes`;
  const user = await userCreator(node.app, 'test', { email, role, password });
  const res = await fetch(`${node.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { user, cookie, csrfToken };
}

function admin(url: string, method: string, path: string, body?: unknown) {
  return fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Opens GET /api/events and reads it in the background: `ended` resolves when the server ends the stream. */
async function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  opened.push(abort);
  const res = await fetch(`${url}/api/events`, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = '';
  let done = false;
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
    } catch {
      // aborted by the test
    }
    done = true;
    return true;
  })();
  // The stream is subscribed once its first bytes arrive.
  while (!text.includes(': connected') && !done) await new Promise((r) => setTimeout(r, 10));
  return { ended, isOpen: () => !done, text: () => text };
}

describe(`live streams end with their credential (${driverName})`, () => {
  it('ends a token stream when the token is revoked, and leaves other streams open', async () => {
    const created = await tokenCreator(node.app, 'test', { name: 'watcher', role: 'viewer' });
    const watcher = await openStream(node.url, { authorization: `Bearer ${created.token}` });
    const bystander = await person('viewer');
    const other = await openStream(node.url, { cookie: bystander.cookie });
    expect((await admin(node.url, 'DELETE', `/api/tokens/${created.info.id}`)).status).toBe(200);
    expect(await watcher.ended).toBe(true);
    // The revocation reached the bystander's stream too (proof: an event after it arrives), which stays open.
    const marker = `after-${Date.now()}`;
    await db.query(`SELECT pg_notify(twelve_event_channel(), $1)`, [
      JSON.stringify({ type: 'test.marker', marker }),
    ]);
    while (!other.text().includes(marker)) await new Promise((r) => setTimeout(r, 10));
    expect(other.isOpen()).toBe(true);
  });

  it("ends a session's stream when that session logs out, not the same user's other session", async () => {
    const { cookie, csrfToken, user } = await person();
    const stream = await openStream(node.url, { cookie });
    const second = await fetch(`${node.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: `Marble-canyon-${n}-Echoes` }),
    });
    const otherSession = await openStream(node.url, {
      cookie: second.headers.get('set-cookie')!.split(';')[0]!,
    });
    const out = await fetch(`${node.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(200);
    expect(await stream.ended).toBe(true);
    const marker = `logout-${Date.now()}`;
    await db.query(`SELECT pg_notify(twelve_event_channel(), $1)`, [
      JSON.stringify({ type: 'test.marker', marker }),
    ]);
    while (!otherSession.text().includes(marker)) await new Promise((r) => setTimeout(r, 10));
    expect(otherSession.isOpen()).toBe(true);
  });

  it("ends a user's stream when their role changes", async () => {
    const { cookie, user } = await person('reviewer');
    const stream = await openStream(node.url, { cookie });
    const res = await admin(node.url, 'PATCH', `/api/users/${user.id}`, { role: 'viewer' });
    expect(res.status).toBe(200);
    expect(await stream.ended).toBe(true);
    // The session itself lives on, with the new role.
    const me = await fetch(`${node.url}/api/auth/me`, { headers: { cookie } });
    expect(((await me.json()) as { role: string }).role).toBe('viewer');
  });

  it("ends a user's stream when they are disabled, and when they are removed", async () => {
    const disabled = await person();
    const a = await openStream(node.url, { cookie: disabled.cookie });
    expect(
      (await admin(node.url, 'PATCH', `/api/users/${disabled.user.id}`, { disabled: true })).status,
    ).toBe(200);
    expect(await a.ended).toBe(true);
    expect((await fetch(`${node.url}/api/auth/me`, { headers: { cookie: disabled.cookie } })).status).toBe(
      401,
    );

    const removed = await person();
    const b = await openStream(node.url, { cookie: removed.cookie });
    expect((await admin(node.url, 'DELETE', `/api/users/${removed.user.id}`)).status).toBe(200);
    expect(await b.ended).toBe(true);
  });

  it.runIf(driverName === 'pg')(
    'ends a stream on one node when the token is revoked on another',
    async () => {
      const peerDb = db.openPeer()!;
      const other = await startNode(peerDb);
      try {
        const created = await tokenCreator(node.app, 'test', { name: 'cross-node', role: 'viewer' });
        const stream = await openStream(other.url, { authorization: `Bearer ${created.token}` });
        expect((await admin(node.url, 'DELETE', `/api/tokens/${created.info.id}`)).status).toBe(200);
        expect(await stream.ended).toBe(true);
      } finally {
        await closeServer(other.server, 5000);
        await other.bus.close();
        await peerDb.close();
      }
    },
  );
});
