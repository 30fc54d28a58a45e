// Sliding-window limits for the public chat socket. Counts live in this node's memory: a socket is pinned to one
// node for its whole life, so per-connection counts are exact; per-IP counts are per node (a client spread over
// N nodes by the load balancer gets up to N times the limit), which is enough to stop a flood at the door
// without a database write per keystroke.

export interface WindowLimit {
  max: number;
  windowMs: number;
}

export class WindowLimiter {
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
