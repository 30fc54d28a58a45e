// The PostgreSQL settings of a PGlite data folder as `twelve start` opens it (open.ts): a small buffer pool, which
// TWELVE_PGLITE_SHARED_BUFFERS overrides; a value that is not a size is refused, not passed on to PostgreSQL. A new
// folder is initialized and migrated by a process of its own (initdb-process.mjs), then opened and locked; a folder that
// cannot be initialized is a clear error and leaves the folder unlocked. PGlite runs baseline WebAssembly code unless
// TWELVE_PGLITE_WASM=optimize (the footprint bench measures what it saves).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite, pgliteStartParams, pgliteWasmTier } from './db.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { openDatabase } from './open.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite settings', () => {
  it('runs with a 16 MB buffer pool', async () => {
    const db = await openPglite({ startParams: pgliteStartParams({}) });
    try {
      expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await db.close();
    }
  });

  it('takes the buffer pool size from TWELVE_PGLITE_SHARED_BUFFERS and refuses what is not a size', () => {
    expect(pgliteStartParams({ TWELVE_PGLITE_SHARED_BUFFERS: '64MB' })).toContain('shared_buffers=64MB');
    expect(() => pgliteStartParams({ TWELVE_PGLITE_SHARED_BUFFERS: '16MB -c fsync=off' })).toThrow(
      /TWELVE_PGLITE_SHARED_BUFFERS/,
    );
  });
});

describe('PGlite machine code', () => {
  it('runs baseline code unless TWELVE_PGLITE_WASM=optimize, and refuses another value', () => {
    expect(pgliteWasmTier({})).toBe('baseline');
    expect(pgliteWasmTier({ TWELVE_PGLITE_WASM: ' optimize ' })).toBe('optimize');
    expect(pgliteWasmTier({ TWELVE_PGLITE_WASM: 'baseline' })).toBe('baseline');
    expect(() => pgliteWasmTier({ TWELVE_PGLITE_WASM: 'turbofan' })).toThrow(/TWELVE_PGLITE_WASM/);
  });
});

describe('openDatabase on a PGlite folder', () => {
  it('initializes a new folder, migrates it, and opens it again after a close', async () => {
    const dataDir = join(dir, 'fresh');
    const db = await openDatabase({ dataDir, databaseUrl: undefined });
    try {
      expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      expect(
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations'))[0]!.n,
      ).toBeGreaterThan(20);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ dataDir, databaseUrl: undefined });
    await again.close();
  }, 60_000);

  it('migrates a new folder in the initializing process, so the node that opens it has nothing left to apply', async () => {
    const dataDir = join(dir, 'child', 'pg');
    const script = fileURLToPath(new URL('./initdb-process.mjs', import.meta.url));
    await promisify(execFile)(process.execPath, [script, dataDir, JSON.stringify(pgliteStartParams({}))]);
    const db = await openPglite({ dataDir });
    try {
      const applied = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      expect(applied.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('says why a folder cannot be initialized, and leaves it unlocked', async () => {
    const dataDir = join(dir, 'blocked');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'pg'), 'a file where the database folder should be');
    await expect(openDatabase({ dataDir, databaseUrl: undefined })).rejects.toThrow(
      /initializing the database folder .*blocked.pg failed/,
    );
    await expect(openDatabase({ dataDir, databaseUrl: undefined })).rejects.toThrow(
      /initializing the database folder/,
    );
  }, 60_000);
});
