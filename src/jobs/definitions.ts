// The periodic work of a Twelve node. Each job calls one command; the logic stays in the command (DESIGN §6), and
// every command here is safe to run twice or on two nodes at once (conditional updates, leases, advisory locks), so
// a retry after a crash never does harm.
import type { App } from '../app.ts';
import { writeCheckpoint } from '../audit/verify.ts';
import type { Log } from '../events/log.ts';
import { measurementKindsOf } from '../metrics/measurement.ts';
import { maintenanceTrapSweeper } from '../metrics/trap.ts';
import { escalationReminder } from './reminders.ts';

export interface JobContext {
  app: App;
  log: Log;
}

export interface JobDefinition {
  /** The pg-boss queue name. */
  name: string;
  /** Five-field cron in UTC; pg-boss fires schedules at minute resolution. */
  cron: string;
  /** After this long pg-boss counts the run as failed and retries it (the advisory lock keeps runs apart). */
  expireInSeconds: number;
  /** Returns a small summary, stored as the job's output. */
  run(ctx: JobContext): Promise<Record<string, unknown>>;
}

export const JOB_DEFINITIONS: readonly JobDefinition[] = [
  {
    name: 'approvals.expire',
    cron: '* * * * *',
    expireInSeconds: 300,
    run: async ({ app }) => ({ expired: await app.runtime.expireApprovals() }),
  },
  {
    name: 'runs.recover',
    cron: '* * * * *',
    expireInSeconds: 900,
    run: async ({ app }) => ({ recovered: await app.runtime.recover() }),
  },
  {
    name: 'audit.checkpoint',
    cron: '*/5 * * * *',
    expireInSeconds: 600,
    run: async ({ app }) => {
      const checkpoint = await writeCheckpoint(app.db, app.clock);
      return checkpoint ? { checkpoint: checkpoint.id, streams: checkpoint.streams } : { checkpoint: null };
    },
  },
  {
    name: 'escalations.remind',
    cron: '*/15 * * * *',
    expireInSeconds: 600,
    run: async ({ app }) => ({ ...(await escalationReminder(app)) }),
  },
  {
    // The maintenance trap (metrics/trap.ts): entering it is recorded, audited and announced once per agent.
    name: 'measurement.trap',
    cron: '17 * * * *',
    expireInSeconds: 900,
    run: async ({ app }) => ({ ...(await maintenanceTrapSweeper(app, measurementKindsOf(app))) }),
  },
];

export function jobNamed(name: string, jobs: readonly JobDefinition[] = JOB_DEFINITIONS): JobDefinition {
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job named ${name}`);
  return job;
}
