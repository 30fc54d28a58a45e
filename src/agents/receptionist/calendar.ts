// iCalendar (RFC 5545) for bookings, written by ical-generator: one booking as an .ics file (a link in the
// confirmation, or an attachment), and a private feed per resource that Google Calendar or Outlook subscribe to
// (GET /calendar/<token>.ics: the token is the only credential, 32 random bytes; only its hash is stored). Times
// are written in UTC, so every client shows them in its own zone without a VTIMEZONE to trust.
import ical, { ICalEventStatus } from 'ical-generator';
import { listBookings } from '../../business/bookings.ts';
import { feedHash, getResource, listServices } from '../../business/profile.ts';
import type { Queryable } from '../../store/db.ts';
import type { Booking } from './model.ts';

const PROD_ID = { company: 'Twelve', product: 'Receptionist', language: 'EN' };
/** A feed shows bookings from this long ago … */
const FEED_PAST_DAYS = 30;
/** … to this far ahead. */
const FEED_AHEAD_DAYS = 400;

const STATUS: Record<Booking['status'], ICalEventStatus> = {
  confirmed: ICalEventStatus.CONFIRMED,
  tentative: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED,
};

export interface EventNames {
  service: string;
  resource: string;
  business: string;
}

function addEvent(cal: ReturnType<typeof ical>, b: Booking, names: EventNames, forStaff: boolean) {
  cal.createEvent({
    id: `booking-${b.id}@twelve`,
    start: b.start,
    end: b.end,
    stamp: b.createdAt,
    summary: forStaff ? `${names.service}: ${b.customer.name}` : `${names.service} at ${names.business}`,
    description: forStaff
      ? [`Code ${b.code}`, b.customer.phone, b.customer.email].filter(Boolean).join('\n')
      : `With ${names.resource}. Your code: ${b.code} (quote it to move or cancel).`,
    status: STATUS[b.status],
  });
}

/** One booking as an .ics file for the customer. */
export function bookingIcs(b: Booking, names: EventNames): string {
  const cal = ical({ prodId: PROD_ID, name: names.business });
  addEvent(cal, b, names, false);
  return cal.toString();
}

/** The feed of a resource named by a feed token, or null when no live resource has it. */
export async function resourceFeed(q: Queryable, token: string, now: Date): Promise<string | null> {
  const [row] = await q.query<{ id: string; display_name: string }>(
    `SELECT r.id, a.display_name FROM business_resources r JOIN agents a ON a.id = r.agent_id
     WHERE r.feed_hash = $1 AND NOT r.archived`,
    [feedHash(token)],
  );
  if (!row) return null;
  const resource = await getResource(q, row.id);
  const services = new Map(
    (await listServices(q, resource.agentId, { archived: true })).map((s) => [s.id, s.name]),
  );
  const bookings = await listBookings(q, resource.agentId, {
    from: new Date(now.getTime() - FEED_PAST_DAYS * 86_400_000),
    to: new Date(now.getTime() + FEED_AHEAD_DAYS * 86_400_000),
    resourceId: resource.id,
    limit: 10_000,
  });
  const cal = ical({ prodId: PROD_ID, name: `${resource.name} (${row.display_name})`, ttl: 15 * 60 });
  for (const b of bookings)
    addEvent(
      cal,
      b,
      {
        service: services.get(b.serviceId) ?? 'Booking',
        resource: resource.name,
        business: row.display_name,
      },
      true,
    );
  return cal.toString();
}
