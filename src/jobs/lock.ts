// "This job runs on at most one node at a time", independent of pg-boss's bookkeeping. pg-boss's stately queues
// already allow one active job per queue, but pg-boss gives up on a job whose handler outlives its expiry and hands
// it out again while the first handler is still running. A session advisory lock held for the whole run closes that
// gap: it lives exactly as long as the run's connection, so a crashed node releases it by dying.
import type { Db } from '../store/db.ts';

/** Advisory lock class for jobs (7212001 migrations and 7212002 audit checkpoints are taken). */
const JOB_LOCK_CLASS = 7_212_003;

export type Exclusive = <T>(
  key: string,
  fn: () => Promise<T>,
) => Promise<{ ran: true; value: T } | { ran: false }>;

export function exclusiveRunner(db: Db): Exclusive {
  const pool = db.pool;
  if (db.driver === 'pg' && pool) {
    return async (key, fn) => {
      const client = await pool.connect();
      let broken = false;
      try {
        const [row] = (
          await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
            JOB_LOCK_CLASS,
            key,
          ])
        ).rows;
        if (!row?.ok) return { ran: false };
        try {
          return { ran: true, value: await fn() };
        } finally {
          await client
            .query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_CLASS, key])
            .catch(() => {
              // Closing the session is the other way to release it.
              broken = true;
            });
        }
      } finally {
        client.release(broken);
      }
    };
  }
  // PGlite serves one process, so the process is the whole world.
  const held = new Set<string>();
  return async (key, fn) => {
    if (held.has(key)) return { ran: false };
    held.add(key);
    try {
      return { ran: true, value: await fn() };
    } finally {
      held.delete(key);
    }
  };
}

/**
 * Runs fn while holding a blocking advisory lock: nodes take turns. Used around pg-boss's start-up and queue
 * creation, which attach partitions to one parent table and deadlock when two nodes create queues at once.
 */
export async function serialized<T>(db: Db, key: string, fn: () => Promise<T>): Promise<T> {
  const pool = db.pool;
  if (db.driver !== 'pg' || !pool) return fn();
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [JOB_LOCK_CLASS, key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_CLASS, key]).catch(() => {
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
}
