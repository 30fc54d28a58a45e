// The email channel on a node: the inbound SMTP listener and/or the IMAP poller, both feeding one intake, and the
// outbound sender for the outbox. Recorded messages are processed right after they are acknowledged, a few at a
// time; one left unprocessed (a crash, a full queue at shutdown) is picked up by the inbound sweeper.
import type { App } from '../../app.ts';
import { type Log, silentLog } from '../../events/log.ts';
import { inboundProcessor } from '../inbound.ts';
import { AddressBook } from './addresses.ts';
import { type EmailConfig, emailOutboundEnabled } from './config.ts';
import { ImapPoller } from './imap.ts';
import { validAddress } from './normalize.ts';
import { type EmailSender, emailSender } from './sender.ts';
import { type SmtpListener, startSmtpListener } from './smtp.ts';

export interface EmailChannel {
  /** The SMTP listener's port, or null when only IMAP (or nothing) receives. */
  port: number | null;
  /** The IMAP poller, to poll now (tests, an admin action); null without IMAP. */
  imap: ImapPoller | null;
  /** Waits until every message handed to processing so far is processed. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmailChannelOptions {
  log?: Log;
  /** Answer recorded messages at once (default); false leaves them to the inbound sweeper (benchmarks). */
  process?: boolean;
  /** Messages processed at the same time on this node. */
  concurrency?: number;
}

/** A small in-process queue: processing is the expensive part (a run of the agent) and must not starve SMTP. */
class ProcessingQueue {
  private readonly waiting: string[] = [];
  private active = 0;
  private stopped = false;
  private readonly idlers: (() => void)[] = [];

  constructor(
    private readonly app: App,
    private readonly log: Log,
    private readonly concurrency: number,
  ) {}

  push(externalId: string): void {
    if (this.stopped) return;
    this.waiting.push(externalId);
    this.next();
  }

  private next(): void {
    while (!this.stopped && this.active < this.concurrency && this.waiting.length) {
      const id = this.waiting.shift()!;
      this.active++;
      inboundProcessor(this.app, 'email', id)
        .then((r) => {
          if (r === 'failed')
            this.log.warn({ externalId: id }, 'email: processing failed; the sweeper retries');
        })
        .catch((err: unknown) => this.log.error({ err, externalId: id }, 'email: processing failed'))
        .finally(() => {
          this.active--;
          this.next();
        });
    }
    if (this.active === 0 && (this.waiting.length === 0 || this.stopped))
      for (const done of this.idlers.splice(0)) done();
  }

  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  /** Stops taking work; what is running finishes, what waits stays recorded for the sweeper. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await this.idle();
  }
}

export async function startEmailChannel(
  app: App,
  config: EmailConfig,
  options: EmailChannelOptions = {},
): Promise<EmailChannel> {
  const log = options.log ?? silentLog;
  const extraOwn = [config.fromAddress, validAddress(config.imap?.user)].filter((a): a is string => !!a);
  const book = new AddressBook(app.db, extraOwn, app.kindsServing('email'));
  const queue = new ProcessingQueue(app, log, options.concurrency ?? 2);
  const onRecorded = (id: string) => {
    if (options.process !== false) queue.push(id);
  };
  const deps = { book, config, log, onRecorded };
  let smtp: SmtpListener | null = null;
  if (config.listen) {
    smtp = await startSmtpListener(app, deps, config.listen);
    log.info({ host: config.listen.host, port: smtp.port }, 'email: SMTP listener ready');
    if (!['127.0.0.1', '::1', 'localhost'].includes(config.listen.host))
      log.warn(
        { host: config.listen.host },
        'email: the SMTP listener has no TLS or AUTH; put it behind your MTA or on a trusted network only',
      );
  }
  const imap = config.imap ? new ImapPoller(app, deps, config.imap) : null;
  imap?.start();
  let stopping: Promise<void> | null = null;
  return {
    port: smtp?.port ?? null,
    imap,
    idle: () => queue.idle(),
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled([smtp?.close(), imap?.stop()]);
        await queue.stop();
      })();
      return stopping;
    },
  };
}

/**
 * The outbox's sender for 'email', or null when TWELVE_SMTP_URL is not set. An agent without config.email.address
 * sends from TWELVE_MAIL_FROM's address, else from the IMAP mailbox's user when that is an address.
 */
export function buildEmailSender(config: EmailConfig): EmailSender | null {
  if (!emailOutboundEnabled(config)) return null;
  return emailSender({
    ...config,
    fromAddress: config.fromAddress ?? (validAddress(config.imap?.user) || null),
  });
}
