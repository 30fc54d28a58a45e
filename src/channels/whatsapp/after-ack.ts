// Processing after the acknowledgement. Meta wants a fast 200 (PROTOCOLS §2.2), and the answer takes a run of the
// agent, so recorded messages are processed here, after the response: one customer's messages in order (two at
// once could open two conversations), a few customers at a time, and a bounded backlog. This is an optimisation
// only: every message is already durable in channel_inbound, and anything skipped here (backlog full, shutdown,
// crash) is picked up by inboundSweeper.
import type { FastifyBaseLogger } from 'fastify';
import type { App } from '../../app.ts';
import { inboundProcessor } from '../inbound.ts';

export interface AfterAckOptions {
  /** Customers processed at the same time (default 4 on a server, 1 on PGlite). */
  concurrency?: number;
  /** Messages waiting here at most; beyond it they wait for the sweep. */
  maxBacklog?: number;
}

export class AfterAckProcessor {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private running = 0;
  private backlog = 0;
  private closed = false;
  private readonly concurrency: number;
  private readonly maxBacklog: number;

  constructor(
    private readonly app: App,
    private readonly log: FastifyBaseLogger,
    options: AfterAckOptions = {},
  ) {
    // PGlite runs one statement at a time in this thread: a second processor has no I/O wait to overlap, it
    // only queues more statements ahead of the acknowledgements.
    this.concurrency = options.concurrency ?? (app.db.driver === 'pglite' ? 1 : 4);
    this.maxBacklog = options.maxBacklog ?? 1000;
  }

  /** Queues one recorded message; `key` orders a customer's messages (agent + address). */
  push(key: string, externalId: string): void {
    if (this.closed) return;
    if (this.backlog >= this.maxBacklog) {
      this.log.warn({ externalId }, 'whatsapp: processing backlog full; the inbound sweep will process it');
      return;
    }
    this.backlog++;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.run(externalId));
    this.chains.set(key, next);
    void next.finally(() => {
      this.backlog--;
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private async run(externalId: string): Promise<void> {
    // setImmediate: the 200 is written before processing competes for the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    // A finishing task hands its slot straight to a waiter, so a newcomer cannot slip in between.
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiters.push(r));
    else this.running++;
    try {
      if (this.closed) return; // left 'received': the sweep takes it
      const outcome = await inboundProcessor(this.app, 'whatsapp', externalId);
      if (outcome === 'failed')
        this.log.warn({ externalId }, 'whatsapp: processing failed; the sweep retries it');
    } catch (err) {
      this.log.error({ err, externalId }, 'whatsapp: processing threw; the sweep retries it');
    } finally {
      const waiter = this.waiters.shift();
      if (waiter) waiter();
      else this.running--;
    }
  }

  /** Stops taking work and waits for what has started, so the database is not closed under a running message. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }

  /** Resolves when nothing is queued or running (tests and the bench wait on it). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }
}
