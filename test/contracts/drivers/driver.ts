// What the channel contract suite (test/contracts/channels.test.ts) asks of a channel: a small driver that plays the
// customer over the channel's real wire (a socket, SMTP, a signed webhook) and reads what the customer got back.
// A channel gets the suite by having a driver in drivers/index.ts (its type requires one per ChannelName).
import type { FastifyInstance } from 'fastify';
import type { App } from '../../../src/app.ts';
import type { ChannelName, ChannelSender } from '../../../src/channels/channel.ts';
import type { ManualClock } from '../../../src/clock.ts';
import type { AgentConfig } from '../../../src/runtime/types.ts';
import type { TestDb } from '../../support/db.ts';

/** What every contract agent answers, whatever it is asked (its brain is scripted). */
export const ANSWER = 'Thanks for writing. This is the contract answer.';

/** The one app, database and server of the suite, shared by every channel. */
export interface World {
  app: App;
  db: TestDb;
  clock: ManualClock;
  server: FastifyInstance;
  /** http://127.0.0.1:<port> of the server. */
  httpBase: string;
  /**
   * A new agent of the first registered kind serving the channel (app.kindsServing), in production, answering
   * every message with ANSWER; `config` adds the channel's own settings (its address, its number).
   */
  agent(channel: ChannelName, config?: Record<string, unknown>): Promise<AgentConfig>;
}

/** One thing the customer received: its text, and whether it came in the thread they wrote in. */
export interface Received {
  text: string;
  inThread: boolean;
}

export interface ChannelDriver {
  channel: ChannelName;
  agent: AgentConfig;
  /** The outbox's sender for this channel (asynchronous channels); null when answers go out at once. */
  sender: ChannelSender | null;
  /** A new customer (a fresh address, number or chat); returns its key for the calls below. */
  customer(): Promise<string>;
  /**
   * The customer writes `text` in their thread, as the provider would deliver it, with `providerId` as the provider's
   * id of the message (email Message-ID, WhatsApp wamid, web chat clientId): the same id again is a redelivery of
   * the same message. Resolves once the channel has handled it (processed, or found to be a duplicate).
   */
  send(customer: string, text: string, providerId: string): Promise<void>;
  /** What reached the customer so far, oldest first: answers, notices, hand-off announcements. */
  received(customer: string): Promise<Received[]>;
  /** The conversation the customer's messages went to. */
  conversationId(customer: string): Promise<string>;
  /** For channels with an outbox: makes the provider refuse the next send with a transient error. */
  failNextSend: (() => void) | null;
  /**
   * What the customer is told when a person takes over, when the channel words it itself; absent: the written
   * hand-off notice (handoffText: who replies, and when).
   */
  handoffNotice?: string;
  /**
   * Whether a message after the hand-off is answered by the notice again (a phone turn must be answered: silence is
   * dead air); absent or false: nothing is sent, the person has the conversation.
   */
  repeatsHandoff?: boolean;
  close(): Promise<void>;
}

/** Started before the server (fakes and sinks the channel talks to); attached once the server listens. */
export interface ChannelFixture {
  /** Environment the server reads for this channel at start. */
  env: Record<string, string>;
  attach(world: World): Promise<ChannelDriver>;
  close(): Promise<void>;
}

export interface DriverFactory {
  channel: ChannelName;
  /** Why the outbound retry promise does not apply, for a channel without an outbox; null when it has one. */
  noOutbox: string | null;
  open(clock: ManualClock): Promise<ChannelFixture>;
}
