// AfterCommitNotifier: events handed in after their write committed reach the bus in order, batched into few
// statements; a failed statement is logged, never thrown at the caller; idle() waits for what was handed in.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { driverName, openTestDb, type TestDb } from '../../test/support/db.ts';
import type { Queryable } from '../store/db.ts';
import { openEventBus, type TwelveEvent } from './bus.ts';
import { AfterCommitNotifier, eventPayload } from './emit.ts';
import type { Log } from './log.ts';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.dispose();
});

/** The database, counting the statements sent through it. */
type Query = Pick<Queryable, 'query'>;

function counting(q: Query): Query & { statements: number } {
  const c = {
    statements: 0,
    query: ((sql: string, params?: unknown[]) => {
      c.statements++;
      return q.query(sql, params);
    }) as Queryable['query'],
  };
  return c;
}

describe(`AfterCommitNotifier (${driverName})`, () => {
  it('delivers every event, in order, in fewer statements than events', async () => {
    const bus = await openEventBus(db);
    try {
      const marker = randomUUID();
      const heard: TwelveEvent[] = [];
      const off = bus.subscribe((e) => e.marker === marker && heard.push(e));
      const q = counting(db);
      const notifier = new AfterCommitNotifier(q);
      for (let n = 0; n < 50; n++) notifier.notify(eventPayload({ type: 'message.sent', marker, n }));
      // Handed in while the first statement runs: they go in the next one.
      await new Promise((r) => setImmediate(r));
      for (let n = 50; n < 60; n++) notifier.notify(eventPayload({ type: 'message.sent', marker, n }));
      await notifier.idle();
      await vi.waitFor(() => expect(heard).toHaveLength(60), { timeout: 5000 });
      off();
      expect(heard.map((e) => e.n)).toEqual(Array.from({ length: 60 }, (_, n) => n));
      expect(q.statements).toBeGreaterThanOrEqual(1);
      expect(q.statements).toBeLessThanOrEqual(2);
    } finally {
      await bus.close();
    }
  });

  it('sends nothing before it is handed an event, and idle() resolves at once', async () => {
    const q = counting(db);
    const notifier = new AfterCommitNotifier(q);
    await notifier.idle();
    expect(q.statements).toBe(0);
  });

  it('logs a failed statement and keeps going with the next events', async () => {
    const warnings: string[] = [];
    const log: Log = {
      debug() {},
      info() {},
      warn: (_obj, msg) => warnings.push(msg),
      error() {},
    };
    let fail = true;
    const flaky: Query = {
      query: ((sql: string, params?: unknown[]) => {
        if (fail) {
          fail = false;
          return Promise.reject(new Error('connection lost'));
        }
        return db.query(sql, params);
      }) as Queryable['query'],
    };
    const bus = await openEventBus(db);
    try {
      const marker = randomUUID();
      const heard: TwelveEvent[] = [];
      const off = bus.subscribe((e) => e.marker === marker && heard.push(e));
      const notifier = new AfterCommitNotifier(flaky, log);
      notifier.notify(eventPayload({ type: 'lost', marker }));
      await notifier.idle();
      expect(warnings).toEqual(['events: could not notify, listeners miss these events']);
      notifier.notify(eventPayload({ type: 'kept', marker }));
      await notifier.idle();
      await vi.waitFor(() => expect(heard.length).toBeGreaterThanOrEqual(1), { timeout: 5000 });
      await new Promise((r) => setTimeout(r, 100));
      off();
      expect(heard.map((e) => e.type)).toEqual(['kept']);
    } finally {
      await bus.close();
    }
  });
});
