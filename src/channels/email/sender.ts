// Outbound email through an SMTP relay (TWELVE_SMTP_URL). Every message threads (PROTOCOLS §3.2): a fresh
// Message-ID we mint and return, so the customer's reply finds the conversation again; In-Reply-To the thread's last
// id; References the thread; `Re: <subject> [#<conversation>]`, the fallback token. Agent replies are marked
// `Auto-Submitted: auto-replied` (RFC 3834 §5) with `X-Auto-Response-Suppress: All` (MS-OXCMAIL) so other
// responders stay quiet; a person's reply is not automatic and carries neither. Every message carries
// X-Twelve-Message and X-Loop, so one of ours that comes back is recognized and never answered (loop.ts).
import { lazy } from '../../lazy.ts';

const nodemailer = lazy<typeof import('nodemailer')>('nodemailer');

import type { Queryable } from '../../store/db.ts';
import { type ChannelSender, type OutboundDelivery, PermanentDeliveryError } from '../channel.ts';
import { emailAgentFinder } from './addresses.ts';
import type { EmailConfig } from './config.ts';
import { baseSubject, messageIds } from './normalize.ts';

export interface EmailSender extends ChannelSender {
  /** Closes the pooled relay connections. */
  close(): void;
}

/** References keep the thread's first id and its latest ones: enough to thread, short enough for any server. */
const MAX_REFERENCES = 20;

export function emailSender(config: Pick<EmailConfig, 'smtpUrl' | 'fromName' | 'fromAddress'>): EmailSender {
  if (!config.smtpUrl) throw new Error('email sending needs TWELVE_SMTP_URL');
  const transport = nodemailer().createTransport({
    url: config.smtpUrl,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    channel: 'email',
    async send(delivery: OutboundDelivery, q: Queryable) {
      const mail = await composeReply(delivery, q, config);
      try {
        await transport.sendMail(mail);
      } catch (err) {
        throw deliveryError(err);
      }
      return { externalId: mail.messageId };
    },
    close: () => transport.close(),
  };
}

export interface ComposedMail {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
}

export async function composeReply(
  delivery: OutboundDelivery,
  q: Queryable,
  config: Pick<EmailConfig, 'fromName' | 'fromAddress'>,
): Promise<ComposedMail> {
  const agent = await emailAgentFinder(q, delivery.agentId);
  const address = agent?.address ?? config.fromAddress;
  if (!address)
    throw new PermanentDeliveryError(
      'the agent has no email address: set config.email.address on the agent, or TWELVE_MAIL_FROM',
    );
  const name = agent?.fromName ?? config.fromName ?? agent?.displayName ?? address;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const messageId = `<twelve.${delivery.messageId}@${domain}>`;
  const thread = [...new Set(delivery.thread.flatMap(messageIds))].filter((id) => id !== messageId);
  const references =
    thread.length > MAX_REFERENCES ? [thread[0]!, ...thread.slice(-(MAX_REFERENCES - 1))] : thread;
  const subject = `Re: ${baseSubject(delivery.subject ?? '') || 'your message'} [#${delivery.conversationId}]`;
  const headers: Record<string, string> = { 'X-Twelve-Message': delivery.messageId, 'X-Loop': address };
  if (delivery.author === 'agent') {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  return {
    from: { name, address },
    to: delivery.to,
    subject,
    text: delivery.text,
    messageId,
    ...(thread.length ? { inReplyTo: thread.at(-1)!, references } : {}),
    headers,
  };
}

/**
 * SMTP 5xx is a permanent refusal of this message or recipient (RFC 5321 §4.2.1): retrying cannot help. 4xx and
 * connection failures are transient and retried by the outbox. A 5xx on authentication is the relay's settings,
 * not the message: it is retried, so fixing the settings lets queued mail go out.
 */
export function deliveryError(err: unknown): Error {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; message?: unknown };
  const text = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.code !== 'EAUTH')
    return new PermanentDeliveryError(`SMTP ${e.responseCode}: ${text}`);
  return err instanceof Error ? err : new Error(text);
}
