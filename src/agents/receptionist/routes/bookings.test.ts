// The receptionist's routes in a real server (registered by the receptionist kind, as every install has them): profile, services and resources by admins, bookings by reviewers, reading by viewers;
// bad input is a 400 naming the field; a retried booking (same Idempotency-Key) books once; a booking as .ics and a
// resource's private feed parse with ical.js (another maintained iCalendar library than the one that wrote them).
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../../test/support/api.ts';
import { ManualClock } from '../../../clock.ts';
import { receptionistAgent } from '../test-support.ts';

let api: Api;
const clock = new ManualClock('2026-03-20T12:00:00Z');
beforeAll(async () => {
  api = await buildApi({ clock });
});
afterAll(() => api.close());

function events(ics: string) {
  const comp = new ICAL.Component(ICAL.parse(ics));
  return comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
}

describe('receptionist routes', () => {
  it('sets up a business, books, moves, confirms and cancels over HTTP, and serves calendars', async () => {
    const name = `salon-${Date.now()}`;
    await receptionistAgent(api.app.db, name);
    const admin = api.as('admin');
    const reviewer = api.as('reviewer');
    const viewer = api.as('viewer');

    const bad = await admin.request('PUT', `/api/agents/${name}/business/profile`, {
      timezone: 'Europe/London',
      hours: { days: [1, 2, 3, 4, 5], open: '19:00', close: '09:00' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.id).toBe('validation_failed');
    expect(bad.json().error.details[0].path).toEqual(['hours', 'close']);
    expect(
      (await reviewer.request('PUT', `/api/agents/${name}/business/profile`, { timezone: 'UTC', hours: {} }))
        .statusCode,
    ).toBe(403);

    const saved = await admin.request('PUT', `/api/agents/${name}/business/profile`, {
      timezone: 'Europe/London',
      hours: { days: [1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 60, maxDaysAhead: 90 },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const bea = (
      await admin.post(`/api/agents/${name}/business/resources`, { name: 'Bea', kind: 'staff' })
    ).json().resource;
    const cut = await admin.post(`/api/agents/${name}/business/services`, {
      name: 'Haircut',
      durationMin: 45,
      priceCents: 3000,
      bufferAfterMin: 15,
      resourceIds: [bea.id],
    });
    expect(cut.statusCode, cut.body).toBe(201);
    const serviceId = cut.json().service.id;
    expect(
      (await admin.patch(`/api/business/services/${serviceId}`, { durationMin: 1 })).json().error.details[0]
        .path,
    ).toBe('body.durationMin');

    const business = await viewer.get(`/api/agents/${name}/business`);
    expect(business.json().services.map((s: { name: string }) => s.name)).toEqual(['Haircut']);

    // The clocks go forward on Sunday 29 March; Monday 30 March opens at 09:00 BST (08:00 UTC).
    const slots = await viewer.get(
      `/api/agents/${name}/slots?service=${serviceId}&from=2026-03-29&to=2026-03-30&limit=2`,
    );
    expect(slots.statusCode, slots.body).toBe(200);
    expect(slots.json().slots.map((s: { localStart: string }) => s.localStart)).toEqual([
      '2026-03-30T09:00+01:00',
      '2026-03-30T09:15+01:00',
    ]);
    const start = slots.json().slots[0].start;
    expect(start).toBe('2026-03-30T08:00:00.000Z');

    const book = () =>
      reviewer.post(
        `/api/agents/${name}/bookings`,
        { serviceId, start, customer: { name: 'Ada', email: 'ada@example.com' } },
        { 'idempotency-key': 'click-1' },
      );
    const booked = await book();
    expect(booked.statusCode, booked.body).toBe(201);
    expect((await book()).json().booking).toEqual(booked.json().booking);
    const code = booked.json().booking.code;
    expect(
      (await viewer.post(`/api/agents/${name}/bookings`, { serviceId, start, customer: { name: 'Bo' } }))
        .statusCode,
    ).toBe(403);

    const taken = await reviewer.post(`/api/agents/${name}/bookings`, {
      serviceId,
      start,
      customer: { name: 'Bo' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.id).toBe('slot_taken');
    expect(taken.json().error.details.alternatives[0].localStart).toBe('2026-03-30T10:00+01:00'); // 45 min + 15 min buffer
    const closed = await reviewer.post(`/api/agents/${name}/bookings`, {
      serviceId,
      start: '2026-03-29T10:00:00+01:00',
      customer: { name: 'Bo' },
    });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().error.details.reason).toBe('closed');
    const badCustomer = await reviewer.post(`/api/agents/${name}/bookings`, {
      serviceId,
      start,
      customer: {},
    });
    expect(badCustomer.statusCode).toBe(400);
    expect(badCustomer.json().error.details[0].path).toEqual(['customer', 'name']);

    const ics = await viewer.get(`/api/agents/${name}/bookings/${code}.ics`);
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    const [event] = events(ics.body);
    expect(event!.startDate.toJSDate().toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(event!.endDate.toJSDate().toISOString()).toBe('2026-03-30T08:45:00.000Z');
    expect(event!.description).toContain(code);

    const moved = await reviewer.post(`/api/agents/${name}/bookings/${code}/reschedule`, {
      start: '2026-03-31T14:00:00+01:00',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().booking.localStart).toBe('2026-03-31T14:00+01:00');
    const tentative = await reviewer.post(`/api/agents/${name}/bookings`, {
      serviceId,
      start: '2026-03-31T10:00:00+01:00',
      customer: { name: 'Cy' },
      status: 'tentative',
    });
    const confirmed = await reviewer.post(
      `/api/agents/${name}/bookings/${tentative.json().booking.code}/confirm`,
      {},
    );
    expect(confirmed.json().booking.status).toBe('confirmed');

    const feedUrl = (await admin.post(`/api/business/resources/${bea.id}/feed`)).json().path;
    expect(feedUrl).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await api.anon.get(feedUrl);
    expect(feed.statusCode).toBe(200);
    expect(
      events(feed.body)
        .map((e) => [e.startDate.toJSDate().toISOString(), e.summary])
        .sort(),
    ).toEqual([
      ['2026-03-31T09:00:00.000Z', 'Haircut: Cy'],
      ['2026-03-31T13:00:00.000Z', 'Haircut: Ada'],
    ]);
    expect((await api.anon.get(`/calendar/${'x'.repeat(43)}.ics`)).statusCode).toBe(404);

    const cancelled = await reviewer.post(`/api/agents/${name}/bookings/${code}/cancel`, { reason: 'ill' });
    expect(cancelled.json().booking.status).toBe('cancelled');
    const day = await viewer.get(`/api/agents/${name}/bookings?from=2026-03-31`);
    expect(day.json().bookings.map((b: { customer: { name: string } }) => b.customer.name)).toEqual(['Cy']);
    expect(events((await api.anon.get(feedUrl)).body)).toHaveLength(1);

    // A fresh feed URL ends the old one; archiving the resource ends its feed.
    const second = (await admin.post(`/api/business/resources/${bea.id}/feed`)).json().path;
    expect((await api.anon.get(feedUrl)).statusCode).toBe(404);
    expect((await admin.delete(`/api/business/resources/${bea.id}`)).statusCode).toBe(200);
    expect((await api.anon.get(second)).statusCode).toBe(404);
  });
});
