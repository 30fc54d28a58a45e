// Pilot = tentative hold (issue 20 item 6), end to end on a real database and server: an agent assessed for pilot
// books through the dialogue; the runtime holds booking.create for a person's approval and the tool's hold books the
// slot `tentative` meanwhile (nobody else can take it; the customer hears it is pending confirmation by the
// business). A person confirms it from the calendar (POST …/confirm approves the approval: the booking is confirmed
// and the customer told on their channel) or declines it (POST …/cancel denies it: the hold is released and the
// customer told); an approval left undecided expires and releases the hold. A hold that cannot be taken (the slot
// went) asks nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../test/support/api.ts';
import { bookingCreator, listBookings, searchSlots } from '../../business/bookings.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../business/profile.ts';
import { ManualClock } from '../../clock.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
} from '../../conversations/conversations.ts';
import { assessmentRecorder } from '../../readiness/assessments.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';

const ADMIN = 'user:admin@example.com';
// Monday 2 March 2026, 08:00 in London (GMT).
const clock = new ManualClock('2026-03-02T08:00:00Z');
let api: Api;
let agent: AgentConfig;
let haircut: string;

beforeAll(async () => {
  api = await buildApi({ clock });
  const app = api.app;
  agent = await agentCreator(app, ADMIN, { kind: 'receptionist', name: 'pilot-desk', pilotPercent: 100 });
  await assessmentRecorder(app, ADMIN, agent.id, { clarity: 3, tolerance: 3, fallback: 3 });
  await profileSaver(app, ADMIN, agent.id, {
    timezone: 'Europe/London',
    hours: { days: [1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
    rules: { minNoticeMin: 60, maxDaysAhead: 60, slotStepMin: 30 },
  });
  const anna = await resourceCreator(app, ADMIN, agent.id, { name: 'Anna', kind: 'staff' });
  haircut = (
    await serviceCreator(app, ADMIN, agent.id, {
      name: 'Haircut',
      durationMin: 45,
      priceCents: 3500,
      resourceIds: [anna.id],
    })
  ).id;
});
afterAll(async () => {
  await api.app.runtime.settle();
  await api.close();
});

async function chat() {
  const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel: 'webchat' });
  const say = async (text: string) => {
    clock.advance(60_000);
    const r = await customerMessageHandler(api.app, { conversation: conversation as Conversation, text });
    return (r.written ?? [])
      .filter((m) => m.direction === 'out')
      .map((m) => m.body)
      .join(' | ');
  };
  return { say, conversationId: conversation.id };
}

/** Books through the dialogue up to the customer's yes; answers what the agent said to it. */
async function bookUpToYes(say: (t: string) => Promise<string>, when: string, name: string) {
  await say(`Can I book a haircut on ${when}?`);
  await say(name);
  await say(`${name.split(' ')[0]!.toLowerCase()}@example.com`);
  return say('yes');
}

const bookingOf = async (name: string) =>
  (
    await listBookings(api.db, agent.id, {
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
      includeCancelled: true,
    })
  ).filter((b) => b.customer.name === name);

async function approvalFor(name: string) {
  const [row] = await api.db.query<{ id: string; status: string; run_id: string; expires_at: Date }>(
    `SELECT a.id, a.status, a.run_id, a.expires_at FROM approvals a JOIN tool_calls t ON t.id = a.tool_call_id
     WHERE t.tool = 'booking.create' AND t.args->'customer'->>'name' = $1`,
    [name],
  );
  return row!;
}

const lastSaid = async (conversationId: string) => {
  const [row] = await api.db.query<{ body: string; status: string }>(
    `SELECT body, status FROM messages WHERE conversation_id = $1 AND direction = 'out'
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [conversationId],
  );
  return row!;
};

const freeStarts = async (date: string) =>
  (await searchSlots(api.db, agent.id, clock.now(), { serviceId: haircut, from: date, limit: 100 })).map(
    (s) => s.start.toISOString(),
  );

describe('pilot: a booking is held tentative until a person decides [policy:pilot-write-needs-approval]', () => {
  it('holds the slot, tells the customer it is pending, and a person confirms it from the calendar', async () => {
    const { say, conversationId } = await chat();
    expect(await bookUpToYes(say, 'Thursday at 4pm', 'Alan Turing')).toBe(
      "Thanks. I'm holding Thursday 5 March at 4pm for you: it is pending confirmation by the business, and we'll let you know as soon as it's confirmed.",
    );
    const [held] = await bookingOf('Alan Turing');
    const approval = await approvalFor('Alan Turing');
    const [run] = await api.db.query<{ mode: string; status: string }>(
      'SELECT mode, status FROM runs WHERE id = $1',
      [approval.run_id],
    );
    expect(run).toEqual({ mode: 'pilot', status: 'suspended' });
    // The hold lapses when the approval would expire.
    expect([held!.status, held!.holdUntil?.toISOString()]).toEqual([
      'tentative',
      new Date(approval.expires_at).toISOString(),
    ]);
    expect(await freeStarts('2026-03-05')).not.toContain('2026-03-05T16:00:00.000Z');
    await expect(
      bookingCreator(api.app, 'test', agent.id, {
        serviceId: haircut,
        start: '2026-03-05T16:00:00Z',
        customer: { name: 'Someone Else' },
        idempotencyKey: 'someone-else',
      }),
    ).rejects.toMatchObject({ id: 'slot_taken' });
    // A viewer may not confirm; a reviewer confirms from the calendar, which approves the approval.
    expect(
      (await api.as('viewer').post(`/api/agents/pilot-desk/bookings/${held!.code}/confirm`, {})).statusCode,
    ).toBe(403);
    clock.advance(60_000);
    const res = await api.as('reviewer').post(`/api/agents/pilot-desk/bookings/${held!.code}/confirm`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().booking).toMatchObject({ code: held!.code, status: 'confirmed' });
    expect((await approvalFor('Alan Turing')).status).toBe('approved');
    const after = await bookingOf('Alan Turing');
    expect(after.map((b) => [b.id, b.status, b.holdUntil])).toEqual([[held!.id, 'confirmed', null]]);
    // The customer is told on their channel, with the same code.
    expect(await lastSaid(conversationId)).toEqual({
      body: `You're booked: Haircut on Thursday 5 March at 4pm. Your code is ${held!.code}.`,
      status: 'sent',
    });
  });

  it('a person declines it from the calendar: the hold is cancelled, the time free again, the customer told', async () => {
    const { say, conversationId } = await chat();
    await bookUpToYes(say, 'Friday at 11am', 'Grace Hopper');
    const [held] = await bookingOf('Grace Hopper');
    expect(held!.status).toBe('tentative');
    expect(await freeStarts('2026-03-06')).not.toContain('2026-03-06T11:00:00.000Z');
    clock.advance(60_000);
    const res = await api
      .as('reviewer')
      .post(`/api/agents/pilot-desk/bookings/${held!.code}/cancel`, { reason: 'Anna is off that morning' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().booking.status).toBe('cancelled');
    expect((await approvalFor('Grace Hopper')).status).toBe('denied');
    expect(await freeStarts('2026-03-06')).toContain('2026-03-06T11:00:00.000Z');
    expect(await lastSaid(conversationId)).toEqual({
      body: "Sorry, the business couldn't confirm your Haircut on Friday 6 March at 11am. Would another day or time suit you?",
      status: 'sent',
    });
    // Deciding again is refused: the approval was decided once.
    const again = await api.as('reviewer').post(`/api/agents/pilot-desk/bookings/${held!.code}/confirm`, {});
    expect(again.statusCode).toBe(409);
  });

  it('an approval nobody decides expires and releases the hold', async () => {
    const { say } = await chat();
    await bookUpToYes(say, 'Saturday at 10am', 'Ada Lovelace');
    expect((await bookingOf('Ada Lovelace'))[0]!.status).toBe('tentative');
    clock.advance(25 * 3600_000);
    expect(await api.app.runtime.expireApprovals()).toBeGreaterThanOrEqual(1);
    expect((await approvalFor('Ada Lovelace')).status).toBe('expired');
    expect((await bookingOf('Ada Lovelace'))[0]!.status).toBe('cancelled');
    const audit = await api.db.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_events WHERE subject = $1 ORDER BY id`,
      [`booking:${(await bookingOf('Ada Lovelace'))[0]!.id}`],
    );
    expect(audit.map((a) => a.action)).toEqual(['booking.created', 'booking.cancelled']);
  });

  it('a slot gone before the hold asks nobody: the customer is offered other times', async () => {
    const { say } = await chat();
    await say('Can I book a haircut on Tuesday 10 March at 2pm?');
    await say('Barbara Liskov');
    await say('barbara@example.com');
    // Someone takes 2pm between the read-back and the yes.
    await bookingCreator(api.app, 'test', agent.id, {
      serviceId: haircut,
      start: '2026-03-10T14:00:00Z',
      customer: { name: 'Quick Customer' },
      idempotencyKey: 'quick',
    });
    const said = await say('yes');
    expect(said).toMatch(/Sorry, that time has just gone\./);
    expect(await bookingOf('Barbara Liskov')).toEqual([]);
    const calls = await api.db.query<{ status: string; decision: string }>(
      `SELECT t.status, t.decision FROM tool_calls t WHERE t.tool = 'booking.create' AND t.args->'customer'->>'name' = $1`,
      ['Barbara Liskov'],
    );
    expect(calls).toEqual([{ status: 'failed', decision: 'approval' }]);
    expect(
      await api.db.query(
        `SELECT 1 FROM approvals a JOIN tool_calls t ON t.id = a.tool_call_id WHERE t.args->'customer'->>'name' = $1`,
        ['Barbara Liskov'],
      ),
    ).toEqual([]);
  });
});
