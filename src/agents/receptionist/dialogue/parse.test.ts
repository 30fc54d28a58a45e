import { describe, expect, it } from 'vitest';
import { understand } from './parse.ts';

const SALON = ['Haircut', 'Colour', 'Blow Dry', 'Beard Trim'];
const HOURS = { open: '09:00', close: '18:00' };
/** Friday 27 March 2026, 16:05 in London: the week the clocks go forward (Sunday 29 March). */
const FRI = { now: '2026-03-27T16:05:00', tz: 'Europe/London', services: SALON, hours: HOURS };
/** Monday 19 October 2026, noon in London. */
const MON = { ...FRI, now: '2026-10-19T12:00:00' };

describe('understand: the example from the issue', () => {
  it('reads intent, service, date, time and qualifier', () => {
    expect(understand('can I get a haircut next Tuesday after 3', FRI)).toEqual({
      intent: 'book',
      service: 'Haircut',
      date: '2026-03-31',
      time: '15:00',
      timeQualifier: 'after',
    });
  });
});

describe('understand: daylight-saving weeks', () => {
  it('reads now as an instant on the business clock across the London spring change', () => {
    // 00:30 UTC on 29 March is 00:30 GMT; 01:30 UTC is 02:30 BST: the same day either way, a day later than 23:30 UTC.
    const at = (iso: string) => understand('tomorrow at 3', { ...FRI, now: new Date(iso) });
    expect(at('2026-03-28T23:30:00Z')).toMatchObject({ date: '2026-03-29', time: '15:00' });
    expect(at('2026-03-29T00:30:00Z')).toMatchObject({ date: '2026-03-30', time: '15:00' });
    expect(at('2026-03-29T01:30:00Z')).toMatchObject({ date: '2026-03-30', time: '15:00' });
  });

  it('reads now on the New York clock across the autumn change (UTC would be a day ahead)', () => {
    const ny = { tz: 'America/New_York', services: SALON, hours: HOURS };
    // 03:30 UTC on 1 November is 23:30 EDT on 31 October; 05:30 UTC is 01:30 EDT and 06:30 UTC 01:30 EST on the 1st.
    expect(understand('today after 2', { ...ny, now: new Date('2026-11-01T03:30:00Z') })).toMatchObject({
      date: '2026-10-31',
      time: '14:00',
      timeQualifier: 'after',
    });
    expect(understand('today after 2', { ...ny, now: new Date('2026-11-01T05:30:00Z') }).date).toBe(
      '2026-11-01',
    );
    expect(understand('today after 2', { ...ny, now: new Date('2026-11-01T06:30:00Z') }).date).toBe(
      '2026-11-01',
    );
  });

  it('counts whole days across the change: Sunday, Monday and "in a week" keep their wall-clock dates', () => {
    expect(understand('sunday at 1', FRI)).toMatchObject({ date: '2026-03-29', time: '13:00' });
    expect(understand('monday morning', FRI)).toMatchObject({ date: '2026-03-30', timeQualifier: 'morning' });
    expect(understand('in a week', FRI).date).toBe('2026-04-03');
  });
});

describe('understand: relative dates across month and year ends', () => {
  const yearEnd = { ...FRI, now: '2026-12-30T11:00:00', tz: 'Europe/Dublin' };
  const febEnd = { ...FRI, now: '2026-02-27T10:00:00' };
  it.each([
    [yearEnd, 'in a week', '2027-01-06'],
    [yearEnd, 'the 5th', '2027-01-05'],
    [yearEnd, 'January 3rd', '2027-01-03'],
    [yearEnd, 'the 31st', '2026-12-31'],
    [yearEnd, 'next Monday', '2027-01-04'],
    [yearEnd, 'in a fortnight', '2027-01-13'],
    [febEnd, 'the day after tomorrow', '2026-03-01'],
    [febEnd, 'tomorrow', '2026-02-28'],
    [febEnd, 'the 30th', '2026-03-30'],
    [febEnd, '14 February', '2027-02-14'],
    [febEnd, 'in 3 days', '2026-03-02'],
  ])('%#: %s', (ctx, text, date) => {
    expect(understand(text, ctx).date).toBe(date);
  });
});

describe('understand: "next" against "this"', () => {
  it.each([
    [FRI, 'this Friday', '2026-03-27'],
    [FRI, 'next Friday', '2026-04-03'],
    [FRI, 'next Tuesday', '2026-03-31'],
    [FRI, 'Tuesday week', '2026-04-07'],
    [FRI, 'a week on Tuesday', '2026-04-07'],
    [MON, 'this Friday', '2026-10-23'],
    [MON, 'Friday', '2026-10-23'],
    [MON, 'Friday next week', '2026-10-30'],
    [MON, 'next week Friday', '2026-10-30'],
    [MON, 'next Monday', '2026-10-26'],
    [MON, 'this coming Sunday', '2026-10-25'],
  ])('%#: %s', (ctx, text, date) => {
    const u = understand(text, ctx);
    expect(u.ambiguous).toBeUndefined();
    expect(u.date).toBe(date);
  });

  it('"next Friday" said on a Monday could be this week\'s or next week\'s: asked back', () => {
    const u = understand('next Friday please', MON);
    expect(u.date).toBeUndefined();
    expect(u.ambiguous).toMatch(/friday/i);
    expect(u.dateOptions).toEqual(['2026-10-23', '2026-10-30']);
  });
});

describe('understand: a date that could mean two days is asked back, never guessed', () => {
  it('"03/04" with no locale is 3 April or 4 March', () => {
    const u = understand('a haircut on 03/04 at 10', FRI);
    expect(u.date).toBeUndefined();
    expect(u.ambiguous).toBeTruthy();
    expect(u.dateOptions).toEqual(['2026-04-03', '2027-03-04']);
    expect(u.time).toBe('10:00');
  });

  it('a known locale settles it, and a day over 12 is never ambiguous', () => {
    expect(understand('03/04', { ...FRI, locale: 'en-GB' }).date).toBe('2026-04-03');
    expect(understand('03/04', { ...FRI, locale: 'en-US' }).date).toBe('2027-03-04');
    expect(understand('15/04', FRI)).toMatchObject({ date: '2026-04-15' });
    expect(understand('4/15', FRI)).toMatchObject({ date: '2026-04-15' });
  });

  it('"Friday" said on a Friday could be today or next week', () => {
    const u = understand('can I book a haircut for Friday', FRI);
    expect(u).toMatchObject({ intent: 'book', service: 'Haircut' });
    expect(u.date).toBeUndefined();
    expect(u.dateOptions).toEqual(['2026-03-27', '2026-04-03']);
  });
});

describe('understand: times as people say them', () => {
  it.each([
    ['at 3', '15:00', 'at'],
    ['3pm', '15:00', 'at'],
    ['15:30', '15:30', 'at'],
    ['noon', '12:00', 'at'],
    ['half two', '14:30', 'at'],
    ['half past ten', '10:30', 'at'],
    ['quarter past ten', '10:15', 'at'],
    ['quarter to four', '15:45', 'at'],
    ['ten past 4', '16:10', 'at'],
    ['twenty to 5', '16:40', 'at'],
    ['three thirty', '15:30', 'at'],
    ["at 1 o'clock", '13:00', 'at'],
    ['at 8', '08:00', 'at'],
    ['after 5', '17:00', 'after'],
    ['before noon', '12:00', 'before'],
    ['by 11am', '11:00', 'before'],
    ['around 2', '14:00', 'at'],
    ['from 4 onwards', '16:00', 'after'],
    ['at 8 in the evening', '20:00', 'at'],
    ['7:30pm', '19:30', 'at'],
  ])('%s → %s %s', (text, time, qualifier) => {
    const u = understand(`tomorrow ${text}`, FRI);
    expect(u.date).toBe('2026-03-28');
    expect(u.time).toBe(time);
    expect(u.timeQualifier).toBe(qualifier);
  });

  it('a part of the day without a time is the qualifier', () => {
    expect(understand('tomorrow morning', FRI)).toMatchObject({
      date: '2026-03-28',
      timeQualifier: 'morning',
    });
    expect(understand('tomorrow morning', FRI).time).toBeUndefined();
    expect(understand('tonight', FRI)).toMatchObject({ date: '2026-03-27', timeQualifier: 'evening' });
  });

  it('a bare hour follows the opening hours when only one reading is open', () => {
    const early = { ...FRI, hours: { open: '07:00', close: '15:00' } };
    expect(understand('tomorrow at 7', early).time).toBe('07:00');
    expect(understand('tomorrow at 7', FRI).time).toBe('19:00');
  });

  it('durations and counts are not times', () => {
    expect(understand('tomorrow for 2 hours', FRI).time).toBeUndefined();
    expect(understand('in 3 days', FRI).time).toBeUndefined();
  });
});

describe('understand: services, details and intents', () => {
  it.each([
    ['hair cut', 'Haircut'],
    ['haricut', 'Haircut'],
    ['colours', 'Colour'],
    ['my hair coloured', 'Colour'],
    ['a blowdry', 'Blow Dry'],
    ['blow-dry', 'Blow Dry'],
    ['beard trims', 'Beard Trim'],
  ])('%s → %s', (text, service) => {
    expect(understand(`can I book ${text}`, FRI).service).toBe(service);
  });

  it('"a cut" is the haircut when no service is named by it; "kids cut" stays the kids\' one', () => {
    expect(understand('can I book a cut on Thursday evening?', FRI).service).toBe('Haircut');
    const barber = { ...FRI, services: ['Kids Cut', 'Haircut'] };
    expect(understand('a kids cut on Saturday', barber).service).toBe('Kids Cut');
    // "Cut" alone is too short to name Kids Cut; the haircut is what a plain "cut" means.
    expect(understand('a cut on Saturday', barber).service).toBe('Haircut');
  });

  it('two services matching equally name none (the dialogue asks)', () => {
    const spa = { ...FRI, services: ['Swedish Massage', 'Deep Tissue Massage', 'Hot Stone Massage'] };
    expect(understand('a massage tomorrow', spa).service).toBeUndefined();
    expect(understand('a deep tissue tomorrow', spa).service).toBe('Deep Tissue Massage');
  });

  it('a generic word ("appointment") does not name a service', () => {
    const dentist = { ...FRI, services: ['Check-up', 'Emergency Appointment'] };
    expect(understand('I need an appointment tomorrow', dentist).service).toBeUndefined();
    expect(understand('I need an emergency appointment', dentist).service).toBe('Emergency Appointment');
    expect(understand('a checkup on monday', dentist).service).toBe('Check-up');
  });

  it('reads name, phone, email and a booking code', () => {
    expect(understand('my name is Sarah Jones and my number is 07700 900123', FRI)).toMatchObject({
      name: 'Sarah Jones',
      phone: '07700900123',
    });
    expect(understand('email me at Sarah.J@example.com', FRI).email).toBe('sarah.j@example.com');
    expect(understand('please cancel booking K7P2QX', FRI)).toMatchObject({
      intent: 'cancel',
      code: 'K7P2QX',
    });
    expect(understand('reschedule, my code is hx27kd', FRI)).toMatchObject({
      intent: 'reschedule',
      code: 'HX27KD',
    });
    expect(understand('call me on +44 20 7946 0958', FRI)).toMatchObject({
      intent: 'person',
      phone: '+442079460958',
    });
  });

  it.each([
    ['can I book a colour for Monday', 'book'],
    ['do you have anything free on Monday afternoon?', 'availability'],
    ['I need to cancel my haircut', 'cancel'],
    ['what is your cancellation policy?', 'question'],
    ['is there a fee if I cancel late?', 'question'],
    ['can I cancel my booking on Friday?', 'cancel'],
    ['can I move my appointment to Tuesday at 2', 'reschedule'],
    ['how much is a blow dry?', 'question'],
    ['do you take cards', 'question'],
    ['can I speak to a real person', 'person'],
    ['thanks!', 'other'],
  ])('%s → %s', (text, intent) => {
    expect(understand(text, FRI).intent).toBe(intent);
  });

  it('moving an appointment reads the day it moves to', () => {
    expect(understand('can you move my appointment on the 6th to the 9th', FRI).date).toBe('2026-04-09');
    expect(understand('change my booking from Monday to Wednesday', FRI).date).toBe('2026-04-01');
  });

  it('is deterministic', () => {
    const a = understand('a haircut next Tuesday after 3', FRI);
    expect(understand('a haircut next Tuesday after 3', FRI)).toEqual(a);
  });
});

describe('understand: how to pay', () => {
  it('is a question, not a booking, unless the message also books', () => {
    for (const text of [
      'Can I pay with a credit card?',
      'can i pay cash',
      'Do you take contactless payments?',
    ])
      expect(understand(text, MON).intent).toBe('question');
    expect(understand('can I book a haircut tomorrow and pay cash?', MON).intent).toBe('book');
    expect(understand('I need an appointment, can I pay by card?', MON).intent).toBe('book');
  });
});
