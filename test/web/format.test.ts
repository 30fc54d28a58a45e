// The dashboard's shared formatters: dates in sentences are local and human (never ISO), and people are named by
// their display name rather than `user:<email>`.
import { describe, expect, it } from 'vitest';
import { humanDate, humanizeDates, personName } from '../../web/src/format.ts';

const now = new Date('2026-12-07T15:00:00Z');
const en = { now, locale: 'en-GB', timeZone: 'Europe/London' } as const;

describe('humanDate', () => {
  it('says today, yesterday and tomorrow with the local time', () => {
    expect(humanDate('2026-12-07T09:05:00Z', en)).toBe('today at 09:05');
    expect(humanDate('2026-12-06T23:30:00Z', en)).toBe('yesterday at 23:30');
    expect(humanDate('2026-12-08T08:00:00Z', en)).toBe('tomorrow at 08:00');
  });

  it('reads the day in the reader’s time zone, not UTC', () => {
    // 02:11 UTC on the 7th is still the 6th in New York.
    const ny = { now, locale: 'en-GB', timeZone: 'America/New_York' };
    expect(humanDate('2026-12-07T02:11:20.982Z', ny)).toBe('yesterday at 21:11');
  });

  it('names the weekday this year and the year before it', () => {
    expect(humanDate('2026-11-20T10:00:00Z', en)).toBe('Fri 20 Nov, 10:00');
    expect(humanDate('2025-03-02T10:00:00Z', en)).toBe('2 Mar 2025, 10:00');
  });

  it('leaves what is not a date as it was', () => {
    expect(humanDate('soon', en)).toBe('soon');
  });
});

describe('humanizeDates', () => {
  it('replaces every ISO instant in a sentence and nothing else', () => {
    const text = 'the last evaluation (2026-12-07T02:11:20.982Z) passed; v2 on 2026-12-07 stays';
    expect(humanizeDates(text, en)).toBe(
      'the last evaluation (today at 02:11) passed; v2 on 2026-12-07 stays',
    );
    expect(humanizeDates('at 2026-11-20T10:00:00+01:00 and 2026-12-06T12:00Z', en)).toBe(
      'at Fri 20 Nov, 09:00 and yesterday at 12:00',
    );
    expect(humanizeDates('no dates here', en)).toBe('no dates here');
  });
});

describe('personName', () => {
  const dir = new Map([['sam@northwind.example', 'Sam Rivera']]);

  it('names a user actor by their display name, else their email', () => {
    expect(personName('user:sam@northwind.example', dir)).toBe('Sam Rivera');
    expect(personName('user:Sam@Northwind.example', dir)).toBe('Sam Rivera');
    expect(personName('user:kim@northwind.example', dir)).toBe('kim@northwind.example');
    expect(personName('user:sam@northwind.example')).toBe('sam@northwind.example');
  });

  it('names people objects and the machine actors in words', () => {
    expect(personName({ name: 'Kim Lee', email: 'kim@x.example' })).toBe('Kim Lee');
    expect(personName({ name: '', email: 'kim@x.example' })).toBe('kim@x.example');
    expect(personName('cli')).toBe('the command line');
    expect(personName('setup')).toBe('first-run setup');
    expect(personName(null)).toBe('nobody');
  });
});
