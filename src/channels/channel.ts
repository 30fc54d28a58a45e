// The one shape every channel adapter has. Receive: verify, normalize into an InboundMessage, deduplicate by the
// provider's message id, acknowledge fast, process after. Send: a ChannelSender that the outbox calls with retries.
import type { Queryable } from '../store/db.ts';

export type ChannelName = 'webchat' | 'email' | 'whatsapp' | 'voice';

export interface InboundMessage {
  channel: ChannelName;
  agentId: string;
  /** The provider's id of this message (email Message-ID, WhatsApp wamid): the deduplication key. */
  externalId: string;
  /** The customer's address on the channel: an email address, an E.164 phone number. */
  from: string;
  /** Where replies go when that is not `from` (an email's Reply-To, RFC 5322 §3.6.2). */
  replyTo?: string;
  text: string;
  subject?: string;
  /** Provider ids this message replies to (email In-Reply-To and References), newest first. */
  inReplyTo?: string[];
  /** A reply token found in the address or subject, the fallback for finding the conversation. */
  replyToken?: string;
  /** Set when the message must go to a person rather than the agent (e.g. a WhatsApp image). */
  needsHuman?: { reason: string; autoReply?: string };
  receivedAt: string;
  meta?: Record<string, unknown>;
}

export interface OutboundDelivery {
  messageId: string;
  agentId: string;
  conversationId: string;
  channel: ChannelName;
  /** Where the conversation's replies go (conversations.address: the customer's Reply-To, else From). */
  to: string;
  text: string;
  subject: string | null;
  /** Provider ids of the conversation's messages, oldest first (email threading). */
  thread: string[];
  /** When the customer last wrote (WhatsApp's 24-hour window). */
  lastInboundAt: Date | null;
  author: 'agent' | 'human';
}

export interface ChannelSender {
  channel: ChannelName;
  /** Sends one message; returns the provider's id for it. Throwing means "try again later". */
  send(delivery: OutboundDelivery, q: Queryable): Promise<{ externalId: string }>;
}

/** A failure that retrying cannot fix (bad address, rejected template): the outbox marks the message failed at once. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
