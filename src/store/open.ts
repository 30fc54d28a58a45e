// Opens the configured database (PostgreSQL server when DATABASE_URL is set, PGlite in the data folder
// otherwise) and brings its schema up to date.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { type Db, openPg, openPglite } from './db.ts';
import { migrate } from './migrate.ts';

export async function openDatabase(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Db> {
  const db = config.databaseUrl
    ? openPg(config.databaseUrl)
    : await openPglite({ dataDir: join(config.dataDir, 'pg') });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
