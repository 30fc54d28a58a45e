// The PostgreSQL settings of a PGlite data folder as `twelve start` opens it (open.ts): a small buffer pool, which
// TWELVE_PGLITE_SHARED_BUFFERS overrides; a value that is not a size is refused, not passed on to PostgreSQL. (A new
// folder's first open, initialized, closed and opened again, runs in every test that opens a folder: the support
// eval and the receptionist demo.)
import { describe, expect, it } from 'vitest';
import { openPglite, pgliteStartParams } from './db.ts';

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
