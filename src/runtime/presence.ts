// Which processes are alive. A node holds a session advisory lock named by its node id for as long as it runs: on a
// PostgreSQL server on a connection of its own, which the server drops when the process dies (kill -9 included); on
// PGlite in the process's own database, which dies with it. Any node can then tell whether the holder of a claim (an
// inbound message being processed, a run's lease) still runs, by reading pg_locks: a restarted node takes over work
// a dead process left at once instead of waiting out a timeout. This only makes recovery prompt; correctness never
// rests on it (the work it hands over is idempotent), so a node that looks dead while it runs (its lock connection
// broke) costs a repeated check, never a repeated effect.
import type pg from 'pg';
import type { Db, Queryable } from '../store/db.ts';

/** Advisory lock class for node presence (7212001 migrations, 7212002 audit checkpoints, 7212003 jobs are taken). */
export const PRESENCE_LOCK_CLASS = 7_212_004;

/** SQL true when the node id in `expr` holds its presence lock (is running), on this database. */
export function nodeAliveSql(expr: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = ${PRESENCE_LOCK_CLASS}
    AND objid = hashtext(${expr})::oid AND objsubid = 2
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`;
}

export async function nodeAlive(q: Queryable, nodeId: string): Promise<boolean> {
  const [row] = await q.query<{ alive: boolean }>(`SELECT ${nodeAliveSql('$1')} AS alive`, [nodeId]);
  return row?.alive === true;
}

export interface Presence {
  /** Releases the lock (a clean stop); the node then looks gone to the others. */
  stop(): Promise<void>;
}

/** Announces this node as running until stop() (or the process's death). */
export async function startPresence(
  db: Db,
  nodeId: string,
  onError?: (err: unknown) => void,
): Promise<Presence> {
  const pool = db.pool;
  const lock = 'SELECT pg_advisory_lock($1, hashtext($2))';
  if (db.driver !== 'pg' || !pool) {
    await db.query(lock, [PRESENCE_LOCK_CLASS, nodeId]);
    return {
      async stop() {
        await db
          .query('SELECT pg_advisory_unlock($1, hashtext($2))', [PRESENCE_LOCK_CLASS, nodeId])
          .catch(() => {});
      },
    };
  }
  let stopped = false;
  let client: pg.PoolClient | null = null;
  let retry: NodeJS.Timeout | null = null;
  const acquire = async (): Promise<void> => {
    const c = await pool.connect();
    try {
      await c.query(lock, [PRESENCE_LOCK_CLASS, nodeId]);
    } catch (err) {
      c.release(true);
      throw err;
    }
    // A broken connection loses the lock: take it again on a new one.
    c.on('error', (err: unknown) => {
      onError?.(err);
      if (client === c) client = null;
      c.release(true);
      if (!stopped) schedule();
    });
    if (stopped) {
      c.release(true);
      return;
    }
    client = c;
  };
  const schedule = () => {
    retry ??= setTimeout(() => {
      retry = null;
      acquire().catch((err: unknown) => {
        onError?.(err);
        if (!stopped) schedule();
      });
    }, 2_000);
    retry.unref();
  };
  await acquire();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      // Closing the session releases the lock.
      c?.release(true);
    },
  };
}
