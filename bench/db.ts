// The databases benchmarks run on: PGlite in memory, or a fresh schema on the PostgreSQL server
// (BENCH_DATABASE_URL), migrated, and dropped again by cleanup(). Null when the server is unreachable.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, openPg, openPglite } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import type { PostgresFilter } from './stats.ts';

export const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface Target {
  driver: 'pglite' | 'pg';
  db: Db;
  poolMax: number;
  /** The server runs on this machine (its CPU can be measured). */
  local: boolean;
  cleanup(): Promise<void>;
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function isLocal(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function openTarget(driver: string, prefix: string, poolMax: number): Promise<Target | null> {
  if (driver === 'pglite') {
    const db = await openPglite();
    await migrate(db);
    return { driver: 'pglite', db, poolMax: 1, local: false, cleanup: () => db.close() };
  }
  if (driver !== 'pg') throw new Error(`unknown bench driver ${driver} (pglite or pg)`);
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  try {
    await onServer(
      `CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public; CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;
       CREATE SCHEMA ${schema}`,
    );
  } catch (err) {
    console.log(
      `PostgreSQL at ${maskUrl(DATABASE_URL)} is unreachable (${err instanceof Error ? err.message : String(err)}): skipping pg.`,
    );
    return null;
  }
  const dropSchema = () => onServer(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const db = openPg(DATABASE_URL, { max: poolMax, searchPath: `${schema},public` });
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    await dropSchema();
    throw err;
  }
  console.log(`PostgreSQL: ${maskUrl(DATABASE_URL)}, schema ${schema}, pool max ${poolMax}`);
  return {
    driver: 'pg',
    db,
    poolMax,
    local: isLocal(DATABASE_URL),
    async cleanup() {
      await db.close().catch(() => {});
      await dropSchema();
    },
  };
}

/**
 * The server processes of this pool (every pooled connection is checked out once to learn its pid), so the suites
 * can count the PostgreSQL CPU their own work caused.
 */
export async function poolBackends(db: Db, poolMax: number): Promise<PostgresFilter | undefined> {
  const pool = db.pool;
  if (!pool) return undefined;
  const clients = await Promise.all(Array.from({ length: poolMax }, () => pool.connect()));
  try {
    const pids = await Promise.all(
      clients.map(
        async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
      ),
    );
    return { backends: new Set(pids) };
  } finally {
    for (const c of clients) c.release();
  }
}
