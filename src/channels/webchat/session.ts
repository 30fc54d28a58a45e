// One chat socket: hello (resume a conversation, or promise one: its id and resume token are handed out, and its row
// is written with the first customer message, so an idle socket writes nothing), customer messages (idempotent by
// clientId), "talk to a person", and live pushes. Frames are handled one at a time per socket, so the customer's words, the agent's
// answer and a hand-off always arrive in the order they happened; every failure becomes an error frame.

import { randomUUID } from 'node:crypto';
import type { App } from '../../app.ts';
import { handoffText } from '../../business/hours.schema.ts';
import {
  type Conversation,
  conversationOpener,
  conversationResumer,
  customerMessageHandler,
  newResumeToken,
  openEscalationOf,
  type TranscriptMessage,
  transcript,
} from '../../conversations/conversations.ts';
import { satisfactionRecorder } from '../../conversations/inbox.ts';
import { isAppError } from '../../errors.ts';
import type { Log } from '../../events/log.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { sqlState } from '../../store/db.ts';
import { pgSafe } from '../../store/text.ts';
import { fromDatabase, presentMessages, unseenMessages } from './present.ts';
import { type ClientFrame, parseClientFrame, type ServerFrame, type WireErrorId } from './protocol.ts';
import type { Limiter } from './rate-limit.ts';

/** The part of a ws WebSocket this module uses (the `ws` package ships no types here). */
export interface ChatSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'message', fn: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close' | 'pong', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

const OPEN = 1;
/** Close codes the widget acts on: 4404 = stop retrying, 4429 = retry later. */
export const CLOSE_NOT_AVAILABLE = 4404;
export const CLOSE_RATE_LIMITED = 4429;
/** A client this far behind on reading is cut off; it reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 1_048_576;
/** Rejected frames tolerated before the connection is closed. */
const MAX_STRIKES = 50;
/** Pushed message ids a socket remembers (and sends to a catch-up read, which looks at the newest 50 messages). */
const PUSHED_MEMORY = 64;
export const PERSON_REQUEST_TEXT = 'I would like to talk to a person';

export interface SessionDeps {
  app: App;
  agent: AgentConfig;
  socket: ChatSocket;
  ip: string;
  log: Log;
  /** Frames of any kind, per connection (stops error-frame floods). */
  frameLimiter: Limiter;
  /** Customer messages and hand-off requests, per connection. */
  messageLimiter: Limiter;
  /** Customer messages, hand-off requests and new conversations, per IP (shared by all nodes on PostgreSQL). */
  ipLimiter: Limiter;
  /** clientIds being processed on this node, across sockets (a reconnecting tab resends while the first runs). */
  inFlight: Map<string, Promise<void>>;
  join(conversationId: string, session: ChatSession): void;
}

/** A conversation id and resume token promised in a welcome, written with the first message. */
interface Promised {
  id: string;
  resumeToken: string;
}

/** The form of the conversation ids this node promises (a client may hold one across a reconnect). */
const PROMISED_ID = /^c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class ChatSession {
  conversation: Conversation | null = null;
  private promised: Promised | null = null;

  /** The conversation this socket shows: written, or promised in its welcome. */
  get conversationId(): string | null {
    return this.conversation?.id ?? this.promised?.id ?? null;
  }
  alive = true;
  private readonly pushed = new Set<string>();
  private readonly announced = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private strikes = 0;
  private closed = false;

  constructor(private readonly d: SessionDeps) {}

  onFrame(data: unknown, isBinary: boolean): void {
    if (this.closed) return;
    const refusal = this.check(data, isBinary);
    if ('error' in refusal) {
      const { id, message, clientId } = refusal.error;
      this.reject(id, message, clientId);
      return;
    }
    const frame = refusal.frame;
    this.enqueue(() => this.handle(frame), frame.type === 'message' ? frame.clientId : undefined);
  }

  /**
   * Something changed in this conversation (an event from any node): push what the customer has not seen. An event
   * about a message this socket already pushed (the answer to its own message, usually) needs no read.
   */
  refresh(messageId?: string): void {
    this.enqueue(async () => {
      if (messageId === undefined || !this.pushed.has(messageId)) await this.pushNew();
    });
  }

  /** An escalation opened somewhere for this conversation: announce it once. */
  handoff(escalationId: string, at: Date): void {
    this.enqueue(async () => this.announce(escalationId, at));
  }

  /** After the event bus lost notifications: re-read messages and the hand-off state. */
  resync(): void {
    this.enqueue(async () => {
      await this.pushNew();
      await this.announceHeld();
    });
  }

  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.d.socket.close(code, reason);
  }

  markClosed(): void {
    this.closed = true;
  }

  send(frame: ServerFrame): void {
    const { socket } = this.d;
    if (this.closed || socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.d.log.warn({ buffered: socket.bufferedAmount }, 'webchat: client is not reading; closing');
      socket.terminate();
      this.closed = true;
      return;
    }
    socket.send(JSON.stringify(frame));
  }

  /** Limits first (cheap), then validation; a message also spends the connection's and the address's budget. */
  private check(
    data: unknown,
    isBinary: boolean,
  ): { frame: ClientFrame } | { error: { id: WireErrorId; message: string; clientId?: string } } {
    if (!this.d.frameLimiter.take('frames'))
      return { error: { id: 'rate_limited', message: 'too many frames; slow down' } };
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) return { error: parsed.error };
    const frame = parsed.frame;
    if (frame.type === 'hello') return { frame };
    if (!this.d.messageLimiter.take('messages') || !this.d.ipLimiter.take(this.d.ip)) {
      const message = 'too many messages; wait a few seconds';
      return {
        error: {
          id: 'rate_limited',
          message,
          ...(frame.type === 'message' ? { clientId: frame.clientId } : {}),
        },
      };
    }
    return { frame };
  }

  private reject(id: WireErrorId, message: string, clientId?: string): void {
    this.send({ type: 'error', id, message, ...(clientId ? { clientId } : {}) });
    if (++this.strikes >= MAX_STRIKES) this.close(CLOSE_RATE_LIMITED, 'too many rejected frames');
  }

  /** Runs fn after everything queued before it; a failure is logged and reported (with the message's clientId). */
  private enqueue(fn: () => Promise<void>, clientId?: string): void {
    this.chain = this.chain
      .then(() => (this.closed ? undefined : fn()))
      .catch((err: unknown) => {
        this.d.log.error({ err, agent: this.d.agent.name }, 'webchat: frame handling failed');
        const message = 'Something went wrong on our side.';
        this.send({ type: 'error', id: 'internal_error', message, ...(clientId ? { clientId } : {}) });
      });
  }

  private async handle(frame: ClientFrame): Promise<void> {
    if (frame.type === 'hello') {
      if (this.conversation || this.promised)
        return this.reject('validation_failed', 'hello was already said');
      return this.hello(frame.conversationId, frame.resumeToken);
    }
    if (!this.conversation && !this.promised) return this.reject('validation_failed', 'send hello first');
    if (frame.type === 'rate') {
      // Only a written conversation with something in it is rated; a promised one has nothing to rate yet.
      if (!this.conversation) return this.reject('validation_failed', 'there is nothing to rate yet');
      const { rating } = await satisfactionRecorder(
        this.d.app,
        this.conversation.id,
        frame.rating === 'up' ? 1 : -1,
      );
      this.send({ type: 'rated', rating: rating === 1 ? 'up' : 'down' });
      return;
    }
    const clientId = frame.type === 'message' ? frame.clientId : undefined;
    if (frame.type === 'message' && !pgSafe(frame.text).trim()) {
      // Refused before a promised conversation is written for it.
      return this.reject('validation_failed', 'the message is empty', clientId);
    }
    const conversation = this.conversation ?? (await this.open(clientId));
    if (!conversation) return;
    if (frame.type === 'message') return this.message(conversation, frame.text, frame.clientId);
    return this.human(conversation);
  }

  /**
   * Writes the promised conversation: the first customer message (or request for a person) needs it. Its budget is
   * the message's (a conversation costs at least one message of the address's budget). Another tab of the same
   * client may have written it first (the same id and token): then that one is used.
   */
  private async open(clientId: string | undefined): Promise<Conversation | null> {
    const { app, agent } = this.d;
    const promised = this.promised!;
    let conversation: Conversation | null;
    try {
      conversation = (
        await conversationOpener(app, {
          agentId: agent.id,
          channel: 'webchat',
          id: promised.id,
          resumeToken: promised.resumeToken,
        })
      ).conversation;
    } catch (err) {
      if (sqlState(err) !== '23505') throw err;
      const found = await conversationResumer(app.db, promised.id, promised.resumeToken);
      conversation = found && found.agentId === agent.id ? found : null;
    }
    if (!conversation) {
      this.reject('validation_failed', 'this conversation cannot be resumed; reload the chat', clientId);
      return null;
    }
    // Already joined under this id at hello.
    this.promised = null;
    this.conversation = conversation;
    return conversation;
  }

  private async hello(conversationId?: string, resumeToken?: string): Promise<void> {
    const { app, agent } = this.d;
    let conversation: Conversation | null = null;
    let adopted = false;
    if (conversationId && resumeToken) {
      const found = await conversationResumer(app.db, conversationId, resumeToken);
      // A token of another agent's conversation is as good as a wrong one.
      if (found && found.agentId === agent.id) conversation = found;
      // A conversation promised to this client before (it reconnected before its first message was written, or
      // the node that promised it died): the same id and token are kept, so a message it resends lands in the
      // conversation it was sent to. An id that exists is never adopted with another token.
      else if (!found && PROMISED_ID.test(conversationId)) {
        const [taken] = await app.db.query('SELECT 1 FROM conversations WHERE id = $1', [conversationId]);
        adopted = !taken;
      }
    }
    if (!conversation) {
      // A paused agent takes no new conversations; existing ones still resume, so a person's reply still arrives.
      if (agent.status !== 'active') {
        this.send({ type: 'error', id: 'agent_paused', message: 'This chat is not available right now.' });
        return this.close(CLOSE_NOT_AVAILABLE, 'agent paused');
      }
      // Nothing is written (an idle socket costs the database nothing): the row comes with the first message.
      this.promised =
        adopted && conversationId && resumeToken
          ? { id: conversationId, resumeToken }
          : { id: `c_${randomUUID()}`, resumeToken: newResumeToken() };
      // Joined under the promised id: another tab of this client may write it first, and its events reach here.
      this.d.join(this.promised.id, this);
      this.send({
        type: 'welcome',
        conversationId: this.promised.id,
        ...(adopted ? {} : { resumeToken: this.promised.resumeToken }),
        agent: { name: agent.name, displayName: agent.displayName },
        messages: [],
      });
      return;
    }
    this.conversation = conversation;
    // Join before reading: an event that lands in between is queued behind this welcome, not lost.
    this.d.join(conversation.id, this);
    const messages = await presentMessages(
      app.db,
      agent.id,
      await transcript(app.db, conversation.id),
      fromDatabase(this.titles()),
    );
    for (const m of messages) this.markPushed(m.id);
    this.send({
      type: 'welcome',
      conversationId: conversation.id,
      agent: { name: agent.name, displayName: agent.displayName },
      messages,
    });
    await this.announceHeld();
  }

  private async message(conversation: Conversation, text: string, clientId: string): Promise<void> {
    const { app, inFlight } = this.d;
    const key = `${conversation.id}:${clientId}`;
    // The same message is still being answered for a socket that dropped: wait for it, then echo what it stored.
    const running = inFlight.get(key);
    if (running) await running.catch(() => {});
    let done = () => {};
    inFlight.set(key, new Promise<void>((resolve) => (done = resolve)));
    try {
      let result: Awaited<ReturnType<typeof customerMessageHandler>>;
      try {
        result = await customerMessageHandler(app, { conversation, text, clientId });
      } catch (err) {
        if (isAppError(err) && err.id === 'validation_failed')
          return this.reject('validation_failed', err.message, clientId);
        throw err;
      }
      if (result.duplicate) {
        // Already stored: the first echo was lost on the way. Echo it again; do not answer it twice.
        const [echo] = await presentMessages(
          app.db,
          this.d.agent.id,
          [result.duplicate],
          fromDatabase(this.titles()),
        );
        this.markPushed(echo!.id);
        this.send({ type: 'message', ...echo! });
        return;
      }
      if (result.written) await this.pushWritten(result.written);
      else await this.pushNew();
      if (result.escalationId) this.announce(result.escalationId, app.clock.now());
    } finally {
      inFlight.delete(key);
      done();
    }
  }

  private async human(conversation: Conversation): Promise<void> {
    const held = await openEscalationOf(this.d.app.db, conversation.id);
    if (held) return this.announce(held.id, this.d.app.clock.now(), true);
    // Through the runtime, like any request for a person: audited, and honoured even when the agent is paused.
    const result = await customerMessageHandler(this.d.app, { conversation, text: PERSON_REQUEST_TEXT });
    if (result.written) await this.pushWritten(result.written);
    else await this.pushNew();
    if (result.escalationId) this.announce(result.escalationId, this.d.app.clock.now(), true);
  }

  /** How the agent's kind names an answer's sources (none for a kind without them). */
  private titles() {
    return this.d.app.kinds.get(this.d.agent.kind)?.sources;
  }

  private async pushNew(): Promise<void> {
    const id = this.conversationId;
    if (!id) return;
    const { app, agent } = this.d;
    const fresh = await unseenMessages(app.db, agent.id, id, [...this.pushed], 50, this.titles());
    for (const m of fresh) {
      if (this.pushed.has(m.id)) continue;
      this.markPushed(m.id);
      this.send({ type: 'message', ...m });
    }
  }

  /**
   * Pushes what this socket's own turn wrote (the customer's message, the agent's answer), as the turn returned it:
   * no read. Anything else new in the conversation (a person's reply, a message from another tab) comes with its
   * event, and an event about a message pushed here costs nothing (refresh).
   */
  private async pushWritten(written: TranscriptMessage[]): Promise<void> {
    const { app, agent } = this.d;
    const fresh = await presentMessages(app.db, agent.id, written, this.titles());
    for (const m of fresh) {
      if (this.pushed.has(m.id)) continue;
      this.markPushed(m.id);
      this.send({ type: 'message', ...m });
    }
  }

  /** Remembers a pushed message; only the newest PUSHED_MEMORY are kept (a catch-up read looks at fewer). */
  private markPushed(id: string): void {
    this.pushed.delete(id);
    this.pushed.add(id);
    if (this.pushed.size > PUSHED_MEMORY) this.pushed.delete(this.pushed.values().next().value!);
  }

  /** The open hand-off of the conversation, if any, announced with its time so the widget can place it. */
  private async announceHeld(): Promise<void> {
    const id = this.conversationId;
    if (!id) return;
    const [held] = await this.d.app.db.query<{ id: string; created_at: Date }>(
      `SELECT id, created_at FROM escalations WHERE conversation_id = $1 AND state <> 'resolved'
       ORDER BY created_at DESC LIMIT 1`,
      [id],
    );
    if (held) this.announce(held.id, new Date(held.created_at));
  }

  private announce(escalationId: string, at: Date, again = false): void {
    if (this.announced.has(escalationId) && !again) return;
    this.announced.add(escalationId);
    const text = handoffText(this.d.agent.config, this.d.app.clock.now());
    this.send({ type: 'handoff', text, at: at.toISOString() });
  }
}
