// Emitting an event: pg_notify inside the caller's transaction, so listeners hear of a change exactly when it
// committed (a rolled-back transaction notifies nobody). Every writer of events goes through here.
import type { Queryable } from '../store/db.ts';
import type { TwelveEvent } from './bus.ts';

/**
 * The notification channel of this install, as SQL: `twelve_events` in the public schema, `twelve_events_<schema>`
 * otherwise (migration 008), so installs sharing a database stay apart. Listeners ask the database for it.
 */
export const EVENT_CHANNEL_SQL = 'twelve_event_channel()';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more: events carry ids, never content. */
const MAX_PAYLOAD_BYTES = 7999;

export async function emitEvent(q: Queryable, event: TwelveEvent): Promise<void> {
  await q.query(`SELECT pg_notify(${EVENT_CHANNEL_SQL}, $1)`, [eventPayload(event)]);
}

/**
 * An event as NOTIFY carries it, for a statement that notifies as part of a larger write
 * (`pg_notify(${EVENT_CHANNEL_SQL}, $n)` in its select list): it is delivered when that statement commits.
 */
export function eventPayload(event: TwelveEvent): string {
  const payload = JSON.stringify(event);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
    throw new Error(`event ${event.type} is too large for NOTIFY: send ids, not content`);
  return payload;
}
