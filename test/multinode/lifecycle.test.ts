// A node's lifecycle: startTwelve serves API, events and jobs; stop() lets a slow in-flight request finish before it
// resolves, ends SSE streams, refuses new connections, and leaves a borrowed database open; the real CLI exits 0 on
// SIGTERM (no handle left behind).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCreator } from '../../src/accounts/users.ts';
import { loadConfig } from '../../src/config.ts';
import { createServices } from '../../src/context.ts';
import { EVENT_CHANNEL_SQL } from '../../src/events/emit.ts';
import { jobsSchemaFor } from '../../src/jobs/runner.ts';
import { startTwelve } from '../../src/server/lifecycle.ts';
import { driverName, openTestDb, type TestDb } from '../support/db.ts';
import { startNode } from './nodes.ts';

let db: TestDb;
let token: string;
beforeAll(async () => {
  db = await openTestDb();
  token = (
    await tokenCreator(createServices(db), 'cli', {
      name: `admin-${randomUUID().slice(0, 6)}`,
      role: 'admin',
    })
  ).token;
});
afterAll(async () => {
  if (db.driver === 'pg') await db.exec(`DROP SCHEMA IF EXISTS ${await jobsSchemaFor(db)} CASCADE`);
  await db.dispose();
});

const config = () =>
  loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', TWELVE_DATA_DIR: tmpdir() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`node lifecycle (${driverName})`, () => {
  it('stop() waits for a slow request in flight, ends SSE streams, then refuses connections', async () => {
    const twelve = await startTwelve(config(), { db, jobs: { pollingIntervalSeconds: 0.5 } });
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${twelve.address}/ready`)).status).toBe(200);

    const sse = await fetch(`${twelve.address}/api/events`, { headers });
    const reader = sse.body!.getReader();
    await reader.read(); // the connected comment

    // Hold a lock the request needs, from another connection (on PGlite: the instance itself), so it stays in flight.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const peer = db.openPeer();
    const locker = (peer ?? db).transaction(async (tx) => {
      await tx.query('LOCK TABLE agents IN ACCESS EXCLUSIVE MODE');
      locked();
      await held;
    });
    await isLocked;
    const slow = fetch(`${twelve.address}/api/agents`, { headers });
    await sleep(300);

    let stopped = false;
    const stopping = twelve.stop().then(() => {
      stopped = true;
    });
    expect(twelve.stop()).toBe(twelve.stop());
    await sleep(500);
    expect(stopped).toBe(false);
    release();
    await locker;
    await peer?.close();

    const res = await slow;
    expect(res.status).toBe(200);
    expect((await res.json()).agents).toEqual(expect.any(Array));
    await stopping;
    expect(stopped).toBe(true);
    for (;;) if ((await reader.read()).done) break; // the SSE stream was ended, not left hanging
    await expect(fetch(`${twelve.address}/health`)).rejects.toThrow();
    // The database was lent, not owned: it is still open.
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('delivers events to SSE clients and runs jobs while up', async () => {
    const twelve = await startTwelve(config(), {
      db,
      jobs: { pollingIntervalSeconds: 0.5, schedule: false },
    });
    try {
      const res = await fetch(`${twelve.address}/api/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const reader = res.body!.getReader();
      const marker = randomUUID();
      await db.query(`SELECT pg_notify(${EVENT_CHANNEL_SQL}, $1)`, [
        JSON.stringify({ type: 'message.sent', marker }),
      ]);
      let text = '';
      while (!text.includes(marker)) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toContain('event: message.sent\n');
      const id = await twelve.jobs!.runNow('audit.checkpoint');
      expect(id).toEqual(expect.any(String));
    } finally {
      await twelve.stop();
    }
  });

  it.skipIf(driverName !== 'pglite')(
    'the CLI starts on PGlite in a data folder and exits 0 on SIGTERM',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'twelve-node-'));
      try {
        const node = await startNode({ TWELVE_DATA_DIR: dataDir, DATABASE_URL: '' });
        expect((await fetch(`${node.url}/ready`)).status).toBe(200);
        expect(node.output()).toContain('First run: open');
        expect(await node.stop('SIGTERM')).toBe(0);
        expect(node.output()).toContain('Twelve stopped');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
