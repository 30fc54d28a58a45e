// Applies the SQL files in ./migrations in name order, each once, in its own transaction. An advisory lock
// makes concurrent start-ups of several nodes safe: one migrates, the others wait and find nothing to do.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, sqlState } from './db.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 7_212_001; // arbitrary, constant: "twelve migrations"

export interface Migration {
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

export async function migrate(db: Db, migrations = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  // Checked before CREATE … IF NOT EXISTS, which needs the right to create even when the table is there: the app
  // role (store/app-role.ts) may not create anything, and has nothing to apply once the owner migrated.
  const [known] = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!known?.t)
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const run = async () => {
    const done = new Set(
      (await db.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name),
    );
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await db
        .transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
        })
        .catch((err: unknown) => {
          if (sqlState(err) !== '42501') throw err;
          throw new Error(
            `migration ${m.name} needs the owner of Twelve's tables (${(err as Error).message}): run \`twelve db migrate\` with the owner's DATABASE_URL, then start Twelve as its app role again`,
          );
        });
      applied.push(m.name);
    }
  };
  if (db.driver === 'pg' && db.pool) {
    const client = await db.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
      try {
        await run();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  } else {
    await run();
  }
  return applied;
}
