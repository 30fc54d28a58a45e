// Receiving by polling an existing mailbox (IMAP4rev1, RFC 3501; PROTOCOLS §3.1): every TWELVE_IMAP_POLL_SECONDS,
// connect, SELECT the mailbox, UID SEARCH UNSEEN, fetch each message with BODY.PEEK[] (which leaves \Seen alone),
// record it, and only then STORE +FLAGS (\Seen). A crash between recording and flagging fetches the message again
// next time; the Message-ID deduplicates it. One connection per poll: nothing to keep alive or resynchronize.
import type { App } from '../../app.ts';
import type { Log } from '../../events/log.ts';
import { emailAgentFinder } from './addresses.ts';
import type { ImapSettings } from './config.ts';
import { dropRecorder, EmailRejected, emailIntake, type IntakeDeps, unreadableRecorder } from './intake.ts';

export interface ImapPollerDeps extends IntakeDeps {
  log: Log;
  onRecorded(externalId: string): void;
}

export interface PollReport {
  fetched: number;
  recorded: number;
  dropped: number;
  duplicates: number;
}

/** Messages handled per poll; the rest wait for the next one, so one poll never runs unbounded. */
const BATCH = 100;

export class ImapPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly app: App,
    private readonly deps: ImapPollerDeps,
    private readonly settings: ImapSettings,
  ) {}

  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.settings.pollSeconds * 1000);
  }

  /** Polls now unless a poll is already running. */
  kick(): void {
    if (this.stopped || this.running) return;
    this.running = this.pollOnce()
      .catch((err: unknown) => this.deps.log.error({ err }, 'email: IMAP poll failed'))
      .finally(() => {
        this.running = null;
      });
  }

  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { fetched: 0, recorded: 0, dropped: 0, duplicates: 0 };
    const agent = await emailAgentFinder(this.app.db, this.settings.agent);
    if (!agent) throw new Error(`TWELVE_IMAP_AGENT names no agent: "${this.settings.agent}"`);
    const s = this.settings;
    const { ImapFlow } = await import('imapflow'); // loaded with the first poll (src/lazy.ts)
    const client = new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.secure,
      auth: { user: s.user, pass: s.pass },
      logger: false,
      disableAutoIdle: true,
    });
    // ImapFlow reports socket failures as events; without a listener they would crash the process.
    client.on('error', (err: unknown) => this.deps.log.warn({ err }, 'email: IMAP connection error'));
    await client.connect();
    try {
      const lock = await client.getMailboxLock(s.mailbox);
      try {
        const uids = ((await client.search({ seen: false }, { uid: true })) || []).slice(0, BATCH);
        const sizes = new Map<number, { size: number; messageId: string | undefined }>();
        if (uids.length)
          for await (const m of client.fetch(
            uids.join(','),
            { uid: true, size: true, envelope: true },
            { uid: true },
          ))
            sizes.set(m.uid, { size: m.size ?? 0, messageId: m.envelope?.messageId });
        for (const uid of uids) {
          if (this.stopped) break;
          const info = sizes.get(uid);
          if (!info) continue;
          report.fetched++;
          if (info.size > this.deps.config.maxMessageBytes) {
            await this.recordTooLarge(agent.id, uid, info);
            report.dropped++;
          } else {
            const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
            const source = msg ? msg.source : undefined;
            if (!source) continue;
            const status = await this.record(agent, source);
            report[status === 'recorded' ? 'recorded' : status === 'duplicate' ? 'duplicates' : 'dropped']++;
          }
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return report;
  }

  private async record(
    agent: NonNullable<Awaited<ReturnType<typeof emailAgentFinder>>>,
    raw: Buffer,
  ): Promise<'recorded' | 'duplicate' | 'dropped'> {
    try {
      const outcome = await emailIntake(this.app, this.deps, { raw, agent, recipients: [], source: 'imap' });
      // A duplicate too: its first copy may have been recorded by a process that died before answering it.
      if (outcome.status !== 'dropped') this.deps.onRecorded(outcome.externalId);
      return outcome.status;
    } catch (err) {
      // No SMTP reply can refuse it any more: record why it is not answered, and let it be marked read.
      if (!(err instanceof EmailRejected)) throw err;
      await unreadableRecorder(this.app, agent.id, raw, err.message);
      return 'dropped';
    }
  }

  private async recordTooLarge(
    agentId: string,
    uid: number,
    info: { size: number; messageId: string | undefined },
  ): Promise<void> {
    const externalId = info.messageId?.slice(0, 500) || `<imap.${uid}.${info.size}@too-large.twelve.invalid>`;
    await dropRecorder(
      this.app,
      {
        channel: 'email',
        agentId,
        externalId,
        from: '',
        text: '',
        receivedAt: this.app.clock.now().toISOString(),
        meta: { source: 'imap', size: info.size },
      },
      `message of ${info.size} bytes exceeds the ${this.deps.config.maxMessageBytes}-byte limit`,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
