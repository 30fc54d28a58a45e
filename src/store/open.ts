// Opens the configured database (PostgreSQL server when DATABASE_URL is set, PGlite in the data folder
// otherwise) and brings its schema up to date. A PGlite folder is taken for this process first (lock.ts): a second
// process on it is refused with the holder's name instead of corrupting it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { applyPgliteWasmTier, type Db, openPg, openPglite, pgliteStartParams, pgliteWasmTier } from './db.ts';
import { lockDataDir } from './lock.ts';
import { migrate } from './migrate.ts';

export async function openDatabase(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Db> {
  if (config.databaseUrl) return migrated(openPg(config.databaseUrl));
  const lock = await lockDataDir(config.dataDir);
  let db: Db;
  try {
    const dataDir = join(config.dataDir, 'pg');
    const startParams = pgliteStartParams();
    applyPgliteWasmTier(pgliteWasmTier());
    // A new folder is initialized and migrated by a process of its own (initdb's WASM heap grows far past a running
    // node's, and memory once held stays with the process): the node then runs on an instance that never held it.
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdbElsewhere(dataDir, startParams);
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

/**
 * Makes a new PGlite folder ready: initdb, then the migrations (store/migrate.ts), then closed. Run by
 * initdb-process.mjs in a process of its own, so that neither initdb's heap nor what the schema's DDL grew stays in
 * the node that serves (a first start's idle RSS 60 s after start: 206 → 193 MB).
 */
export async function initializeFolder(dataDir: string, startParams: string[]): Promise<void> {
  const db = await migrated(await openPglite({ dataDir, startParams }));
  await db.close();
}

function initdbElsewhere(dataDir: string, startParams: string[]): Promise<void> {
  const script = fileURLToPath(new URL('./initdb-process.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, dataDir, JSON.stringify(startParams)], (err, _out, stderr) => {
      if (!err) resolve();
      else
        reject(
          new Error(`initializing the database folder ${dataDir} failed: ${stderr.trim() || err.message}`),
        );
    });
  });
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
