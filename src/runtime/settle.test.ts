// A sent reply's message.sent goes after its commit (AfterCommitNotifier, events/emit.ts), on a later turn of the event
// loop. Closing the app must send what is still pending before the database closes: otherwise the last replies
// before a shutdown would never reach the listeners of other nodes (the dashboard, the web chat hub).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { northwindAgent } from '../../test/support/webchat.ts';
import { createApp } from '../app.ts';
import { conversationOpener, customerMessageHandler } from '../conversations/conversations.ts';
import { type EventBus, openEventBus, type TwelveEvent } from '../events/bus.ts';
import type { Db } from '../store/db.ts';

let db: TestDb;
let bus: EventBus;
const delivered: string[] = [];

beforeAll(async () => {
  db = await openTestDb();
  bus = await openEventBus(db);
  bus.subscribe((e: TwelveEvent) => {
    if (e.type === 'message.sent' && typeof e.messageId === 'string') delivered.push(e.messageId);
  });
});
afterAll(async () => {
  await bus.close();
  await db.dispose();
});

/** The test database, recording notifications and close in order; its close leaves the shared database open. */
function recording(log: string[]): Db {
  return {
    driver: db.driver,
    ...(db.pglite ? { pglite: db.pglite } : {}),
    ...(db.pool ? { pool: db.pool } : {}),
    query(sql, params) {
      if (sql.includes('pg_notify')) log.push('notify');
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: async () => {
      log.push('close');
    },
  };
}

describe('closing the app', () => {
  it("sends a reply's pending event before it closes the database", async () => {
    const log: string[] = [];
    const app = createApp(recording(log));
    const agent = await northwindAgent(app, 'northwind-settle');
    const { conversation } = await conversationOpener(app, { agentId: agent.id, channel: 'webchat' });
    const result = await customerMessageHandler(app, { conversation, text: 'When are you open?' });
    expect(result.handledBy).toBe('agent');
    const reply = result.written?.find((m) => m.author === 'agent' && m.status === 'sent');
    expect(reply).toBeDefined();
    // The reply has committed; its event waits for a later turn of the event loop. Close right away.
    expect(log).not.toContain('notify');
    await app.close();
    expect(log).toEqual(['notify', 'close']);
    await expect.poll(() => delivered.includes(reply!.id), { timeout: 5000 }).toBe(true);
  });
});
