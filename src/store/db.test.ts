// Store contract: the same behaviour on PGlite and on the PostgreSQL server (run with TEST_DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverName, openTestDb, type TestDb } from '../../test/support/db.ts';
import { sqlState } from './db.ts';
import { loadMigrations, migrate } from './migrate.ts';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.dispose();
});

describe(`store contract (${driverName}) [store:same-contract-both-drivers]`, () => {
  it('applies migrations once; a second run finds nothing to do', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
  });

  it('parses int8 and numeric as numbers, timestamptz as Date, jsonb as objects on both drivers', async () => {
    const [row] = await db.query<{ i: number; n: number; t: Date; j: { a: number[] } }>(
      `SELECT 9007199254740::int8 AS i, 12.5::numeric AS n, '2026-01-01T00:00:00Z'::timestamptz AS t,
              '{"a":[1,2]}'::jsonb AS j`,
    );
    expect(row).toEqual({ i: 9007199254740, n: 12.5, t: new Date('2026-01-01T00:00:00Z'), j: { a: [1, 2] } });
  });

  it('rolls a transaction back when its function throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO settings (key, value) VALUES ('rollback-test', '1')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query(`SELECT 1 FROM settings WHERE key = 'rollback-test'`)).toEqual([]);
  });

  it('commits a transaction and reports SQLSTATE codes the same way', async () => {
    await db.transaction((tx) => tx.query(`INSERT INTO settings (key, value) VALUES ('commit-test', '1')`));
    const err = await db
      .query(`INSERT INTO settings (key, value) VALUES ('commit-test', '2')`)
      .catch((e: unknown) => e);
    expect(sqlState(err)).toBe('23505');
  });

  it('has the extensions the schema needs (pgcrypto, btree_gist)', async () => {
    const [row] = await db.query<{ u: string }>('SELECT gen_random_uuid()::text AS u');
    expect(row?.u).toMatch(/^[0-9a-f-]{36}$/);
    await db.exec(
      `CREATE TEMP TABLE ex_test (r int, during tstzrange, EXCLUDE USING gist (r WITH =, during WITH &&))`,
    );
    await db.query(`INSERT INTO ex_test VALUES (1, tstzrange('2026-01-01 10:00Z', '2026-01-01 11:00Z'))`);
    const err = await db
      .query(`INSERT INTO ex_test VALUES (1, tstzrange('2026-01-01 10:30Z', '2026-01-01 11:30Z'))`)
      .catch((e: unknown) => e);
    expect(sqlState(err)).toBe('23P01');
  });
});
