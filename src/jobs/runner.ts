// Durable background jobs on pg-boss (PostgreSQL-backed, SKIP LOCKED): every node runs a JobRunner; pg-boss's cron
// fires each schedule once per tick whichever nodes are up, a stately queue holds at most one waiting and one active
// job, and an advisory lock (lock.ts) keeps two runs of one job apart even past pg-boss's expiry. Failed runs retry
// with exponential backoff. stop() lets running jobs finish; what cannot finish in time is failed back to the queue.
import PgBoss from 'pg-boss';
import type { App } from '../app.ts';
import { type Log, silentLog } from '../events/log.ts';
import type { Db } from '../store/db.ts';
import { bossDb } from './boss-db.ts';
import { JOB_DEFINITIONS, type JobDefinition } from './definitions.ts';
import { type Exclusive, exclusiveRunner, serialized } from './lock.ts';

export interface JobRunnerOptions {
  jobs?: readonly JobDefinition[];
  /** pg-boss's schema; by default derived from the database's current schema (see jobsSchemaFor). */
  schema?: string;
  log?: Log;
  /** How often an idle worker asks for work. Jobs are minute-grained, so there is no need to ask often. */
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Install the cron schedules and fire them (default true). Off, jobs run only when sent (runNow). */
  schedule?: boolean;
  maintenanceIntervalSeconds?: number;
}

export interface StopOptions {
  /** Wait for running jobs (default true). Not graceful: fail them back to the queue at once. */
  graceful?: boolean;
  timeoutMs?: number;
}

/**
 * One pg-boss schema per Twelve schema: `pgboss` for an install in `public`, `<schema>_pgboss` otherwise, so
 * installs (and test runs) sharing one database never take each other's jobs.
 */
export async function jobsSchemaFor(db: Db): Promise<string> {
  const [row] = await db.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const current = row?.schema ?? 'public';
  return current === 'public' ? 'pgboss' : `${current}_pgboss`;
}

export class JobRunner {
  private boss: PgBoss | null = null;
  private stopping: Promise<void> | null = null;
  private stopRequested = false;
  private readonly running = new Set<Promise<unknown>>();
  private readonly exclusive: Exclusive;
  private readonly jobs: readonly JobDefinition[];
  private readonly log: Log;
  private sqlPending = 0;
  schema: string | null = null;

  constructor(
    private readonly app: App,
    private readonly options: JobRunnerOptions = {},
  ) {
    this.exclusive = exclusiveRunner(app.db);
    this.jobs = options.jobs ?? jobsOf(app);
    this.log = options.log ?? silentLog;
  }

  async start(): Promise<void> {
    if (this.boss) return;
    this.stopRequested = false;
    this.stopping = null;
    const schema = this.options.schema ?? (await jobsSchemaFor(this.app.db));
    const schedule = this.options.schedule ?? true;
    const boss = new PgBoss({
      db: this.trackedDb(),
      schema,
      schedule,
      ...(this.options.maintenanceIntervalSeconds
        ? { maintenanceIntervalSeconds: this.options.maintenanceIntervalSeconds }
        : {}),
    });
    // An 'error' event without a listener would crash the process; pg-boss reports and carries on.
    boss.on('error', (err) => this.log.error({ err }, 'jobs: pg-boss reported an error'));
    // One node at a time: pg-boss creates its schema and queues with DDL on shared tables, and two nodes doing
    // that at once deadlock (PostgreSQL aborts one of them and that node fails to start).
    await serialized(this.app.db, `${schema}:install`, async () => {
      await boss.start();
      try {
        // A restart finds its queues and schedules in place: read them once and write only what differs (creating
        // and updating eleven queues and schedules one by one took a third of a PGlite restart's queries).
        const queues = new Map((await boss.getQueues()).map((q) => [q.name, q]));
        const schedules = schedule ? await boss.getSchedules() : [];
        const scheduled = new Map((schedules as StoredSchedule[]).map((s) => [s.name, s]));
        for (const job of this.jobs)
          await this.install(boss, job, schedule, queues.get(job.name), scheduled.get(job.name));
        if (schedule) await this.pruneSchedules(boss, schedules);
      } catch (err) {
        await boss.stop({ graceful: false }).catch(() => {});
        throw err;
      }
    });
    this.schema = schema;
    this.boss = boss;
  }

  /** Queues a job to run now (a manual trigger). Returns null when one is already waiting. */
  async runNow(name: string): Promise<string | null> {
    if (!this.boss) throw new Error('the job runner is not started');
    return this.boss.send(name, {});
  }

  stop(options: StopOptions = {}): Promise<void> {
    if (!this.boss) return Promise.resolve();
    this.stopping ??= this.shutdown(this.boss, options);
    return this.stopping;
  }

  private async shutdown(boss: PgBoss, { graceful = true, timeoutMs = 20_000 }: StopOptions): Promise<void> {
    this.stopRequested = true;
    const deadline = Date.now() + timeoutMs;
    // pg-boss stops fetching, waits for active jobs up to the timeout, then fails whatever is still active so
    // another node (or this one after a restart) retries it.
    await boss.stop({ graceful, timeout: timeoutMs, close: false });
    if (graceful) await settle([...this.running], deadline - Date.now());
    // pg-boss records completions without awaiting them; let them land before the caller closes the database.
    await until(() => this.sqlPending === 0, Math.max(1000, deadline - Date.now()));
    this.boss = null;
  }

  private async install(
    boss: PgBoss,
    job: JobDefinition,
    schedule: boolean,
    existing: PgBoss.QueueResult | undefined,
    scheduled: StoredSchedule | undefined,
  ): Promise<void> {
    const queue = queueFor(job, this.options);
    if (!existing) await boss.createQueue(job.name, queue);
    // A queue made by an older version (or with other options) takes the current settings.
    else if (!queueMatches(existing, queue)) await boss.updateQueue(job.name, queue);
    if (schedule && (scheduled?.cron !== job.cron || scheduled.timezone !== 'UTC'))
      await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    await boss.work(
      job.name,
      { pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 5, batchSize: 1 },
      () => this.handle(job),
    );
  }

  /** Schedules of jobs this version no longer has would queue work nobody takes. */
  private async pruneSchedules(boss: PgBoss, schedules: readonly PgBoss.Schedule[]): Promise<void> {
    const known = new Set(this.jobs.map((j) => j.name));
    for (const s of schedules) {
      if (!known.has(s.name)) await boss.unschedule(s.name);
    }
  }

  private handle(job: JobDefinition): Promise<Record<string, unknown>> {
    const run = this.runOnce(job);
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async runOnce(job: JobDefinition): Promise<Record<string, unknown>> {
    // A fetch that was in flight when stop() began still hands over its job: fail it back instead of starting
    // work against a database that is about to close.
    if (this.stopRequested) throw new Error('the node is shutting down');
    const started = Date.now();
    try {
      const outcome = await this.exclusive(`${this.schema}:${job.name}`, () =>
        job.run({ app: this.app, log: this.log }),
      );
      if (!outcome.ran) {
        this.log.debug({ job: job.name }, 'job skipped: already running on another node');
        return { skipped: 'already running' };
      }
      const level = didSomething(outcome.value) ? 'info' : 'debug';
      this.log[level]({ job: job.name, ms: Date.now() - started, ...outcome.value }, 'job finished');
      return outcome.value;
    } catch (err) {
      this.log.warn({ job: job.name, err }, 'job failed; pg-boss retries it with backoff');
      throw err;
    }
  }

  private trackedDb(): PgBoss.Db {
    const inner = bossDb(this.app.db);
    return {
      executeSql: async (text, values) => {
        this.sqlPending++;
        try {
          return await inner.executeSql(text, values);
        } finally {
          this.sqlPending--;
        }
      },
    };
  }
}

function queueFor(job: JobDefinition, options: JobRunnerOptions): PgBoss.Queue {
  return {
    name: job.name,
    policy: 'stately',
    retryLimit: options.retryLimit ?? 3,
    retryDelay: options.retryDelaySeconds ?? 10,
    retryBackoff: true,
    expireInSeconds: job.expireInSeconds,
  };
}

/** A row of pg-boss's schedule table (its types leave out the time zone column). */
type StoredSchedule = PgBoss.Schedule & { timezone?: string };

/** Whether a queue already has the settings asked for (those left unset keep pg-boss's defaults). */
function queueMatches(existing: PgBoss.QueueResult, wanted: PgBoss.Queue): boolean {
  const keys = ['policy', 'retryLimit', 'retryDelay', 'retryBackoff', 'expireInSeconds'] as const;
  return keys.every((k) => wanted[k] === undefined || existing[k] === wanted[k]);
}

/** The platform's jobs and every registered kind's own (a receptionist's reminders). */
export function jobsOf(app: Pick<App, 'kinds'>): readonly JobDefinition[] {
  return [...JOB_DEFINITIONS, ...[...app.kinds.values()].flatMap((k) => k.jobs ?? [])];
}

/**
 * Installs pg-boss's schema and the queues, then stops without running a job. `twelve db migrate` does it as the
 * owner, so that the app role (store/app-role.ts), which may not create schemas, finds the job queue in place.
 */
export async function installJobQueue(db: Db, options: JobRunnerOptions = {}): Promise<string> {
  const schema = options.schema ?? (await jobsSchemaFor(db));
  const boss = new PgBoss({ db: bossDb(db), schema, schedule: false, supervise: false });
  boss.on('error', () => {});
  await serialized(db, `${schema}:install`, async () => {
    await boss.start();
    try {
      for (const job of options.jobs ?? JOB_DEFINITIONS)
        await boss.createQueue(job.name, queueFor(job, options));
    } finally {
      await boss.stop({ graceful: false, close: false });
    }
  });
  return schema;
}

function didSomething(summary: Record<string, unknown>): boolean {
  return Object.values(summary).some((v) => (typeof v === 'number' ? v > 0 : v !== null && v !== undefined));
}

async function settle(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0 || ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
