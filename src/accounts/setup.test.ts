// First-run setup links: two links used at the same moment create one admin, and a setup that fails does not use
// up its link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { countUsers, setupCompleter, setupLinkCreator } from './users.ts';

let db: TestDb;
let app: App;
beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
});
afterAll(async () => {
  await db.dispose();
});

describe('setup links', () => {
  it('keeps a link usable after a failed setup, and lets only one of two concurrent links create an admin', async () => {
    const a = (await setupLinkCreator(app))!;
    const b = (await setupLinkCreator(app))!;
    const [used] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM setup_tokens WHERE used_at IS NOT NULL',
    );
    expect(used?.n).toBe(0);
    const results = await Promise.allSettled([
      setupCompleter(app, a, { email: 'first@example.com', password: 'a long enough password' }),
      setupCompleter(app, b, { email: 'second@example.com', password: 'a long enough password' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await countUsers(db)).toBe(1);
    const [after] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM setup_tokens WHERE used_at IS NOT NULL',
    );
    expect(after?.n).toBe(1); // the losing link was rolled back, not burned (and is refused: users exist)
  });
});
