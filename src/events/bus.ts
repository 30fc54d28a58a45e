// The event bus: every node hears every event, whichever node emitted it. The runtime emits events inside its
// transactions with pg_notify, so an event exists exactly when its state change committed; this module listens.
// On a PostgreSQL server one dedicated connection (outside the pool, which would hand it back and lose the LISTEN)
// holds `LISTEN` on the install's channel (see emit.ts) and comes back by itself after a drop; on PGlite the instance notifies in-process.
import pg from 'pg';
import type { Db } from '../store/db.ts';
import { EVENT_CHANNEL_SQL } from './emit.ts';
import { type Log, silentLog } from './log.ts';

/** An event as the runtime emits it: `{type, ...ids}`. Ids only; readers fetch the current state themselves. */
export interface TwelveEvent {
  type: string;
  [key: string]: unknown;
}

export type EventListener = (event: TwelveEvent) => void;

export interface EventBus {
  /** Calls fn for every event from now on; returns the unsubscribe function. */
  subscribe(fn: EventListener): () => void;
  close(): Promise<void>;
}

/**
 * Emitted by the bus itself when its listening connection came back after a drop. Notifications sent while it was
 * gone are lost for good (PostgreSQL does not queue them for a listener that is not there), so whoever shows live
 * state must re-read it.
 */
export const RESYNC_EVENT = 'bus.resync';

export interface EventBusOptions {
  log?: Log;
  /** Names the listening connection in pg_stat_activity (and lets tests find it). */
  applicationName?: string;
  /** Reconnect delays: doubling from initialMs up to maxMs, with jitter so nodes do not reconnect in step. */
  backoff?: { initialMs: number; maxMs: number };
  /** How often the idle listening connection is checked; a half-open TCP connection would otherwise go unnoticed. */
  pingMs?: number;
}

export async function openEventBus(db: Db, options: EventBusOptions = {}): Promise<EventBus> {
  const log = options.log ?? silentLog;
  const fanout = new Fanout(log);
  if (db.driver === 'pglite' && db.pglite) {
    const instance = db.pglite;
    const [row] = await db.query<{ ch: string }>(`SELECT ${EVENT_CHANNEL_SQL} AS ch`);
    const unlisten = await instance.listen(row!.ch, (payload) => fanout.deliver(payload));
    return {
      subscribe: (fn) => fanout.add(fn),
      async close() {
        fanout.clear();
        if (!instance.closed) await unlisten();
      },
    };
  }
  if (!db.pool) throw new Error('the event bus needs a PGlite instance or a pg pool');
  const listener = new PgListener(
    { ...db.pool.options, application_name: options.applicationName ?? 'twelve-events' },
    fanout,
    log,
    options.backoff ?? { initialMs: 250, maxMs: 30_000 },
    options.pingMs ?? 30_000,
  );
  await listener.start();
  return {
    subscribe: (fn) => fanout.add(fn),
    async close() {
      fanout.clear();
      await listener.stop();
    },
  };
}

/** Parses a notification payload; anything that is not `{type: string, ...}` is not ours and is dropped. */
export function parseEvent(payload: string): TwelveEvent | null {
  try {
    const value: unknown = JSON.parse(payload);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const event = value as Record<string, unknown>;
      if (typeof event.type === 'string' && event.type.length > 0) return event as TwelveEvent;
    }
  } catch {}
  return null;
}

class Fanout {
  private readonly listeners = new Set<EventListener>();
  constructor(private readonly log: Log) {}

  add(fn: EventListener): () => void {
    // Wrapping makes each subscription distinct, so subscribing the same function twice needs two unsubscribes.
    const entry: EventListener = (e) => fn(e);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  clear(): void {
    this.listeners.clear();
  }

  deliver(payload: string): void {
    const event = parseEvent(payload);
    if (!event) {
      this.log.warn({ payload: payload.slice(0, 200) }, 'ignoring a notification that is not a Twelve event');
      return;
    }
    this.emit(event);
  }

  emit(event: TwelveEvent): void {
    // One broken subscriber (a closed socket, a bug) must not starve the others.
    for (const fn of [...this.listeners]) {
      try {
        fn(event);
      } catch (err) {
        this.log.warn({ err, type: event.type }, 'an event subscriber failed');
      }
    }
  }
}

class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly fanout: Fanout,
    private readonly log: Log,
    private readonly backoff: { initialMs: number; maxMs: number },
    private readonly pingMs: number,
  ) {}

  /** The first connection must work: a node that cannot listen should not claim to serve live events. */
  async start(): Promise<void> {
    await this.connect();
    this.pingTimer = setInterval(() => void this.ping(), this.pingMs);
    this.pingTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.config, keepAlive: true });
    let channel: string | null = null;
    client.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) this.fanout.deliver(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    try {
      await client.connect();
      const { rows } = await client.query<{ ch: string }>(`SELECT ${EVENT_CHANNEL_SQL} AS ch`);
      channel = rows[0]!.ch;
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return; // a client that never got going, or one already given up
    this.client = null;
    client.end().catch(() => {});
    if (this.stopped) return;
    this.log.warn({ err: err.message }, 'event bus: lost the LISTEN connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      if (this.stopped) return;
      try {
        await this.connect();
      } catch (err) {
        this.log.warn(
          { err: err instanceof Error ? err.message : String(err), attempt: this.attempt },
          'event bus: reconnect failed',
        );
        this.scheduleReconnect();
        return;
      }
      if (this.stopped) return;
      this.attempt = 0;
      this.log.info({}, 'event bus: listening again');
      this.fanout.emit({ type: RESYNC_EVENT });
    }, delay);
    this.retryTimer.unref();
  }

  private async ping(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), Math.min(10_000, this.pingMs));
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (err) {
      this.lost(client, err instanceof Error ? err : new Error(String(err)));
    } finally {
      clearTimeout(timer);
    }
  }
}
