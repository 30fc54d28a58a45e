// The server answers health and readiness checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { createApp } from '../app.ts';
import { buildServer } from './server.ts';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.dispose();
});

describe('server', () => {
  it('serves /health and /ready', async () => {
    const server = await buildServer(createApp(db), { logLevel: 'silent' });
    expect((await server.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await server.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready' });
    await server.close();
  });
});
