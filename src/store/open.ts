// Opens the configured database (PostgreSQL server when DATABASE_URL is set, PGlite in the data folder
// otherwise) and brings its schema up to date. A PGlite folder is taken for this process first (lock.ts): a second
// process on it is refused with the holder's name instead of corrupting it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { type Db, openPg, openPglite, pgliteStartParams } from './db.ts';
import { lockDataDir } from './lock.ts';
import { migrate } from './migrate.ts';

export async function openDatabase(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Db> {
  if (config.databaseUrl) return migrated(openPg(config.databaseUrl));
  const lock = await lockDataDir(config.dataDir);
  let db: Db;
  try {
    const dataDir = join(config.dataDir, 'pg');
    const startParams = pgliteStartParams();
    // A new folder is initialized by a first instance (initdb's WASM heap grows to some 600 MB), closed at once so
    // that heap can be collected: the node then runs on an instance that never held it.
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await (await openPglite({ dataDir, startParams })).close();
    db = await openPglite({ dataDir, startParams });
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = db.close.bind(db);
  return migrated(
    Object.assign(db, {
      async close() {
        try {
          await close();
        } finally {
          lock.release();
        }
      },
    }),
  );
}

async function migrated(db: Db): Promise<Db> {
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
