// Two nodes (two pools, one pg-boss schema) never run the same scheduled job at once: jobs sent from both nodes
// run one after another, and the advisory lock turns away a second run even when pg-boss hands one out anyway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import type { JobDefinition } from '../../src/jobs/definitions.ts';
import { exclusiveRunner } from '../../src/jobs/lock.ts';
import { JobRunner, jobsSchemaFor } from '../../src/jobs/runner.ts';
import type { Db } from '../../src/store/db.ts';
import { openTestDb, serverUrl, type TestDb } from '../support/db.ts';
import { waitFor } from './fixtures.ts';

let db: TestDb;
let peer: Db;
let schema: string;
let nodeA: App;
let nodeB: App;
beforeAll(async () => {
  if (!serverUrl) return;
  db = await openTestDb();
  peer = db.openPeer()!;
  schema = await jobsSchemaFor(db);
  nodeA = createApp(db, { nodeId: 'node-a' });
  nodeB = createApp(peer, { nodeId: 'node-b' });
});
afterAll(async () => {
  if (!serverUrl) return;
  await peer.close();
  await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!serverUrl)('one job, two nodes', () => {
  it('runs a scheduled job sent from both nodes one run at a time', async () => {
    const runs: { node: string; start: number; end: number }[] = [];
    let active = 0;
    let maxActive = 0;
    const job = (node: string): JobDefinition => ({
      name: 'test.scheduled',
      cron: '* * * * *',
      expireInSeconds: 60,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        const start = Date.now();
        await sleep(400);
        active--;
        runs.push({ node, start, end: Date.now() });
        return { node };
      },
    });
    const options = { pollingIntervalSeconds: 0.5, schedule: true };
    const a = new JobRunner(nodeA, { ...options, jobs: [job('a')] });
    const b = new JobRunner(nodeB, { ...options, jobs: [job('b')] });
    await Promise.all([a.start(), b.start()]);
    try {
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) {
        const id = await (i % 2 ? b : a).runNow('test.scheduled');
        if (id) sent.push(id);
        await sleep(250);
      }
      await waitFor(
        'every accepted job to finish',
        async () => {
          const [row] = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${schema}.job WHERE id = ANY($1::uuid[]) AND state = 'completed'`,
            [sent],
          );
          return row!.n === sent.length;
        },
        20_000,
      );
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expect(maxActive).toBe(1);
      const ordered = [...runs].sort((x, y) => x.start - y.start);
      for (let i = 1; i < ordered.length; i++)
        expect(ordered[i]!.start).toBeGreaterThanOrEqual(ordered[i - 1]!.end);
      const [schedules] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.schedule WHERE name = 'test.scheduled'`,
      );
      expect(schedules!.n).toBe(1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('turns away a second run of a job that is running on another node', async () => {
    const lockA = exclusiveRunner(db);
    const lockB = exclusiveRunner(peer);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = lockA('s:test.locked', () => held.then(() => 'a'));
    await sleep(100);
    expect(await lockB('s:test.locked', async () => 'b')).toEqual({ ran: false });
    expect(await lockB('s:other-job', async () => 'b')).toEqual({ ran: true, value: 'b' });
    release();
    expect(await first).toEqual({ ran: true, value: 'a' });
    expect(await lockB('s:test.locked', async () => 'b')).toEqual({ ran: true, value: 'b' });
  });
});
