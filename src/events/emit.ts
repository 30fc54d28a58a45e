// Emitting an event: pg_notify inside the caller's transaction, so listeners hear of a change exactly when it
// committed (a rolled-back transaction notifies nobody). Every writer of events goes through here.
import type { Queryable } from '../store/db.ts';
import type { TwelveEvent } from './bus.ts';

/** The one PostgreSQL notification channel all events travel on. */
export const NOTIFY_CHANNEL = 'twelve_events';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more: events carry ids, never content. */
const MAX_PAYLOAD_BYTES = 7999;

export async function emitEvent(q: Queryable, event: TwelveEvent): Promise<void> {
  const payload = JSON.stringify(event);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
    throw new Error(`event ${event.type} is too large for NOTIFY: send ids, not content`);
  await q.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
}
