// Reminders: one message per booking in its conversation, on its channel (queued by the outbox trigger for email),
// when the profile says (24 h before by default), exactly once even when two nodes run the job at once; a moved
// booking is reminded again, a cancelled one or one without a conversation is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { bookingCanceller, bookingCreator, bookingRescheduler } from '../../business/bookings.ts';
import { ManualClock } from '../../clock.ts';
import { createServices, type Services } from '../../context.ts';
import { conversationOpener } from '../../conversations/conversations.ts';
import { reminderJob, sendDueReminders } from './reminders.ts';
import { testBusiness } from './test-support.ts';

let db: TestDb;
let svc: Services;
const clock = new ManualClock('2026-03-01T00:00:00Z');
beforeAll(async () => {
  db = await openTestDb();
  svc = createServices(db, clock);
});
afterAll(() => db.dispose());

describe('booking reminders', () => {
  it('sends one reminder per booking in its conversation, 24 hours ahead, whichever node runs the job', async () => {
    const b = await testBusiness(svc, { staff: 1 });
    const { conversation } = await conversationOpener(svc, { agentId: b.agentId, channel: 'email' });
    const book = (start: string, key: string, conversationId?: string) =>
      bookingCreator(svc, 'test', b.agentId, {
        serviceId: b.services[0]!.id,
        start,
        customer: { name: 'Ada', email: 'ada@example.com' },
        channel: 'email',
        conversationId,
        idempotencyKey: key,
      });
    const booking = await book('2026-03-03T10:00:00Z', 'r1', conversation.id);
    await book('2026-03-03T12:00:00Z', 'r2'); // the dashboard's: no conversation
    const cancelled = await book('2026-03-03T14:00:00Z', 'r3', conversation.id);
    await bookingCanceller(svc, 'test', b.agentId, { code: cancelled.code, idempotencyKey: 'r3c' });

    expect(await sendDueReminders(svc)).toEqual({ reminded: 0 });
    clock.set('2026-03-02T10:05:00Z');
    const peer = db.openPeer();
    const other = peer ? createServices(peer, clock) : svc;
    const runs = await Promise.all([sendDueReminders(svc), sendDueReminders(other), sendDueReminders(svc)]);
    await peer?.close();
    expect(runs.reduce((n, r) => n + r.reminded, 0)).toBe(1);
    expect(await sendDueReminders(svc)).toEqual({ reminded: 0 });

    const messages = await db.query<{ body: string; channel: string; delivery: string; author: string }>(
      'SELECT body, channel, delivery, author FROM messages WHERE conversation_id = $1',
      [conversation.id],
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ channel: 'email', delivery: 'queued', author: 'agent' });
    expect(messages[0]!.body).toBe(
      `Reminder: your Haircut with Staff 1 is on Tuesday 3 March at 10:00. To move or cancel it, reply here quoting your code ${booking.code}.`,
    );

    // Moved to the next day: due again when the new time is 24 hours away.
    await bookingRescheduler(svc, 'test', b.agentId, {
      code: booking.code,
      start: '2026-03-04T09:00:00Z',
      idempotencyKey: 'r1m',
    });
    expect(await sendDueReminders(svc)).toEqual({ reminded: 0 });
    clock.set('2026-03-03T09:30:00Z');
    expect(await reminderJob.run({ app: svc as never, log: console as never })).toEqual({ reminded: 1 });
    expect(
      (await db.query('SELECT 1 FROM messages WHERE conversation_id = $1', [conversation.id])).length,
    ).toBe(2);
  });
});
