// Reads and checks agent.config.businessHours (see hours.ts for what it means). Agent create and update
// refuse a setting this schema cannot read, with its path (AgentSettingsSchema), so a typo is a 400 naming the field,
// not a promise silently dropped; where it is read, an unreadable one is no promise at all (null).
import { z } from 'zod';
import { type BusinessHours, DAY_KEYS, handoffMessage, isCalendarDate, validTimeZone } from './hours.ts';

const HHMM_PATTERN = '([01]\\d|2[0-3]):[0-5]\\d';
const HHMM = z.string().regex(new RegExp(`^${HHMM_PATTERN}$`), 'HH:MM (24-hour)');
const RANGE = z
  .string()
  .regex(new RegExp(`^${HHMM_PATTERN}-${HHMM_PATTERN}$`), 'HH:MM-HH:MM (24-hour), e.g. 09:00-18:00')
  .refine((r) => r.slice(0, 5) < r.slice(6), 'the range must close after it opens (same day)');
const DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');

export const BusinessHoursSchema = z
  .object({
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(validTimeZone, 'an IANA time zone, e.g. Europe/London')
      .optional(),
    /** Open weekdays: 1 = Monday … 6 = Saturday; Sunday is 0 or 7. */
    days: z.array(z.number().int().min(0).max(7)).max(7).optional(),
    open: HHMM.optional(),
    close: HHMM.optional(),
    /** A range per open day; a day left out (or null) is closed. Instead of days/open/close. */
    hours: z
      .object(
        Object.fromEntries(DAY_KEYS.map((k) => [k, RANGE.nullable().optional()])) as Record<
          (typeof DAY_KEYS)[number],
          z.ZodOptional<z.ZodNullable<typeof RANGE>>
        >,
      )
      .strict()
      .optional(),
    /** Whole days closed (public holidays), in the agent's time zone. */
    closed: z.array(DATE).max(400).optional(),
    /** Free text shown as is: "15 minutes", "2 hours". */
    replyTime: z.string().min(1).max(60).optional(),
  })
  .strict()
  .refine((h) => !h.open || !h.close || h.open < h.close, {
    message: 'close must be after open (same day)',
    path: ['close'],
  })
  .refine((h) => !h.hours || (h.days === undefined && h.open === undefined && h.close === undefined), {
    message: 'give either hours (a range per day) or days, open and close, not both',
    path: ['hours'],
  })
  .refine((h) => (!h.hours && !h.days && !h.open && !h.close && !h.closed) || h.timezone !== undefined, {
    message: 'a schedule needs its time zone',
    path: ['timezone'],
  });

/** The agent's business hours from its config; absent or unreadable → null (always staffed, no promise made). */
export function businessHoursOf(config: Record<string, unknown>): BusinessHours | null {
  const parsed = BusinessHoursSchema.safeParse(config.businessHours);
  return parsed.success ? parsed.data : null;
}

/** The hand-off announcement for an agent's config at an instant (handoffMessage of its business hours). */
export function handoffText(config: Record<string, unknown>, at: Date): string {
  return handoffMessage(businessHoursOf(config), at);
}
