// The receptionist calendar's arithmetic: weeks start on Monday across month and year ends, a day's rows are stepped
// in real time so the London and New York daylight-saving days have their hour less or more (a repeated hour told
// apart by its UTC offset), opening intervals follow the week and closed dates, and a booking is placed by real minutes.
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayRows,
  instantAt,
  localDate,
  openIntervals,
  place,
  viewWindow,
  weekOf,
} from '../../web/src/agents/receptionist/grid.ts';

describe('receptionist calendar grid', () => {
  it('finds the Monday-to-Sunday week of a day across month and year ends', () => {
    expect(weekOf('2026-12-31')).toEqual([
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
    ]);
    expect(weekOf('2026-03-29')[0]).toBe('2026-03-23'); // a Sunday belongs to the week before
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(localDate(new Date('2026-03-29T23:30:00Z'), 'Europe/London')).toBe('2026-03-30');
    expect(localDate(new Date('2026-03-30T03:30:00Z'), 'America/New_York')).toBe('2026-03-29');
  });

  it('steps a day in real time: the London spring-forward day skips 01:00, the autumn one repeats it', () => {
    const spring = dayRows('2026-03-29', 'Europe/London', '00:00', '04:00', 60);
    expect(spring.map((r) => r.label)).toEqual(['00:00', '02:00', '03:00']);
    expect(spring.map((r) => r.start.toISOString())).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
    const autumn = dayRows('2026-10-25', 'Europe/London', '00:00', '03:00', 60);
    expect(autumn.map((r) => r.label)).toEqual(['00:00', '01:00 +01:00', '01:00 +00:00', '02:00']);
    // An ordinary day is its wall-clock hours.
    expect(dayRows('2026-03-30', 'Europe/London', '09:00', '10:00', 15).map((r) => r.label)).toEqual([
      '09:00',
      '09:15',
      '09:30',
      '09:45',
    ]);
  });

  it('opens a New York business at 09:00 local on both sides of its clock change, and not on a closed date', () => {
    const hours = { days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00', closed: ['2026-03-10'] };
    const before = openIntervals('2026-03-07', 'America/New_York', hours);
    const after = openIntervals('2026-03-09', 'America/New_York', hours);
    expect(before.map((i) => i.start.toISOString())).toEqual(['2026-03-07T14:00:00.000Z']);
    expect(after.map((i) => [i.start.toISOString(), i.end.toISOString()])).toEqual([
      ['2026-03-09T13:00:00.000Z', '2026-03-09T21:00:00.000Z'],
    ]);
    expect(openIntervals('2026-03-10', 'America/New_York', hours)).toEqual([]);
    expect(openIntervals('2026-03-07', 'America/New_York', { hours: { mon: '10:00-12:00' } })).toEqual([]);
    expect(openIntervals('2026-03-07', 'America/New_York', null)).toEqual([]);
    expect(viewWindow({ hours: { mon: '10:00-12:00', sat: '08:30-11:00' } })).toEqual({
      from: '08:30',
      to: '12:00',
    });
    expect(viewWindow(null)).toEqual({ from: '08:00', to: '18:00' });
  });

  it('places a booking by real minutes in its day window, clipped, and nowhere outside it', () => {
    // The spring-forward day in London, window 00:00–04:00 local: three real hours.
    const window = {
      start: instantAt('2026-03-29', '00:00', 'Europe/London'),
      end: instantAt('2026-03-29', '04:00', 'Europe/London'),
    };
    const at = (hhmm: string) => instantAt('2026-03-29', hhmm, 'Europe/London');
    const p = place(at('02:00'), at('03:00'), window)!;
    expect(p.top).toBeCloseTo(100 / 3);
    expect(p.height).toBeCloseTo(100 / 3);
    expect(place(at('03:30'), at('05:00'), window)!.height).toBeCloseTo(100 / 6);
    expect(place(at('05:00'), at('06:00'), window)).toBeNull();
  });
});
