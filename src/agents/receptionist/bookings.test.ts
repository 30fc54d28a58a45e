// Availability and bookings on a real database (PGlite, or the server with TEST_DATABASE_URL): daylight-saving days
// in Europe/London and America/New_York have the slots their clocks really have, rules refuse with alternatives,
// every command is idempotent, and the exclusion constraint lets no two bookings of a resource overlap, whoever
// races for the slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { verifyAudit } from '../../audit/verify.ts';
import {
  bookingCanceller,
  bookingCreator,
  bookingRescheduler,
  CODE_ALPHABET,
  confirmBooking,
  listBookings,
  localIso,
  searchSlots,
  wallClockInstants,
} from '../../business/bookings.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../business/profile.ts';
import { ManualClock } from '../../clock.ts';
import { createServices, type Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { receptionistAgent, testBusiness } from './test-support.ts';

let db: TestDb;
let svc: Services;
const clock = new ManualClock('2026-03-01T00:00:00Z');
beforeAll(async () => {
  db = await openTestDb();
  svc = createServices(db, clock);
});
afterAll(() => db.dispose());

const customer = { name: 'Ada', phone: '+44 20 7946 0000' };
let keys = 0;
const key = () => `k-${++keys}`;

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const OVERLAPS = `SELECT count(*)::int AS n FROM bookings a JOIN bookings b
  ON a.resource_id = b.resource_id AND a.id < b.id AND a.blocked && b.blocked
  WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'`;

describe('daylight-saving days', () => {
  const cases = [
    { zone: 'Europe/London', spring: '2026-03-29', autumn: '2026-10-25', gapHour: 1, twiceHour: 1 },
    { zone: 'America/New_York', spring: '2026-03-08', autumn: '2026-11-01', gapHour: 2, twiceHour: 1 },
  ];

  for (const c of cases) {
    it(`${c.zone}: a 09:00-18:00 day on either change has the usual 33 hour-long slots, at the local times`, async () => {
      const b = await testBusiness(svc, { timezone: c.zone, staff: 1 });
      for (const date of [c.spring, c.autumn, '2026-06-10']) {
        const slots = await searchSlots(db, b.agentId, clock.now(), {
          serviceId: b.services[0]!.id,
          from: date,
          limit: 100,
        });
        expect(slots).toHaveLength(33);
        expect(localIso(slots[0]!.start, c.zone).slice(0, 16)).toBe(`${date}T09:00`);
        expect(localIso(slots.at(-1)!.start, c.zone).slice(0, 16)).toBe(`${date}T17:00`);
        expect(slots.at(-1)!.end.getTime() - slots[0]!.start.getTime()).toBe(9 * 3_600_000);
      }
    });

    it(`${c.zone}: a night business offers nothing in the spring gap and both occurrences of the repeated hour`, async () => {
      const b = await testBusiness(svc, {
        timezone: c.zone,
        staff: 1,
        hours: { days: [0, 1, 2, 3, 4, 5, 6], open: '00:00', close: '05:00' },
      });
      const search = (date: string) =>
        searchSlots(db, b.agentId, clock.now(), { serviceId: b.services[0]!.id, from: date, limit: 100 });
      const hourOf = (d: Date) => Number(localIso(d, c.zone).slice(11, 13));

      const spring = await search(c.spring);
      expect(spring).toHaveLength(13); // 4 real hours: (240 - 60) / 15 + 1
      expect(spring.filter((s) => hourOf(s.start) === c.gapHour)).toEqual([]);
      expect(wallClockInstants(c.spring, `0${c.gapHour}:30`, c.zone)).toEqual([]);

      const autumn = await search(c.autumn);
      expect(autumn).toHaveLength(21); // 6 real hours: (360 - 60) / 15 + 1
      const twice = autumn.filter((s) => localIso(s.start, c.zone).slice(11, 16) === `0${c.twiceHour}:30`);
      expect(twice).toHaveLength(2);
      expect(twice[1]!.start.getTime() - twice[0]!.start.getTime()).toBe(3_600_000);
      expect(wallClockInstants(c.autumn, `0${c.twiceHour}:30`, c.zone)).toEqual(twice.map((s) => s.start));

      // Booking the first 01:30 leaves the second free: they are different instants, booked by their offset.
      const first = await bookingCreator(svc, 'test', b.agentId, {
        serviceId: b.services[0]!.id,
        start: twice[0]!.start.toISOString(),
        customer,
        idempotencyKey: key(),
      });
      expect(first.start).toEqual(twice[0]!.start);
      const after = await search(c.autumn);
      expect(after.map((s) => s.start.getTime())).not.toContain(twice[0]!.start.getTime());
      expect(after.map((s) => s.start.getTime())).toContain(twice[1]!.start.getTime());
    });
  }
});

describe('the business profile', () => {
  it('refuses a bad setting naming its field, and audits every save on the agent stream', async () => {
    const agentId = await receptionistAgent(db);
    const bad = async (input: unknown) =>
      (await refusal(profileSaver(svc, 'test', agentId, input as never))).details as Array<{
        path: string[];
      }>;
    expect(
      (await bad({ timezone: 'Mars/Olympus', hours: { days: [1], open: '09:00', close: '17:00' } }))[0]!.path,
    ).toEqual(['timezone']);
    expect(
      (await bad({ timezone: 'Europe/London', hours: { days: [1], open: '18:00', close: '09:00' } }))[0]!
        .path,
    ).toEqual(['hours', 'close']);
    expect((await bad({ timezone: 'Europe/London', hours: { closed: ['2026-02-30'] } }))[0]!.path).toEqual([
      'hours',
      'closed',
      '0',
    ]);
    expect((await bad({ timezone: 'Europe/London', hours: {} }))[0]!.path).toEqual(['hours']);
    expect(
      (
        await bad({
          timezone: 'Europe/London',
          hours: { days: [1], open: '09:00', close: '17:00' },
          rules: { slotStepMin: 1 },
        })
      )[0]!.path,
    ).toEqual(['rules', 'slotStepMin']);

    await profileSaver(svc, 'test', agentId, {
      timezone: 'Europe/London',
      hours: { days: [1, 2], open: '09:00', close: '17:00' },
    });
    const staff = await resourceCreator(svc, 'test', agentId, { name: 'Bea' });
    const other = await receptionistAgent(db);
    await profileSaver(svc, 'test', other, {
      timezone: 'Europe/London',
      hours: { days: [1], open: '09:00', close: '17:00' },
    });
    const foreign = await resourceCreator(svc, 'test', other, { name: 'Cy' });
    const err = await refusal(
      serviceCreator(svc, 'test', agentId, {
        name: 'Cut',
        durationMin: 30,
        resourceIds: [staff.id, foreign.id],
      }),
    );
    expect(err.details).toEqual([
      { path: ['resourceIds', '1'], message: 'no such resource of this business' },
    ]);
    const dup = await refusal(resourceCreator(svc, 'test', agentId, { name: 'BEA' }));
    expect((dup.details as Array<{ path: string[] }>)[0]!.path).toEqual(['name']);
    const timeOff = await refusal(
      resourceCreator(svc, 'test', agentId, {
        name: 'Di',
        timeOff: [{ from: '2026-03-02T12:00', to: '2026-03-02T11:00' }],
      }),
    );
    expect((timeOff.details as Array<{ path: string[] }>)[0]!.path).toEqual(['timeOff', '0', 'to']);

    const actions = await db.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE stream = $1 ORDER BY seq',
      [`agent:${agentId}`],
    );
    expect(actions.map((a) => a.action)).toEqual(['business.profile_saved', 'business.resource_created']);
    expect((await verifyAudit(db)).firstBroken).toBeNull();
  });
});

describe('bookings', () => {
  it('books once per idempotency key with a short unambiguous code; a second booking of the slot is slot_taken', async () => {
    const b = await testBusiness(svc, { staff: 1 });
    const serviceId = b.services[0]!.id;
    const input = { serviceId, start: '2026-03-03T10:00:00Z', customer, idempotencyKey: key() };
    const booking = await bookingCreator(svc, 'test', b.agentId, input);
    expect(booking.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{6}$`));
    expect(booking.code).not.toMatch(/[01OI]/);
    expect(booking.status).toBe('confirmed');
    expect(await bookingCreator(svc, 'test', b.agentId, input)).toEqual(booking);

    const taken = await refusal(bookingCreator(svc, 'test', b.agentId, { ...input, idempotencyKey: key() }));
    expect(taken.id).toBe('slot_taken');
    expect(taken.status).toBe(409);
    const alternatives = (taken.details as { alternatives: Array<{ start: string }> }).alternatives;
    expect(alternatives.map((a) => a.start)).toEqual([
      '2026-03-03T11:00:00.000Z',
      '2026-03-03T11:15:00.000Z',
      '2026-03-03T11:30:00.000Z',
    ]);
    // A half-overlapping start is taken too.
    const half = await refusal(
      bookingCreator(svc, 'test', b.agentId, {
        ...input,
        start: '2026-03-03T10:30:00Z',
        idempotencyKey: key(),
      }),
    );
    expect(half.id).toBe('slot_taken');
    expect((await db.query<{ n: number }>(OVERLAPS))[0]!.n).toBe(0);
  });

  it('keeps buffers free, and frees the time when a booking is cancelled or moved', async () => {
    const b = await testBusiness(svc, { staff: 1, durationMin: 60, bufferAfterMin: 30 });
    const serviceId = b.services[0]!.id;
    const booking = await bookingCreator(svc, 'test', b.agentId, {
      serviceId,
      start: '2026-03-03T10:00:00Z',
      customer,
      idempotencyKey: key(),
    });
    const free = async () =>
      (await searchSlots(db, b.agentId, clock.now(), { serviceId, from: '2026-03-03', limit: 100 })).map(
        (s) => s.start.toISOString().slice(11, 16),
      );
    expect(await free()).not.toContain('11:00'); // the buffer after 11:00 is the resource's cleaning time
    expect(await free()).not.toContain('09:15'); // would run into the booking
    expect(await free()).toContain('11:30');
    expect(await free()).not.toContain('09:00'); // its own cleaning time would run into the booking
    expect(await free()).not.toContain('10:45');

    const moveKey = key();
    const moved = await bookingRescheduler(svc, 'test', b.agentId, {
      code: booking.code.toLowerCase(),
      start: '2026-03-03T10:30:00Z', // overlaps its own old time: only other bookings count
      idempotencyKey: moveKey,
    });
    expect(moved.code).toBe(booking.code);
    expect(moved.start.toISOString()).toBe('2026-03-03T10:30:00.000Z');
    expect(
      await bookingRescheduler(svc, 'test', b.agentId, {
        code: booking.code,
        start: '2026-03-03T10:30:00Z',
        idempotencyKey: moveKey,
      }),
    ).toEqual(moved);

    const cancelKey = key();
    const cancelled = await bookingCanceller(svc, 'test', b.agentId, {
      code: booking.code,
      idempotencyKey: cancelKey,
    });
    expect(cancelled.status).toBe('cancelled');
    expect(
      await bookingCanceller(svc, 'test', b.agentId, { code: booking.code, idempotencyKey: cancelKey }),
    ).toEqual(cancelled);
    expect(await free()).toContain('10:30');
    const again = await bookingCreator(svc, 'test', b.agentId, {
      serviceId,
      start: '2026-03-03T10:30:00Z',
      customer,
      idempotencyKey: key(),
    });
    expect(again.status).toBe('confirmed');
    const moveCancelled = await refusal(
      bookingRescheduler(svc, 'test', b.agentId, {
        code: booking.code,
        start: '2026-03-03T14:00:00Z',
        idempotencyKey: key(),
      }),
    );
    expect(moveCancelled.id).toBe('invalid_state');
  });

  it('refuses the past, closed days, outside hours, short notice, too far ahead and off-step times, with alternatives', async () => {
    const b = await testBusiness(svc, {
      staff: 1,
      hours: { days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00', closed: ['2026-03-04'] },
      rules: { minNoticeMin: 120, maxDaysAhead: 30 },
    });
    const serviceId = b.services[0]!.id;
    clock.set('2026-03-02T12:00:00Z'); // a Monday, London = UTC in March
    try {
      const reason = async (start: string) => {
        const err = await refusal(
          bookingCreator(svc, 'test', b.agentId, { serviceId, start, customer, idempotencyKey: key() }),
        );
        expect(err.id).toBe('slot_unavailable');
        return err.details as { reason: string; alternatives: Array<{ start: string }> };
      };
      const past = await reason('2026-03-02T10:00:00Z');
      expect(past.reason).toBe('past');
      expect(past.alternatives[0]!.start).toBe('2026-03-02T14:00:00.000Z'); // now + 2 h notice
      expect((await reason('2026-03-02T13:00:00Z')).reason).toBe('notice');
      expect((await reason('2026-03-04T10:00:00Z')).reason).toBe('closed');
      expect((await reason('2026-03-07T10:00:00Z')).reason).toBe('closed'); // Saturday
      expect((await reason('2026-03-03T17:30:00Z')).reason).toBe('outside_hours');
      expect((await reason('2026-03-03T07:00:00Z')).reason).toBe('outside_hours');
      expect((await reason('2026-03-03T10:05:00Z')).reason).toBe('off_step');
      const far = await reason('2026-05-04T10:00:00Z');
      expect(far.reason).toBe('too_far');
      const closed = await reason('2026-03-04T10:00:00Z');
      expect(closed.alternatives[0]!.start).toBe('2026-03-05T09:00:00.000Z');
      expect((await db.query(`SELECT 1 FROM bookings WHERE agent_id = $1`, [b.agentId])).length).toBe(0);
    } finally {
      clock.set('2026-03-01T00:00:00Z');
    }
  });

  it('honours a resource’s own week and time off, and lists bookings by range and resource', async () => {
    const b = await testBusiness(svc, { staff: 1 });
    const part = await resourceCreator(svc, 'test', b.agentId, {
      name: 'Part-timer',
      hours: { hours: { tue: '13:00-16:00' } },
      timeOff: [{ from: '2026-03-03T14:00', to: '2026-03-03T15:00', note: 'dentist' }],
    });
    const service = await serviceCreator(svc, 'test', b.agentId, {
      name: 'Shave',
      durationMin: 30,
      resourceIds: [part.id],
    });
    const slots = await searchSlots(db, b.agentId, clock.now(), {
      serviceId: service.id,
      from: '2026-03-02',
      to: '2026-03-03',
      limit: 100,
    });
    expect(slots.map((s) => s.start.toISOString().slice(0, 16))).toEqual([
      '2026-03-03T13:00',
      '2026-03-03T13:15',
      '2026-03-03T13:30',
      '2026-03-03T15:00',
      '2026-03-03T15:15',
      '2026-03-03T15:30',
    ]);
    const off = await refusal(
      bookingCreator(svc, 'test', b.agentId, {
        serviceId: service.id,
        start: '2026-03-03T14:00:00Z',
        customer,
        idempotencyKey: key(),
      }),
    );
    expect((off.details as { reason: string }).reason).toBe('time_off');
    const booked = await bookingCreator(svc, 'test', b.agentId, {
      serviceId: service.id,
      start: '2026-03-03T13:00:00Z',
      customer,
      status: 'tentative',
      idempotencyKey: key(),
    });
    expect(booked.status).toBe('tentative');
    const confirmed = await confirmBooking(svc, 'reviewer', b.agentId, {
      code: booked.code,
      idempotencyKey: key(),
    });
    expect(confirmed.status).toBe('confirmed');
    const list = await listBookings(db, b.agentId, {
      from: new Date('2026-03-03T00:00:00Z'),
      to: new Date('2026-03-04T00:00:00Z'),
      resourceId: part.id,
    });
    expect(list.map((x) => x.code)).toEqual([booked.code]);
  });
});

describe('the race for hot slots', () => {
  it('lets exactly one booking per resource and slot through, tentative holds included; every loser is slot_taken; no overlap in the table', async () => {
    const b = await testBusiness(svc, { staff: 2 });
    const serviceId = b.services[0]!.id;
    const hot = [
      '2026-03-05T10:00:00Z',
      '2026-03-05T10:30:00Z',
      '2026-03-05T11:00:00Z',
      '2026-03-05T13:00:00Z',
    ];
    const peer = db.openPeer();
    const nodes = [svc, ...(peer ? [createServices(peer, clock)] : [])];
    const attempts = peer ? 200 : 40;
    const attempt = (i: number) =>
      bookingCreator(nodes[i % nodes.length]!, 'test', b.agentId, {
        serviceId,
        start: hot[i % hot.length]!,
        customer: { name: `Customer ${i}` },
        idempotencyKey: `race-${b.agentId}-${i}`,
        // A third of them pilot holds (tentative, lapsing in a day): a hold takes its slot as a booking does.
        ...(i % 3 === 0
          ? { status: 'tentative' as const, holdUntil: new Date(clock.now().getTime() + 86_400_000) }
          : {}),
      }).then(
        () => 'booked',
        (err: unknown) => (err instanceof AppError ? err.id : String(err)),
      );
    // On the server the attempts run at once over two pools; PGlite has one connection, so they queue.
    const outcomes = await Promise.all(Array.from({ length: attempts }, (_, i) => attempt(i)));
    await peer?.close();
    const booked = outcomes.filter((o) => o === 'booked').length;
    expect(outcomes.filter((o) => o !== 'booked' && o !== 'slot_taken')).toEqual([]);
    // 10:00 and 10:30 overlap (hour-long), 11:00 overlaps 10:30: per staff member at most 10:00 + 11:00 or 10:30,
    // plus 13:00; two staff → at most 6 bookings, and the database must hold no overlap whichever won.
    expect(booked).toBeGreaterThanOrEqual(4);
    expect(booked).toBeLessThanOrEqual(6);
    expect((await db.query<{ n: number }>(OVERLAPS))[0]!.n).toBe(0);
    const rows = await db.query<{ status: string }>('SELECT status FROM bookings WHERE agent_id = $1', [
      b.agentId,
    ]);
    expect(rows.length).toBe(booked);
  });
});

describe('tentative holds', () => {
  it('a hold takes its slot until it lapses; a lapsed hold blocks nobody and is cancelled by the booking that takes its time', async () => {
    const b = await testBusiness(svc, { staff: 1 });
    const serviceId = b.services[0]!.id;
    const start = '2026-03-06T10:00:00Z';
    const until = new Date(clock.now().getTime() + 3_600_000);
    const hold = await bookingCreator(svc, 'test', b.agentId, {
      serviceId,
      start,
      customer: { name: 'Held' },
      status: 'tentative',
      holdUntil: until,
      idempotencyKey: `hold-${b.agentId}`,
    });
    expect([hold.status, hold.holdUntil]).toEqual(['tentative', until]);
    const search = () =>
      searchSlots(db, b.agentId, clock.now(), { serviceId, from: '2026-03-06', limit: 50 }).then((s) =>
        s.map((x) => x.start.toISOString()),
      );
    expect(await search()).not.toContain('2026-03-06T10:00:00.000Z');
    const other = (key: string) =>
      bookingCreator(svc, 'test', b.agentId, {
        serviceId,
        start,
        customer: { name: 'Other' },
        idempotencyKey: key,
      });
    await expect(other(`other-1-${b.agentId}`)).rejects.toMatchObject({ id: 'slot_taken' });
    // The hold lapses (its approval expired undecided, or nothing was ever asked after a crash): free again.
    clock.advance(3_600_000);
    expect(await search()).toContain('2026-03-06T10:00:00.000Z');
    const taken = await other(`other-2-${b.agentId}`);
    expect(taken.status).toBe('confirmed');
    const [lapsed] = await db.query<{ status: string }>('SELECT status FROM bookings WHERE id = $1', [
      hold.id,
    ]);
    expect(lapsed!.status).toBe('cancelled');
    const audit = await db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE subject = $1 ORDER BY seq`,
      [`booking:${hold.id}`],
    );
    expect(audit.map((a) => a.action)).toEqual(['booking.created', 'booking.lapsed']);
    expect((await db.query<{ n: number }>(OVERLAPS))[0]!.n).toBe(0);
  });

  it('confirming a hold clears its lapse; a confirmed booking cannot carry one', async () => {
    const b = await testBusiness(svc, { staff: 1 });
    const hold = await bookingCreator(svc, 'test', b.agentId, {
      serviceId: b.services[0]!.id,
      start: '2026-03-06T12:00:00Z',
      customer: { name: 'Held' },
      status: 'tentative',
      holdUntil: new Date(clock.now().getTime() + 60_000),
      idempotencyKey: `hold2-${b.agentId}`,
    });
    const confirmed = await confirmBooking(svc, 'test', b.agentId, {
      code: hold.code,
      idempotencyKey: `confirm2-${b.agentId}`,
    });
    expect([confirmed.status, confirmed.holdUntil]).toEqual(['confirmed', null]);
    clock.advance(120_000);
    await expect(
      bookingCreator(svc, 'test', b.agentId, {
        serviceId: b.services[0]!.id,
        start: '2026-03-06T12:00:00Z',
        customer: { name: 'Other' },
        idempotencyKey: `other3-${b.agentId}`,
      }),
    ).rejects.toMatchObject({ id: 'slot_taken' });
    await expect(db.query(`UPDATE bookings SET hold_until = now() WHERE id = $1`, [hold.id])).rejects.toThrow(
      /bookings_hold_tentative/,
    );
  });
});
