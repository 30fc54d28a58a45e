// JobRunner end to end through pg-boss: queues and cron schedules are installed, a sent job runs its command and
// completes, a failing job retries with backoff, one job never runs twice at once, and stop() lets a running job
// finish (graceful) or fails it back to the queue when it cannot finish in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suspendedRun, waitFor } from '../../test/multinode/fixtures.ts';
import { driverName, openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { ManualClock } from '../clock.ts';
import type { JobDefinition } from './definitions.ts';
import { JobRunner, type JobRunnerOptions, jobsOf, jobsSchemaFor } from './runner.ts';

let db: TestDb;
let clock: ManualClock;
let app: App;
let schema: string;
beforeAll(async () => {
  db = await openTestDb();
  clock = new ManualClock(new Date());
  app = createApp(db, { clock });
  schema = await jobsSchemaFor(db);
});
afterAll(async () => {
  // pg-boss's schema lives beside the test schema on a server: drop it too.
  if (db.driver === 'pg') await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.dispose();
});

const fast: JobRunnerOptions = { pollingIntervalSeconds: 0.5, schedule: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function jobRow(id: string) {
  const [row] = await db.query<{
    state: string;
    output: Record<string, unknown> | null;
    retry_count: number;
  }>(`SELECT state, output, retry_count FROM ${schema}.job WHERE id = $1`, [id]);
  return row;
}

const finished = (id: string) =>
  waitFor(`job ${id} to complete`, async () => {
    const row = await jobRow(id);
    return row?.state === 'completed' ? row : null;
  });

describe(`JobRunner (${driverName})`, () => {
  it('derives its pg-boss schema from the database schema', () => {
    expect(schema).toEqual(driverName === 'pg' ? expect.stringMatching(/^t_[0-9a-f]+_pgboss$/) : 'pgboss');
  });

  it("installs stately queues and UTC cron schedules for every job, the kinds' own too", async () => {
    const every = jobsOf(app);
    expect(every.map((j) => j.name)).toEqual(expect.arrayContaining(['receptionist.remind', 'runs.recover']));
    const runner = new JobRunner(app, { ...fast, schedule: true });
    await runner.start();
    try {
      const queues = await db.query<{
        name: string;
        policy: string;
        retry_limit: number;
        retry_backoff: boolean;
      }>(
        `SELECT name, policy, retry_limit, retry_backoff FROM ${schema}.queue WHERE name NOT LIKE '__pgboss%' ORDER BY name`,
      );
      expect(queues.map((q) => q.name)).toEqual(every.map((j) => j.name).sort());
      for (const q of queues)
        expect(q).toMatchObject({ policy: 'stately', retry_limit: 3, retry_backoff: true });
      const schedules = await db.query<{ name: string; cron: string; timezone: string }>(
        `SELECT name, cron, timezone FROM ${schema}.schedule ORDER BY name`,
      );
      expect(schedules).toEqual(
        every
          .map((j) => ({ name: j.name, cron: j.cron, timezone: 'UTC' }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    } finally {
      await runner.stop();
    }
  });

  it('on a restart rewrites only the queues and schedules that differ, and puts those back', async () => {
    const every = jobsOf(app);
    const first = new JobRunner(app, { ...fast, schedule: true });
    await first.start();
    await first.stop();
    // As an older version (or a hand edit) left them: one queue with other retries, one schedule at another time.
    const [changed, moved] = [every[0]!.name, every[1]!.name];
    await db.query(`UPDATE ${schema}.queue SET retry_limit = 9, retry_backoff = false WHERE name = $1`, [
      changed,
    ]);
    await db.query(
      `UPDATE ${schema}.schedule SET cron = '7 7 * * *', timezone = 'Europe/Paris' WHERE name = $1`,
      [moved],
    );
    const stamps = async () =>
      new Map(
        (
          await db.query<{ name: string; updated_on: Date }>(
            `SELECT name, updated_on FROM ${schema}.queue WHERE name NOT LIKE '__pgboss%'`,
          )
        ).map((r) => [r.name, new Date(r.updated_on).getTime()]),
      );
    const before = await stamps();
    const second = new JobRunner(app, { ...fast, schedule: true });
    await second.start();
    try {
      const [queue] = await db.query<{ retry_limit: number; retry_backoff: boolean }>(
        `SELECT retry_limit, retry_backoff FROM ${schema}.queue WHERE name = $1`,
        [changed],
      );
      expect(queue).toEqual({ retry_limit: 3, retry_backoff: true });
      const [schedule] = await db.query<{ cron: string; timezone: string }>(
        `SELECT cron, timezone FROM ${schema}.schedule WHERE name = $1`,
        [moved],
      );
      expect(schedule).toEqual({ cron: every[1]!.cron, timezone: 'UTC' });
      const after = await stamps();
      const rewritten = [...after].filter(([name, t]) => t !== before.get(name)).map(([name]) => name);
      expect(rewritten).toEqual([changed]);
    } finally {
      await second.stop();
    }
  });

  it('runs approvals.expire sent through pg-boss and stores its summary', async () => {
    const { approvalId } = await suspendedRun(app);
    clock.advance(25 * 3600_000);
    const runner = new JobRunner(app, fast);
    await runner.start();
    try {
      const id = await runner.runNow('approvals.expire');
      expect(id).toEqual(expect.any(String));
      expect((await finished(id!)).output).toEqual({ expired: 1 });
      const [approval] = await db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
        approvalId,
      ]);
      expect(approval!.status).toBe('expired');
    } finally {
      await runner.stop();
    }
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    let attempts = 0;
    const flaky: JobDefinition = {
      name: 'test.flaky',
      cron: '* * * * *',
      expireInSeconds: 60,
      run: async () => {
        attempts++;
        if (attempts === 1) throw new Error('upstream hiccup');
        return { attempts };
      },
    };
    const runner = new JobRunner(app, { ...fast, jobs: [flaky], retryDelaySeconds: 1 });
    await runner.start();
    try {
      const id = (await runner.runNow('test.flaky'))!;
      const done = await finished(id);
      expect(done).toMatchObject({ retry_count: 1, output: { attempts: 2 } });
    } finally {
      await runner.stop();
    }
  });

  it('keeps one job to one run at a time: a second send waits, never overlaps', async () => {
    let active = 0;
    let maxActive = 0;
    const slow: JobDefinition = {
      name: 'test.slow',
      cron: '* * * * *',
      expireInSeconds: 60,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(700);
        active--;
        return {};
      },
    };
    const runner = new JobRunner(app, { ...fast, jobs: [slow] });
    await runner.start();
    try {
      const first = (await runner.runNow('test.slow'))!;
      expect(await runner.runNow('test.slow')).toBeNull(); // one already waiting: stately keeps just one
      await waitFor('the first run to start', async () => (await jobRow(first))?.state === 'active');
      const second = (await runner.runNow('test.slow'))!; // waiting behind the active one
      expect(second).toEqual(expect.any(String));
      await finished(first);
      await finished(second);
      expect(maxActive).toBe(1);
    } finally {
      await runner.stop();
    }
  });

  it('stop() waits for a running job to finish', async () => {
    let finishedRun = false;
    const slow: JobDefinition = {
      name: 'test.drain',
      cron: '* * * * *',
      expireInSeconds: 60,
      run: async () => {
        await sleep(800);
        finishedRun = true;
        return { drained: 1 };
      },
    };
    const runner = new JobRunner(app, { ...fast, jobs: [slow] });
    await runner.start();
    const id = (await runner.runNow('test.drain'))!;
    await waitFor('the run to start', async () => (await jobRow(id))?.state === 'active');
    await runner.stop({ graceful: true, timeoutMs: 5000 });
    expect(finishedRun).toBe(true);
    expect(await jobRow(id)).toMatchObject({ state: 'completed', output: { drained: 1 } });
  });

  it('stop() fails a job that cannot finish in time back to the queue for a retry', async () => {
    const stuck: JobDefinition = {
      name: 'test.stuck',
      cron: '* * * * *',
      expireInSeconds: 60,
      run: async () => {
        await sleep(2500);
        return {};
      },
    };
    const runner = new JobRunner(app, { ...fast, jobs: [stuck] });
    await runner.start();
    const id = (await runner.runNow('test.stuck'))!;
    await waitFor('the run to start', async () => (await jobRow(id))?.state === 'active');
    await runner.stop({ graceful: true, timeoutMs: 1000 });
    expect((await jobRow(id))?.state).toBe('retry');
    await sleep(1600); // the abandoned handler ends before the database closes
  });
});
