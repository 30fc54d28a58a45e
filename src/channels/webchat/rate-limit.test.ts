// Per-IP limits shared by nodes: two SharedWindowLimiters on one database play two nodes (one clock, moved by
// hand; syncs called by hand instead of the timer). Runs on PGlite and on the PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import type { Queryable } from '../../store/db.ts';
import { SharedWindowLimiter } from './rate-limit.ts';

let db: TestDb;
let clock = 0;
const now = () => clock;
const LIMIT = { max: 6, windowMs: 10_000 };
let scopes = 0;

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.dispose();
});

function nodes(q: Queryable = db, options: { onError?: (err: unknown) => void } = {}) {
  const scope = `test:${++scopes}`;
  return {
    scope,
    a: new SharedWindowLimiter(q, scope, LIMIT, { now, ...options }),
    b: new SharedWindowLimiter(q, scope, LIMIT, { now, ...options }),
  };
}

const takes = (l: SharedWindowLimiter, key: string, n: number) =>
  Array.from({ length: n }, () => l.take(key));

describe('SharedWindowLimiter', () => {
  it('holds one limit for an address spread over two nodes, once each has synced', async () => {
    clock = 1_000_000;
    const { a, b } = nodes();
    expect(takes(a, '203.0.113.9', 4)).toEqual([true, true, true, true]);
    await a.sync();
    // B has not seen this address yet: it only knows its own hit until its next sync.
    expect(b.take('203.0.113.9')).toBe(true);
    await b.sync();
    // Now B knows A's 4 and its own 1: one more fits, then the address is over the limit on B…
    expect(takes(b, '203.0.113.9', 3)).toEqual([true, false, false]);
    await b.sync();
    // …and on A, after A's next sync, although A itself only counted 4.
    expect(a.take('203.0.113.9')).toBe(true);
    await a.sync();
    expect(a.take('203.0.113.9')).toBe(false);
    // Other addresses have their own budget, and refusals were not counted.
    expect(a.take('198.51.100.1')).toBe(true);
    const [row] = await db.query<{ hits: number }>(
      `SELECT sum(hits)::int AS hits FROM rate_limit_hits WHERE key = '203.0.113.9'`,
    );
    expect(row!.hits).toBe(7);
  });

  it('bounds a burst spread over nodes between syncs to one limit per node', async () => {
    clock = 2_000_000;
    const { a, b } = nodes();
    expect(takes(a, 'x', 8).filter(Boolean)).toHaveLength(6);
    expect(takes(b, 'x', 8).filter(Boolean)).toHaveLength(6);
    await Promise.all([a.sync(), b.sync()]);
    expect([a.take('x'), b.take('x')]).toEqual([false, false]);
  });

  it('slides: the previous window counts for the part of it still inside the sliding window', async () => {
    clock = 3_000_000; // the start of a window
    const { a, b } = nodes();
    expect(takes(a, 'y', 6).every(Boolean)).toBe(true);
    await a.sync();
    await b.sync(); // B tracks nothing yet: it reads nothing
    clock += LIMIT.windowMs / 2 + LIMIT.windowMs; // half-way through the next window: 6 × 0.5 = 3 still count
    b.take('y');
    await b.sync();
    expect(takes(b, 'y', 4)).toEqual([true, true, false, false]);
    clock += LIMIT.windowMs * 2; // both windows have slid out
    a.sweep();
    expect(takes(a, 'y', 6).every(Boolean)).toBe(true);
  });

  it('keeps counting locally while the database is away, and adds the counts when it is back', async () => {
    clock = 4_000_000;
    let down = true;
    const errors: unknown[] = [];
    const flaky: Queryable = {
      query: (sql, params) =>
        down ? Promise.reject(new Error('connection refused')) : db.query(sql, params),
      exec: (sql) => db.exec(sql),
    };
    const { a, scope } = nodes(flaky, { onError: (err) => errors.push(err) });
    expect(takes(a, 'z', 8).filter(Boolean)).toHaveLength(6);
    await a.sync();
    expect(errors).toHaveLength(1);
    expect(a.take('z')).toBe(false);
    down = false;
    await a.sync();
    const [row] = await db.query<{ hits: number }>(
      'SELECT hits FROM rate_limit_hits WHERE scope = $1 AND key = $2',
      [scope, 'z'],
    );
    expect(row!.hits).toBe(6);
    expect(a.take('z')).toBe(false);
  });

  it('deletes windows that no longer decide anything, once a minute', async () => {
    clock = 5_000_000;
    const { a, scope } = nodes();
    a.take('old');
    await a.sync();
    clock += 120_000;
    a.take('new');
    await a.sync();
    const rows = await db.query<{ key: string }>('SELECT key FROM rate_limit_hits WHERE scope = $1', [scope]);
    expect(rows.map((r) => r.key)).toEqual(['new']);
  });
});
