// One path for every received email, whether it came over SMTP or IMAP: parse, normalize, decide (answer, hand to
// a person, or drop without answering), and record durably: the channel_inbound row with the attachments kept, in
// one transaction. Only then is the message acknowledged (SMTP 250, IMAP \Seen; PROTOCOLS §3.1) and processed.
import type { App } from '../../app.ts';
import type { InboundMessage } from '../channel.ts';
import type { AddressBook, EmailAgent } from './addresses.ts';
import type { EmailConfig } from './config.ts';
import { loopReason } from './loop.ts';
import { engineInput, type NormalizedEmail, normalizeEmail, PARSER_OPTIONS, sha256 } from './normalize.ts';

export interface IntakeInput {
  raw: Buffer;
  agent: EmailAgent;
  /** Envelope recipients (SMTP) or To/Cc/Delivered-To (IMAP): where a plus-address token is found. */
  recipients: string[];
  /** The SMTP MAIL FROM ('' for the null sender); undefined over IMAP. */
  envelopeFrom?: string | undefined;
  source: 'smtp' | 'imap';
}

export type IntakeOutcome =
  | { status: 'recorded'; externalId: string }
  | { status: 'duplicate'; externalId: string }
  | { status: 'dropped'; externalId: string; reason: string };

/** A message refused outright, with the SMTP reply code to give (RFC 5321 §4.2.2). */
export class EmailRejected extends Error {
  override name = 'EmailRejected';
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export interface IntakeDeps {
  book: AddressBook;
  config: Pick<EmailConfig, 'maxMessageBytes' | 'attachments' | 'maxPerSenderPerHour'>;
}

export async function emailIntake(app: App, deps: IntakeDeps, input: IntakeInput): Promise<IntakeOutcome> {
  if (input.raw.length > deps.config.maxMessageBytes)
    throw new EmailRejected('5.3.4 message exceeds fixed maximum message size', 552);
  let n: NormalizedEmail;
  try {
    const { simpleParser } = await import('mailparser'); // loaded with the first mail (src/lazy.ts)
    const parsed = await simpleParser(input.raw, PARSER_OPTIONS);
    n = normalizeEmail(parsed, input.raw, {
      recipients: input.recipients,
      envelopeFrom: input.envelopeFrom,
      limits: deps.config.attachments,
    });
  } catch {
    throw new EmailRejected('5.6.0 the message could not be parsed', 554);
  }
  const own = await deps.book.ownAddresses();
  if (input.agent.address) own.add(input.agent.address);
  const decided = engineInput(n);
  // Why not to answer, first reason wins: no one to reply to, a loop (RFC 3834), nothing to read, a flood.
  const reason =
    (n.from ? null : 'no sender address to reply to') ??
    loopReason({
      headers: n.headers,
      from: n.from,
      replyTo: n.replyTo || undefined,
      subject: n.subject,
      envelopeFrom: input.envelopeFrom,
      ownAddresses: own,
    }) ??
    ('drop' in decided ? decided.drop : null) ??
    (await floodReason(app, deps, input.agent.id, n.from));
  const message: InboundMessage = {
    channel: 'email',
    agentId: input.agent.id,
    externalId: n.externalId,
    from: n.from,
    ...(n.replyTo && n.replyTo !== n.from ? { replyTo: n.replyTo } : {}),
    text: 'drop' in decided ? '' : decided.text,
    ...(n.subject ? { subject: n.subject } : {}),
    ...(n.inReplyTo.length ? { inReplyTo: n.inReplyTo } : {}),
    ...(!reason && 'text' in decided && decided.needsHuman ? { needsHuman: decided.needsHuman } : {}),
    receivedAt: app.clock.now().toISOString(),
    meta: {
      source: input.source,
      fromName: n.fromName,
      to: n.recipients,
      fullText: n.fullText,
      attachments: n.attachments,
      ...(n.messageIdGenerated ? { messageIdGenerated: true } : {}),
      ...(reason ? { dropped: reason } : {}),
    },
  };
  if (reason) {
    await dropRecorder(app, message, reason);
    return { status: 'dropped', externalId: n.externalId, reason };
  }
  const token = await verifiedToken(app, input.agent.id, n);
  if (token) message.replyToken = token;
  const recorded = await app.db.transaction(async (tx) => {
    const rows = await tx.query(
      `INSERT INTO channel_inbound (channel, external_id, agent_id, payload, received_at, claimed_by)
       VALUES ('email', $1, $2, $3, $4, $5) ON CONFLICT (channel, external_id) DO NOTHING RETURNING external_id`,
      [message.externalId, message.agentId, JSON.stringify(message), app.clock.now(), app.nodeId],
    );
    if (rows.length === 0) return false;
    for (const f of n.files) {
      const meta = n.attachments[f.idx]!;
      await tx.query(
        `INSERT INTO email_attachments (external_id, idx, agent_id, filename, content_type, size, sha256, content)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          n.externalId,
          f.idx,
          input.agent.id,
          meta.filename,
          meta.contentType,
          meta.size,
          meta.sha256,
          f.content,
        ],
      );
    }
    return true;
  });
  return { status: recorded ? 'recorded' : 'duplicate', externalId: n.externalId };
}

/** Records a message that will not be answered, so the audit and ops views still show it arrived and why. */
export async function dropRecorder(app: App, message: InboundMessage, reason: string): Promise<void> {
  await app.db.query(
    `INSERT INTO channel_inbound (channel, external_id, agent_id, payload, status, error, received_at, processed_at)
     VALUES ('email', $1, $2, $3, 'dropped', $4, $5, $5) ON CONFLICT (channel, external_id) DO NOTHING`,
    [message.externalId, message.agentId, JSON.stringify(message), reason, app.clock.now()],
  );
}

/** A message that cannot even be parsed or is too large, seen over IMAP (no SMTP reply can refuse it). */
export async function unreadableRecorder(
  app: App,
  agentId: string,
  raw: Buffer,
  reason: string,
): Promise<string> {
  const externalId = `<${sha256(raw).slice(0, 40)}@hash.twelve.invalid>`;
  await dropRecorder(
    app,
    {
      channel: 'email',
      agentId,
      externalId,
      from: '',
      text: '',
      receivedAt: app.clock.now().toISOString(),
      meta: { size: raw.length },
    },
    reason,
  );
  return externalId;
}

/**
 * The loop breaker of last resort: an autoresponder that sets none of the RFC 3834 headers would otherwise trade
 * replies with the agent forever. Past the hourly limit a sender's mail is recorded and not answered.
 */
async function floodReason(
  app: App,
  deps: IntakeDeps,
  agentId: string,
  from: string,
): Promise<string | null> {
  const [row] = await app.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM channel_inbound
     WHERE channel = 'email' AND agent_id = $1 AND payload->>'from' = $2 AND received_at > $3`,
    [agentId, from, new Date(app.clock.now().getTime() - 3600_000)],
  );
  return (row?.n ?? 0) >= deps.config.maxPerSenderPerHour
    ? `more than ${deps.config.maxPerSenderPerHour} messages from this sender within an hour`
    : null;
}

/**
 * A reply token (plus-address or `[#…]` in the subject) is used only if it names an email conversation of this
 * agent with this very sender (PROTOCOLS §3.2 step 3): the customer who opened it, or the address our replies go to
 * (their Reply-To, which received the token). Otherwise anyone could write into another customer's thread, and the
 * agent's answer, which goes to the conversation's address, would reach the wrong person.
 */
async function verifiedToken(app: App, agentId: string, n: NormalizedEmail): Promise<string | null> {
  if (!n.replyToken) return null;
  const [conv] = await app.db.query<{
    agent_id: string;
    channel: string;
    address: string | null;
    customer_id: string | null;
  }>('SELECT agent_id, channel, address, customer_id FROM conversations WHERE id = $1', [n.replyToken.token]);
  return conv &&
    conv.agent_id === agentId &&
    conv.channel === 'email' &&
    (conv.customer_id === n.from || conv.address === n.from)
    ? n.replyToken.token
    : null;
}
