// Pins the hand-off announcement: the usual reply time while the team is in, and an honest "closed, a person
// replies after …" outside business hours, in the agent's time zone (across DST), per-day ranges and closed dates
// included, with bad config ignored where it is read (and refused where it is written: agents.test.ts).
import { describe, expect, it } from 'vitest';
import { BusinessHoursSchema, businessHoursOf, handoffText } from './hours.schema.ts';
import { nextOpening } from './hours.ts';

const LONDON = {
  timezone: 'Europe/London',
  days: [1, 2, 3, 4, 5],
  open: '09:00',
  close: '18:00',
  replyTime: '15 minutes',
};
const at = (iso: string) => new Date(iso);

describe('hand-off text', () => {
  it('gives the reply time while open', () => {
    // Wednesday 10:30 in London (BST, UTC+1).
    expect(handoffText({ businessHours: LONDON }, at('2025-07-02T09:30:00Z'))).toBe(
      'Connecting you to a person. Usual reply time: within 15 minutes.',
    );
  });

  it('says when a person will reply when closed: later today, tomorrow, or on the next open day', () => {
    expect(handoffText({ businessHours: LONDON }, at('2025-07-02T06:00:00Z'))).toMatch(
      /^We're closed now; a person will reply after 09:00 \(Europe\/London\)\./,
    );
    expect(handoffText({ businessHours: LONDON }, at('2025-07-02T17:30:00Z'))).toMatch(
      /reply tomorrow after 09:00 \(Europe\/London\)/,
    );
    // Friday 19:00 London → Monday.
    expect(handoffText({ businessHours: LONDON }, at('2025-07-04T18:00:00Z'))).toMatch(
      /reply on Monday after 09:00 \(Europe\/London\)/,
    );
    // Winter (GMT): 17:30 UTC is 17:30 in London, still open; 18:00 UTC is closed.
    expect(nextOpening(LONDON, at('2025-01-15T17:30:00Z'))).toBeNull();
    expect(nextOpening(LONDON, at('2025-01-15T18:00:00Z'))).toMatchObject({ dayOffset: 1 });
  });

  it('treats Sunday as 0 or 7 and works in other zones', () => {
    const tokyo = { timezone: 'Asia/Tokyo', days: [7], open: '10:00', close: '12:00' };
    // Saturday 23:00 in Tokyo → tomorrow (Sunday).
    expect(nextOpening(tokyo, at('2025-07-05T14:00:00Z'))).toMatchObject({ dayOffset: 1, weekday: 0 });
  });

  it('makes no promise without hours, and ignores invalid ones', () => {
    const plain = 'Connecting you to a person. They will reply here as soon as they can.';
    expect(handoffText({}, new Date())).toBe(plain);
    expect(handoffText({ businessHours: 'always' }, new Date())).toBe(plain);
    expect(handoffText({ businessHours: { ...LONDON, open: '25:00' } }, new Date())).toBe(plain);
    expect(handoffText({ businessHours: { ...LONDON, open: '19:00' } }, new Date())).toBe(plain);
    // An unknown time zone drops the whole setting rather than guessing the hours.
    expect(businessHoursOf({ businessHours: { ...LONDON, timezone: 'Mars/Olympus' } })).toBeNull();
  });
});

// Northwind's week: Monday to Friday 9–18, Saturday 10–16, closed on Sundays and on the listed holidays.
const SHOP = {
  timezone: 'Europe/London',
  hours: {
    mon: '09:00-18:00',
    tue: '09:00-18:00',
    wed: '09:00-18:00',
    thu: '09:00-18:00',
    fri: '09:00-18:00',
    sat: '10:00-16:00',
  },
  closed: ['2026-12-25', '2026-12-26', '2026-12-28'],
  replyTime: '2 hours',
};

describe('a week with its own hours per day, and closed dates', () => {
  it('follows each day its own range', () => {
    // Saturday 15:00 GMT: open (Saturday closes at 16:00).
    expect(nextOpening(SHOP, at('2026-12-05T15:00:00Z'))).toBeNull();
    expect(handoffText({ businessHours: SHOP }, at('2026-12-05T15:00:00Z'))).toBe(
      'Connecting you to a person. Usual reply time: within 2 hours.',
    );
    // Saturday 17:00: closed, though a weekday would still be open; Sunday is closed → Monday.
    expect(handoffText({ businessHours: SHOP }, at('2026-12-05T17:00:00Z'))).toMatch(
      /^We're closed now; a person will reply on Monday after 09:00 \(Europe\/London\)\./,
    );
    // Saturday 08:00: later today, at the Saturday opening time.
    expect(nextOpening(SHOP, at('2026-12-05T08:00:00Z'))).toMatchObject({ dayOffset: 0, open: '10:00' });
    // Friday 19:00 → Saturday 10:00, tomorrow.
    expect(handoffText({ businessHours: SHOP }, at('2026-12-04T19:00:00Z'))).toMatch(
      /reply tomorrow after 10:00/,
    );
  });

  it('skips closed dates, and names the date once the opening is a week or more away', () => {
    // Thursday 24 December 2026, 18:30: Friday 25 and Saturday 26 are holidays, Sunday is closed, Monday 28 is a
    // holiday → Tuesday 29.
    expect(nextOpening(SHOP, at('2026-12-24T18:30:00Z'))).toMatchObject({
      dayOffset: 5,
      date: '2026-12-29',
      open: '09:00',
    });
    expect(handoffText({ businessHours: SHOP }, at('2026-12-24T18:30:00Z'))).toMatch(
      /reply on Tuesday after 09:00/,
    );
    // On a holiday itself during opening hours: closed.
    expect(nextOpening(SHOP, at('2026-12-28T11:00:00Z'))).toMatchObject({ date: '2026-12-29' });
    // A fortnight's closure: the date is said, not just the weekday.
    const away = {
      ...SHOP,
      closed: Array.from({ length: 14 }, (_, i) => `2027-01-${String(i + 1).padStart(2, '0')}`),
    };
    expect(handoffText({ businessHours: away }, at('2026-12-31T18:30:00Z'))).toMatch(
      /reply on Friday 15 January after 09:00/,
    );
  });

  it('makes no promise when every day ahead is closed', () => {
    expect(nextOpening({ timezone: 'Europe/London', hours: {} }, at('2026-12-05T17:00:00Z'))).toBeNull();
    expect(
      nextOpening({ timezone: 'Europe/London', hours: { mon: null } }, at('2026-12-05T17:00:00Z')),
    ).toBeNull();
  });

  it('refuses what it cannot read, naming the field', () => {
    const problems = (h: unknown) => {
      const r = BusinessHoursSchema.safeParse(h);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems(SHOP)).toEqual([]);
    expect(problems(LONDON)).toEqual([]);
    expect(problems({ ...SHOP, hours: { ...SHOP.hours, sat: '16:00-10:00' } })).toEqual([
      'hours.sat: the range must close after it opens (same day)',
    ]);
    expect(problems({ ...SHOP, hours: { ...SHOP.hours, sat: '10-16' } })[0]).toMatch(
      /^hours\.sat: HH:MM-HH:MM/,
    );
    expect(problems({ ...SHOP, hours: { saturday: '10:00-16:00' } })[0]).toMatch(/^hours: /);
    expect(problems({ ...SHOP, closed: ['2026-02-30'] })).toEqual(['closed.0: not a calendar date']);
    expect(problems({ ...SHOP, open: '09:00' })).toEqual([
      'hours: give either hours (a range per day) or days, open and close, not both',
    ]);
    expect(problems({ ...LONDON, timezone: undefined })).toEqual([
      'timezone: a schedule needs its time zone',
    ]);
    expect(problems({ ...LONDON, timezone: 'Mars/Olympus' })[0]).toMatch(/^timezone: an IANA time zone/);
    expect(problems({ ...LONDON, replytime: '1 hour' })[0]).toMatch(/^: Unrecognized key/);
    // A reply time alone needs no time zone.
    expect(problems({ replyTime: '1 hour' })).toEqual([]);
  });
});
