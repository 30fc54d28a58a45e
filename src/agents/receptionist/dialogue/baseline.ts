// chrono-node alone, for comparison in `twelve eval receptionist --parser chrono`: the first date and time chrono
// reads (forwardDate, the wall clock as the reference), nothing else. Only its date and time figures mean anything.
import * as chrono from 'chrono-node/en';
import type { Understanding } from '../model.ts';
import { hhmm, isoDay, wallClock } from './calendar.ts';

export function chronoUnderstand(text: string, opts: { now: string | Date; tz: string }): Understanding {
  const now = wallClock(opts.now, opts.tz);
  const ref = new Date(now.day.getTime() + now.minutes * 60_000);
  const out: Understanding = { intent: 'other' };
  const results = chrono.parse(text, { instant: ref, timezone: 0 }, { forwardDate: true });
  const first = results[0];
  if (!first) return out;
  const c = first.start;
  if (c.isCertain('day') || c.isCertain('weekday')) {
    const d = c.date();
    out.date = isoDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())));
  }
  if (c.isCertain('hour')) {
    out.time = hhmm((c.get('hour') ?? 0) * 60 + (c.get('minute') ?? 0));
    out.timeQualifier = 'at';
  }
  return out;
}
