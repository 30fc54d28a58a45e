// Pins the hand-off announcement: the usual reply time while the team is in, and an honest "closed, a person
// replies after …" outside business hours, in the agent's time zone (across DST), with bad config ignored.
import { describe, expect, it } from 'vitest';
import { businessHoursOf, handoffText, nextOpening } from './hours.ts';

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
    // An unknown time zone keeps the reply time but drops the schedule rather than guessing.
    expect(businessHoursOf({ businessHours: { ...LONDON, timezone: 'Mars/Olympus' } })).toEqual({
      replyTime: '15 minutes',
    });
  });
});
