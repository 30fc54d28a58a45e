// Test databases: a PGlite instance loaded from a migrated template (fast), or, when TEST_DATABASE_URL is
// set, a fresh schema on the PostgreSQL server. One per test file; tests inside a file share it.
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { expect, inject } from 'vitest';
import { type Db, openPg, openPglite } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

export const serverUrl = process.env.TEST_DATABASE_URL;
export const driverName = serverUrl ? 'pg' : 'pglite';

// Every test database and every check of the driver comes from this module, so a test file that does not load it
// runs the same on PGlite and on the PostgreSQL server. With TWELVE_DB_TEST_FILES set, each test file that loads it
// adds its path to that file: CI (.ci/run) runs the whole suite on PGlite, then only those files on the server.
if (process.env.TWELVE_DB_TEST_FILES) {
  const file = expect.getState().testPath;
  if (file) appendFileSync(process.env.TWELVE_DB_TEST_FILES, `${file}\n`);
}

export interface TestDb extends Db {
  /** Drops what the test created (the schema on a server). */
  dispose(): Promise<void>;
  /** A second connection pool to the same database, as another node would have (pg only; null on PGlite). */
  openPeer(): Db | null;
}

export async function openTestDb(options: { pgliteTemplate?: boolean } = {}): Promise<TestDb> {
  if (serverUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = openPg(serverUrl, { max: 1 });
    await admin.exec(
      `CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public; CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;
       CREATE SCHEMA ${schema}`,
    );
    await admin.close();
    const searchPath = `${schema},public`;
    const db = openPg(serverUrl, { searchPath });
    await migrate(db);
    return Object.assign(db, {
      async dispose() {
        await db.close();
        const a = openPg(serverUrl, { max: 1 });
        await a.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await a.close();
      },
      openPeer: () => openPg(serverUrl, { searchPath }),
    });
  }
  const templatePath = options.pgliteTemplate === false ? undefined : inject('pgliteTemplate');
  const db = templatePath
    ? await openPglite({ loadDataDir: new Blob([readFileSync(templatePath)]) })
    : await openPglite();
  if (!templatePath) await migrate(db);
  return Object.assign(db, { dispose: () => db.close(), openPeer: () => null });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
