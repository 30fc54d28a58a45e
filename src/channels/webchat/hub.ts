// The node's open chat sockets, indexed by conversation, fed by one event-bus subscription. Events carry ids only
// and may come from any node: a message.sent (agent answer, a person's reply from the inbox) or message.received
// makes the conversation's sockets re-read and push what they have not sent; escalation.opened is resolved to its
// conversation once per event, not once per socket; bus.resync (notifications were lost) resyncs every socket.
import type { App } from '../../app.ts';
import { type EventBus, RESYNC_EVENT, type TwelveEvent } from '../../events/bus.ts';
import type { Log } from '../../events/log.ts';
import type { ChatSession, ChatSocket } from './session.ts';

const PING_MS = 30_000;

export class ChatHub {
  private readonly byConversation = new Map<string, Set<ChatSession>>();
  private readonly sockets = new Map<ChatSession, ChatSocket>();
  private subscription: Promise<() => void> | null = null;
  private pinger: NodeJS.Timeout | null = null;

  constructor(
    private readonly app: App,
    private readonly bus: () => Promise<EventBus>,
    private readonly log: Log,
    private readonly onSweep: () => void = () => {},
  ) {}

  /** Subscribes to the bus on first use, so a server that never serves a chat opens no LISTEN connection. */
  async ready(): Promise<void> {
    this.subscription ??= this.bus().then((bus) => bus.subscribe((e) => this.onEvent(e)));
    const subscription = this.subscription;
    try {
      await subscription;
    } catch (err) {
      // Not cached: the next socket tries again (the database may be back).
      if (this.subscription === subscription) this.subscription = null;
      throw err;
    }
    if (!this.pinger) {
      // Pings find dead peers (a phone that left coverage) and keep proxies from closing idle sockets.
      this.pinger = setInterval(() => this.ping(), PING_MS);
      this.pinger.unref();
    }
  }

  add(session: ChatSession, socket: ChatSocket): void {
    this.sockets.set(session, socket);
  }

  join(conversationId: string, session: ChatSession): void {
    const set = this.byConversation.get(conversationId) ?? new Set();
    set.add(session);
    this.byConversation.set(conversationId, set);
  }

  remove(session: ChatSession): void {
    this.sockets.delete(session);
    const id = session.conversationId;
    const set = id ? this.byConversation.get(id) : undefined;
    if (!set || !id) return;
    set.delete(session);
    if (!set.size) this.byConversation.delete(id);
  }

  get size(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    for (const session of [...this.sockets.keys()]) session.close(1001, 'server shutting down');
    if (this.subscription) (await this.subscription.catch(() => () => {}))();
  }

  private onEvent(e: TwelveEvent): void {
    if (!this.sockets.size) return;
    if (
      (e.type === 'message.sent' || e.type === 'message.received') &&
      typeof e.conversationId === 'string'
    ) {
      const messageId = typeof e.messageId === 'string' ? e.messageId : undefined;
      for (const s of this.byConversation.get(e.conversationId) ?? []) s.refresh(messageId);
    } else if (e.type === 'escalation.opened' && typeof e.runId === 'string') {
      void this.escalationOpened(e.runId);
    } else if (e.type === RESYNC_EVENT) {
      for (const s of this.sockets.keys()) s.resync();
    }
  }

  private async escalationOpened(runId: string): Promise<void> {
    try {
      const [row] = await this.app.db.query<{ id: string; conversation_id: string | null; created_at: Date }>(
        `SELECT id, conversation_id, created_at FROM escalations WHERE run_id = $1 AND state <> 'resolved'
         ORDER BY created_at DESC LIMIT 1`,
        [runId],
      );
      if (!row?.conversation_id) return;
      for (const s of this.byConversation.get(row.conversation_id) ?? [])
        s.handoff(row.id, new Date(row.created_at));
    } catch (err) {
      this.log.warn({ err, runId }, 'webchat: could not resolve an escalation to its conversation');
    }
  }

  private ping(): void {
    this.onSweep();
    for (const [session, socket] of this.sockets) {
      if (!session.alive) {
        socket.terminate();
        continue;
      }
      session.alive = false;
      try {
        socket.ping();
      } catch {
        socket.terminate();
      }
    }
  }
}
