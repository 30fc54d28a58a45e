// Emitting an event: pg_notify inside the caller's transaction, so listeners hear of a change exactly when it
// committed (a rolled-back transaction notifies nobody), or, on the hot path, right after the commit
// (AfterCommitNotifier). Every writer of events goes through here.
import type { Queryable } from '../store/db.ts';
import type { TwelveEvent } from './bus.ts';
import { type Log, silentLog } from './log.ts';

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
 * Notifications sent just after the write they announce has committed, for the hot path (a chat turn's reply).
 *
 * Inside a transaction, NOTIFY takes one database-wide lock when the transaction starts to commit and holds it until the
 * commit record is on disk, so each notifying transaction waits for the previous one's WAL flush: group commit stops
 * working, and under load the writes queue behind each other. In the support bench, backends waited on that lock
 * (Lock:object) 18–26% of the time; with the notification moved here, the p99 per turn at 500 turns/s offered went
 * from 45–49 ms to 18–23 ms and the closed loop from 658–701 to 689–808 turns/s (three runs each, same machine, same
 * hour). A statement that only notifies writes no WAL, so it holds the lock for microseconds.
 *
 * The events still never come before their commit. What is given up: a process that dies between the commit and this
 * statement loses the event. Listeners already live with lost events (NOTIFY does not queue for a listener that is not
 * there): the bus resyncs after a drop, the outbox also runs on a timer, chat sockets re-read on reconnect.
 *
 * Events are sent in the order they were handed in, batched: one statement at a time, carrying everything that came in
 * while the previous one ran.
 */
export class AfterCommitNotifier {
  private pending: string[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Pick<Queryable, 'query'>,
    private readonly log: Log = silentLog,
  ) {}

  /** Queues a payload (from eventPayload) whose write has committed; sent on a later turn of the event loop. */
  notify(payload: string): void {
    this.pending.push(payload);
    this.running ??= this.drain();
  }

  /** Resolves once everything handed in so far has been sent (or has failed and been logged). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // One macrotask's wait lets the other turns finishing now join this statement.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.db.query(
          `SELECT count(pg_notify(c.ch, p)) FROM (SELECT ${EVENT_CHANNEL_SQL} AS ch) c, unnest($1::text[]) AS p`,
          [batch],
        );
      } catch (err) {
        this.log.warn({ err, events: batch.length }, 'events: could not notify, listeners miss these events');
      }
    }
    this.running = null;
  }
}

/**
 * An event as NOTIFY carries it: for AfterCommitNotifier, or for a statement that notifies as part of a larger write
 * (`pg_notify(${EVENT_CHANNEL_SQL}, $n)` in its select list; delivered when that statement commits). Checked before
 * the write, so an event too large to send fails the write rather than going missing after it.
 */
export function eventPayload(event: TwelveEvent): string {
  const payload = JSON.stringify(event);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
    throw new Error(`event ${event.type} is too large for NOTIFY: send ids, not content`);
  return payload;
}
