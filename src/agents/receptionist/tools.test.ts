// The receptionist's tools over a real database: risk classes as the runtime's policy needs them, services and
// people named as a dialogue hears them, and the tool call's idempotency key as the booking's (a redelivered
// call books once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { ManualClock } from '../../clock.ts';
import { createServices, type Services } from '../../context.ts';
import { testBusiness } from './test-support.ts';
import { receptionistTools } from './tools.ts';

let db: TestDb;
let svc: Services;
beforeAll(async () => {
  db = await openTestDb();
  svc = createServices(db, new ManualClock('2026-03-01T00:00:00Z'));
});
afterAll(() => db.dispose());

describe('receptionist tools', () => {
  it('has one risk class per tool: search reads, booking and moving write, cancelling is destructive', () => {
    const tools = receptionistTools(svc);
    expect(Object.fromEntries(tools.list().map((t) => [t.name, t.risk]))).toEqual({
      'availability.search': 'read',
      'booking.create': 'write',
      'booking.reschedule': 'write',
      'booking.cancel': 'destructive',
    });
  });

  it('searches by service name, books once per tool call, moves and cancels by code', async () => {
    const b = await testBusiness(svc, { staff: 1 });
    const tools = receptionistTools(svc);
    const call = async (name: string, args: unknown, idempotencyKey = `call-${name}`) => {
      const tool = tools.get(name)!;
      const parsed = tool.input.parse(args);
      return tool.handler(parsed, {
        runId: '00000000-0000-0000-0000-000000000000',
        agentId: b.agentId,
        idempotencyKey,
      });
    };
    const found = await call('availability.search', { service: 'haircut', date: '2026-03-29', limit: 3 });
    expect(found.timezone).toBe('Europe/London');
    expect(found.slots.map((s: { localStart: string }) => s.localStart)).toEqual([
      '2026-03-29T09:00+01:00',
      '2026-03-29T09:15+01:00',
      '2026-03-29T09:30+01:00',
    ]);
    const args = {
      service: 'Haircut',
      start: found.slots[0].start,
      resource: 'staff 1',
      customer: { name: 'Ada' },
    };
    const booked = await call('booking.create', args, 'tool-call-1');
    expect(await call('booking.create', args, 'tool-call-1')).toEqual(booked);
    expect((await db.query('SELECT 1 FROM bookings WHERE agent_id = $1', [b.agentId])).length).toBe(1);
    expect(booked.localStart).toBe('2026-03-29T09:00+01:00');

    const moved = await call('booking.reschedule', { code: booked.code, start: found.slots[2].start });
    expect(moved.localStart).toBe('2026-03-29T09:30+01:00');
    const cancelled = await call('booking.cancel', { code: booked.code });
    expect(cancelled.status).toBe('cancelled');
    await expect(
      call('availability.search', { service: 'Massage', date: '2026-03-29' }),
    ).rejects.toMatchObject({
      id: 'validation_failed',
    });
  });
});
