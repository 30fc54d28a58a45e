// Sliding-window limits for the public chat socket. A socket is pinned to one node for its whole life, so
// per-connection counts live in that node's memory and are exact (WindowLimiter). Per-IP counts must hold across
// nodes (a client spread over N nodes by the load balancer must not get N times the limit) without a database write
// per message: SharedWindowLimiter counts locally and adds its counts to PostgreSQL in one statement per sync
// interval, reading back every node's counts for the keys it tracks. Between two syncs a node only knows its own
// hits, so a burst spread over N nodes can pass up to N times the limit for at most one interval; after that every
// node refuses on the shared count.
import type { Queryable } from '../../store/db.ts';

/** What a session asks of a limiter. */
export interface Limiter {
  /** Counts one hit for key; false (and not counted) when the key is over its limit. */
  take(key: string): boolean;
  /** Forgets keys with no recent hits. */
  sweep(): void;
}

export interface WindowLimit {
  max: number;
  windowMs: number;
}

export class WindowLimiter implements Limiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: WindowLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for key; false (and not counted) when the key is over its limit. */
  take(key: string): boolean {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((h) => h > t - this.limit.windowMs);
    if (recent.length >= this.limit.max) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(t);
    this.hits.set(key, recent);
    return true;
  }

  /** Forgets keys with no recent hits, so the map does not grow with every address ever seen. */
  sweep(): void {
    const t = this.now();
    for (const [key, hits] of this.hits) {
      if (!hits.some((h) => h > t - this.limit.windowMs)) this.hits.delete(key);
    }
  }

  get size(): number {
    return this.hits.size;
  }
}

/** Open sockets per key (IP): a cap on what one address can hold open on this node. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  acquire(key: string): boolean {
    const n = this.open.get(key) ?? 0;
    if (n >= this.max) return false;
    this.open.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.open.get(key) ?? 1) - 1;
    if (n <= 0) this.open.delete(key);
    else this.open.set(key, n);
  }
}

export interface SharedLimiterOptions {
  /** How often local counts are added to the shared ones (default 200 ms). */
  syncMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

interface KeyWindow {
  /** Hits taken on this node and not yet added to the shared count. */
  pending: number;
  /** Of pending, the hits an unfinished sync is adding right now. */
  sending: number;
  /** Every node's hits as of the last sync (this node's synced hits included). */
  shared: number;
}

/**
 * Approximate sliding window over fixed windows (the estimate weighs the previous window by the part of it still
 * inside the sliding one), counted across nodes in the `rate_limit_hits` table (migration 013). `take` never waits
 * for the database: it decides on the last synced counts plus this node's own hits since. A failed sync keeps the
 * hits pending (they still count here) and is retried on the next tick.
 */
export class SharedWindowLimiter implements Limiter {
  private readonly windows = new Map<string, KeyWindow>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private lastCleanup = 0;

  constructor(
    private readonly db: Queryable,
    private readonly scope: string,
    private readonly limit: WindowLimit,
    private readonly options: SharedLimiterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts the periodic sync (timers are unref'd: they keep no process alive). */
  start(): this {
    if (!this.timer) {
      this.timer = setInterval(() => void this.sync(), this.options.syncMs ?? 200);
      this.timer.unref();
    }
    return this;
  }

  /** Stops the timer after one last sync, so hits taken just before shutdown still count for the other nodes. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sync();
  }

  take(key: string): boolean {
    const t = this.now();
    const w = Math.floor(t / this.limit.windowMs);
    const elapsed = (t - w * this.limit.windowMs) / this.limit.windowMs;
    const cur = this.windows.get(slot(key, w));
    const prev = this.windows.get(slot(key, w - 1));
    const estimate =
      (prev ? (prev.shared + prev.pending) * (1 - elapsed) : 0) + (cur ? cur.shared + cur.pending : 0);
    if (estimate >= this.limit.max) return false;
    if (cur) cur.pending++;
    else this.windows.set(slot(key, w), { pending: 1, sending: 0, shared: 0 });
    return true;
  }

  sweep(): void {
    const oldest = Math.floor(this.now() / this.limit.windowMs) - 1;
    for (const [k, v] of this.windows) if (stale(k, v, oldest)) this.windows.delete(k);
  }

  /**
   * One statement: adds the pending hits, and reads every node's counts for the windows this node tracks (the
   * current and the previous one). Concurrent calls share one run.
   */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const t = this.now();
    const oldest = Math.floor(t / this.limit.windowMs) - 1;
    const keys: string[] = [];
    const starts: Date[] = [];
    const hits: number[] = [];
    const tracked: string[] = [];
    for (const [k, v] of this.windows) {
      const w = windowOf(k);
      if (stale(k, v, oldest)) continue;
      if (w >= oldest) tracked.push(keyOf(k));
      if (v.pending > 0) {
        v.sending = v.pending;
        keys.push(keyOf(k));
        starts.push(new Date(w * this.limit.windowMs));
        hits.push(v.pending);
      }
    }
    if (tracked.length === 0 && keys.length === 0) return;
    const since = new Date(oldest * this.limit.windowMs);
    try {
      const rows = await this.db.query<{ key: string; window_start: Date; hits: number }>(
        `WITH up AS (
           INSERT INTO rate_limit_hits (scope, key, window_start, hits)
           SELECT $1, k, s, n FROM unnest($2::text[], $3::timestamptz[], $4::int[]) AS t (k, s, n)
           ON CONFLICT (scope, key, window_start) DO UPDATE SET hits = rate_limit_hits.hits + EXCLUDED.hits
           RETURNING key, window_start, hits)
         SELECT key, window_start, hits FROM up
         UNION ALL
         SELECT r.key, r.window_start, r.hits FROM rate_limit_hits r
         WHERE r.scope = $1 AND r.key = ANY ($5::text[]) AND r.window_start >= $6
           AND NOT EXISTS (SELECT 1 FROM up WHERE up.key = r.key AND up.window_start = r.window_start)`,
        [this.scope, keys, starts, hits, [...new Set(tracked)], since],
      );
      for (const [k, v] of this.windows) {
        v.pending -= v.sending;
        v.sending = 0;
        if (stale(k, v, oldest)) this.windows.delete(k);
      }
      for (const r of rows) {
        const k = slot(r.key, Math.round(new Date(r.window_start).getTime() / this.limit.windowMs));
        const v = this.windows.get(k);
        if (v) v.shared = Number(r.hits);
        else this.windows.set(k, { pending: 0, sending: 0, shared: Number(r.hits) });
      }
      if (t - this.lastCleanup > 60_000) {
        this.lastCleanup = t;
        // Windows before the previous one decide nothing any more (any node may do this; it is idempotent).
        await this.db.query('DELETE FROM rate_limit_hits WHERE scope = $1 AND window_start < $2', [
          this.scope,
          since,
        ]);
      }
    } catch (err) {
      for (const v of this.windows.values()) v.sending = 0;
      this.options.onError?.(err);
    }
  }
}

/** A window before the previous one, with nothing left to add to the table: it decides nothing any more. */
function stale(slotKey: string, v: KeyWindow, oldest: number): boolean {
  return v.pending === 0 && windowOf(slotKey) < oldest;
}

function slot(key: string, window: number): string {
  return `${window}\u0000${key}`;
}
function windowOf(slotKey: string): number {
  return Number(slotKey.slice(0, slotKey.indexOf('\u0000')));
}
function keyOf(slotKey: string): string {
  return slotKey.slice(slotKey.indexOf('\u0000') + 1);
}
