// Emitting an event: pg_notify inside the caller's transaction, so listeners hear of a change exactly when it
// committed (a rolled-back transaction notifies nobody). The same channel the runtime uses.
import { NOTIFY_CHANNEL } from '../runtime/runtime.ts';
import type { Queryable } from '../store/db.ts';
import type { TwelveEvent } from './bus.ts';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more: events carry ids, never content. */
const MAX_PAYLOAD_BYTES = 7999;

export async function emitEvent(q: Queryable, event: TwelveEvent): Promise<void> {
  const payload = JSON.stringify(event);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
    throw new Error(`event ${event.type} is too large for NOTIFY: send ids, not content`);
  await q.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
}
