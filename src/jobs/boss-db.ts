// pg-boss talks to the database through our Db instead of opening its own pool: one pool to size and watch on a
// server, and on PGlite the only way in (one instance, one connection). pg-boss sends two kinds of SQL: ordinary
// parameterized statements, and maintenance scripts of several statements wrapped in `BEGIN; … COMMIT;`.
import type PgBoss from 'pg-boss';
import type { Db } from '../store/db.ts';

const WRAPPED = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/;

type Rows = { rows: Record<string, unknown>[] };

export function bossDb(db: Db): PgBoss.Db {
  if (db.driver === 'pglite' && db.pglite) {
    const instance = db.pglite;
    return {
      async executeSql(text: string, values?: unknown[]): Promise<Rows> {
        if (values?.length) return { rows: (await instance.query(text, values)).rows as Rows['rows'] };
        // The extended protocol takes one statement, so scripts go through exec. A wrapped script runs inside
        // PGlite's own transaction, which holds the instance's lock and rolls back on error: a bare BEGIN that
        // failed halfway would leave the one shared connection in an aborted transaction for everyone else.
        const wrapped = WRAPPED.exec(text);
        const results = wrapped
          ? await instance.transaction((tx) => tx.exec(wrapped[1]!))
          : await instance.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as Rows['rows'] };
      },
    };
  }
  const pool = db.pool;
  if (!pool) throw new Error('pg-boss needs a PGlite instance or a pg pool');
  return {
    async executeSql(text: string, values?: unknown[]): Promise<Rows> {
      const client = await pool.connect();
      let broken = false;
      try {
        const result = await client.query(text, values);
        // A script returns one result per statement; pg-boss reads the last one.
        const last = Array.isArray(result) ? result.at(-1) : result;
        return { rows: (last?.rows ?? []) as Rows['rows'] };
      } catch (err) {
        // A script that failed after its BEGIN leaves the session in an aborted transaction: do not pool it.
        broken = WRAPPED.test(text);
        throw err;
      } finally {
        client.release(broken);
      }
    },
  };
}
