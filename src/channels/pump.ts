// Keeps the asynchronous channels moving on a node: delivers the outbox as soon as a message is queued (woken by the
// event bus) and on a short timer (events can be missed), and retries inbound messages left unprocessed. Any number
// of nodes can run a pump: claims in the database (SKIP LOCKED, conditional updates) keep them from doing work twice.
import type { App } from '../app.ts';
import type { EventBus } from '../events/bus.ts';
import type { Log } from '../events/log.ts';
import type { ChannelName, ChannelSender } from './channel.ts';
import { inboundSweeper } from './inbound.ts';
import { outboxDeliverer } from './outbox.ts';

export interface ChannelPumpOptions {
  intervalMs?: number;
  sweepMs?: number;
  log?: Log;
}

export class ChannelPump {
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private sweeping: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly app: App,
    private readonly senders: ReadonlyMap<ChannelName, ChannelSender>,
    private readonly options: ChannelPumpOptions = {},
  ) {}

  start(bus: EventBus | null): void {
    // Inbound first, with or without senders: at start, what a process that died was processing is taken over now
    // (the sweep knows which claimants no longer run), not after a timeout.
    this.sweep();
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepMs ?? 30_000);
    if (this.senders.size === 0) return;
    this.unsubscribe =
      bus?.subscribe((e) => {
        if (e.type === 'message.sent') this.kick();
      }) ?? null;
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 5_000);
    this.kick();
  }

  /** One inbound sweep at a time on a node. */
  private sweep(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = inboundSweeper(this.app)
      .then(
        () => {},
        (err: unknown) => this.options.log?.error({ err }, 'inbound sweep failed'),
      )
      .finally(() => {
        this.sweeping = null;
      });
  }

  /** Runs the outbox now, or right after the run in progress (never two at once on one node). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const r = await outboxDeliverer(this.app, this.senders);
          if (r.sent + r.retried + r.failed > 0) this.options.log?.info(r, 'outbox delivered');
        } catch (err) {
          this.options.log?.error({ err }, 'outbox delivery failed');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.all([this.running, this.sweeping]);
  }
}
