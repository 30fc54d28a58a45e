// The event bus delivers committed pg_notify events to every subscriber (across connections on a server), drops
// foreign payloads, isolates failing subscribers, and on PostgreSQL comes back after its connection is killed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverName, openTestDb, type TestDb } from '../../test/support/db.ts';
import type { Queryable } from '../store/db.ts';
import { type EventBus, openEventBus, parseEvent, RESYNC_EVENT, type TwelveEvent } from './bus.ts';
import { EVENT_CHANNEL_SQL } from './emit.ts';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.dispose();
});

const notify = (q: Queryable, event: object) =>
  q.query(`SELECT pg_notify(${EVENT_CHANNEL_SQL}, $1)`, [JSON.stringify(event)]);

/** Resolves with the first event matching `pred`. */
function next(bus: EventBus, pred: (e: TwelveEvent) => boolean, timeoutMs = 5000): Promise<TwelveEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no matching event arrived'));
    }, timeoutMs);
    const off = bus.subscribe((e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

describe(`event bus (${driverName})`, () => {
  it.skipIf(driverName !== 'pg')('keeps installs in different schemas of one database apart', async () => {
    const other = await openTestDb();
    const bus = await openEventBus(db);
    try {
      const heard: TwelveEvent[] = [];
      const off = bus.subscribe((e) => heard.push(e));
      const marker = randomUUID();
      await notify(other, { type: 'foreign', marker });
      await notify(db, { type: 'own', marker });
      await new Promise((r) => setTimeout(r, 300));
      off();
      expect(heard.filter((e) => e.marker === marker).map((e) => e.type)).toEqual(['own']);
    } finally {
      await bus.close();
      await other.dispose();
    }
  });

  it('parses only {type: string} objects', () => {
    expect(parseEvent('{"type":"approval.decided","approvalId":"a"}')).toEqual({
      type: 'approval.decided',
      approvalId: 'a',
    });
    for (const bad of ['nope', '[]', '{}', '{"type":3}', '{"type":""}', 'null'])
      expect(parseEvent(bad)).toBeNull();
  });

  it('delivers committed events to every subscriber and none after unsubscribe', async () => {
    const bus = await openEventBus(db);
    try {
      const marker = randomUUID();
      const seenA: TwelveEvent[] = [];
      const offA = bus.subscribe((e) => e.marker === marker && seenA.push(e));
      const b = next(bus, (e) => e.marker === marker);
      await notify(db, { type: 'message.sent', marker });
      expect(await b).toEqual({ type: 'message.sent', marker });
      expect(seenA).toHaveLength(1);
      offA();
      const c = next(bus, (e) => e.marker === marker && e.n === 2);
      await notify(db, { type: 'message.sent', marker, n: 2 });
      await c;
      expect(seenA).toHaveLength(1);
    } finally {
      await bus.close();
    }
  });

  it('delivers nothing from a rolled-back transaction', async () => {
    const bus = await openEventBus(db);
    try {
      const marker = randomUUID();
      const seen: TwelveEvent[] = [];
      bus.subscribe((e) => e.marker === marker && seen.push(e));
      await expect(
        db.transaction(async (tx) => {
          await notify(tx, { type: 'approval.decided', marker, rolledBack: true });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const done = next(bus, (e) => e.marker === marker && e.committed === true);
      await db.transaction((tx) => notify(tx, { type: 'approval.decided', marker, committed: true }));
      await done;
      expect(seen).toEqual([{ type: 'approval.decided', marker, committed: true }]);
    } finally {
      await bus.close();
    }
  });

  it('ignores foreign payloads and keeps delivering when a subscriber throws', async () => {
    const bus = await openEventBus(db);
    try {
      const marker = randomUUID();
      bus.subscribe(() => {
        throw new Error('broken subscriber');
      });
      const got = next(bus, (e) => e.marker === marker);
      await db.query(`SELECT pg_notify(${EVENT_CHANNEL_SQL}, $1)`, ['not json']);
      await notify(db, { type: 'escalation.opened', marker });
      expect((await got).type).toBe('escalation.opened');
    } finally {
      await bus.close();
    }
  });

  it.skipIf(driverName !== 'pg')('hears events sent by another node (another pool)', async () => {
    const bus = await openEventBus(db);
    const peer = db.openPeer()!;
    try {
      const marker = randomUUID();
      const got = next(bus, (e) => e.marker === marker);
      await notify(peer, { type: 'approval.decided', marker });
      expect(await got).toMatchObject({ type: 'approval.decided', marker });
    } finally {
      await peer.close();
      await bus.close();
    }
  });

  it.skipIf(driverName !== 'pg')('reconnects with backoff after its connection is killed', async () => {
    const applicationName = `twelve-events-${randomUUID().slice(0, 8)}`;
    const bus = await openEventBus(db, { applicationName, backoff: { initialMs: 50, maxMs: 400 } });
    try {
      const resynced = next(bus, (e) => e.type === RESYNC_EVENT);
      const [killed] = await db.query<{ n: number }>(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      expect(killed!.n).toBe(1);
      await resynced;
      const marker = randomUUID();
      const got = next(bus, (e) => e.marker === marker);
      await notify(db, { type: 'message.sent', marker });
      expect(await got).toMatchObject({ marker });
    } finally {
      await bus.close();
    }
    const [left] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    expect(left!.n).toBe(0);
  });
});
