// Inbound messages from asynchronous channels: recorded once per provider id (redeliveries are no-ops), acknowledged,
// then processed exactly once: the conversation is found again (reply headers, reply token, or the sender's open
// conversation), and the message goes to the agent or to the human who has the conversation. Nothing is lost and
// nothing is done twice: a message that fails stays 'failed' and the sweep retries it; one whose process died is
// taken over (presence.ts), and a retry finds what the earlier attempt wrote (see inboundProcessor).
import { createHash, randomUUID } from 'node:crypto';
import type { App } from '../app.ts';
import { handoffText } from '../business/hours.schema.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
  findConversation,
} from '../conversations/conversations.ts';
import { emitEvent } from '../events/emit.ts';
import { escalationCreator } from '../runtime/escalations.ts';
import { nodeAliveSql } from '../runtime/presence.ts';
import type { InboundMessage } from './channel.ts';
import { stallPoint } from './stall.ts';

const MAX_ATTEMPTS = 5;
/** A message claimed this long ago is taken over even from a process that still runs (it hangs). */
const CLAIM_TAKEOVER_MS = 10 * 60_000;
/** A sender's messages join their latest conversation on the channel if it is this recent (WhatsApp, email without headers). */
const CONVERSATION_REUSE_MS = 24 * 3600_000;

/**
 * Records an inbound message; false when this provider id was seen before (a redelivery). The row names the node that
 * recorded it (claimed_by, while 'received'): if that node dies before processing it, the sweep takes it at once.
 */
export async function inboundRecorder(app: App, msg: InboundMessage): Promise<boolean> {
  const rows = await app.db.query(
    `INSERT INTO channel_inbound (channel, external_id, agent_id, payload, received_at, claimed_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, external_id) DO NOTHING RETURNING external_id`,
    [msg.channel, msg.externalId, msg.agentId, JSON.stringify(msg), app.clock.now(), app.nodeId],
  );
  return rows.length === 1;
}

/**
 * Finds the conversation a message belongs to, or opens one, and links the inbound row to it. Opening and linking are
 * one transaction, and a row already linked (an earlier attempt) keeps its conversation: a retry never opens a second.
 */
async function conversationFor(app: App, msg: InboundMessage, linked: string | null): Promise<Conversation> {
  const earlier = linked ? await findConversation(app.db, linked) : null;
  const found = earlier ?? (await existingConversation(app, msg));
  if (found) {
    // Replies answer the latest message: when the conversation's customer writes again, their Reply-To (else
    // From) becomes where replies go. Someone else writing into the thread does not redirect it.
    await app.db.query(
      `WITH linked AS (UPDATE channel_inbound SET conversation_id = $1 WHERE channel = $4 AND external_id = $5)
       UPDATE conversations SET address = $2 WHERE id = $1 AND customer_id = $3 AND address IS DISTINCT FROM $2`,
      [found.id, msg.replyTo ?? msg.from, msg.from, msg.channel, msg.externalId],
    );
    return found;
  }
  return app.db.transaction(async (tx) => {
    const { conversation } = await conversationOpener(
      app,
      {
        agentId: msg.agentId,
        channel: msg.channel,
        customerId: msg.from,
        id: `${msg.channel === 'email' ? 'e' : 'w'}_${randomUUID()}`,
        address: msg.replyTo ?? msg.from,
        subject: msg.subject ?? null,
      },
      tx,
    );
    await tx.query(
      'UPDATE channel_inbound SET conversation_id = $3 WHERE channel = $1 AND external_id = $2',
      [msg.channel, msg.externalId, conversation.id],
    );
    return conversation;
  });
}

async function existingConversation(app: App, msg: InboundMessage): Promise<Conversation | null> {
  const ids = msg.inReplyTo ?? [];
  if (ids.length) {
    const [hit] = await app.db.query<{ conversation_id: string }>(
      `SELECT conversation_id FROM messages WHERE channel = $1 AND external_id = ANY($2::text[]) AND conversation_id IS NOT NULL
       UNION ALL
       SELECT conversation_id FROM channel_inbound WHERE channel = $1 AND external_id = ANY($2::text[]) AND conversation_id IS NOT NULL
       LIMIT 1`,
      [msg.channel, ids],
    );
    const conv = hit ? await findConversation(app.db, hit.conversation_id) : null;
    if (conv && conv.agentId === msg.agentId) return conv;
  }
  if (msg.replyToken) {
    const conv = await findConversation(app.db, msg.replyToken);
    if (conv && conv.agentId === msg.agentId && conv.channel === msg.channel) return conv;
  }
  // Email threads are explicit; a new email without reply headers is a new conversation. WhatsApp is one stream.
  if (msg.channel === 'whatsapp') {
    const [recent] = await app.db.query<{ id: string }>(
      `SELECT id FROM conversations WHERE agent_id = $1 AND channel = $2 AND address = $3 AND updated_at > $4
       ORDER BY updated_at DESC LIMIT 1`,
      [msg.agentId, msg.channel, msg.from, new Date(app.clock.now().getTime() - CONVERSATION_REUSE_MS)],
    );
    const conv = recent ? await findConversation(app.db, recent.id) : null;
    if (conv) return conv;
  }
  return null;
}

/**
 * The customer message's idempotency key (its clientId) for an inbound row: a retry of the row finds the message it
 * stored (a unique index, migration 016) instead of storing and answering it again. Web chat clientIds have no ':'.
 */
export function inboundClientId(channel: string, externalId: string): string {
  const id = externalId.length <= 200 ? externalId : createHash('sha256').update(externalId).digest('hex');
  return `inbound:${channel}:${id}`;
}

/**
 * A row another process was processing may be taken over when that process no longer runs (presence.ts), at once;
 * or, whoever holds it, after CLAIM_TAKEOVER_MS (a claimant that hangs): taking over is safe, because processing is
 * idempotent by the row. $3: this node's id; $4: the takeover time limit.
 */
const ABANDONED_SQL = `status = 'processing' AND claimed_by IS DISTINCT FROM $3
  AND ((claimed_by IS NOT NULL AND NOT ${nodeAliveSql('claimed_by')}) OR COALESCE(claimed_at, received_at) < $4)`;

/** A 'received' row whose recorder no longer runs: nobody else will process it ($3: this node's id). */
const ORPHANED_SQL = `status = 'received' AND claimed_by IS NOT NULL AND claimed_by <> $3
  AND NOT ${nodeAliveSql('claimed_by')}`;

/**
 * Processes one recorded message, exactly once whatever crashes in between: a conditional claim names this node;
 * the conversation is opened and linked to the row in one transaction (a retry reuses it); the customer's message
 * carries the row's key (inboundClientId), so a retry finds it stored and its run started, finishes that run if its
 * process died (orphanedRunResumer) and answers nothing twice; a hand-off notice is written once per hand-off; the
 * messages that need a person are written in the transaction that marks the row processed. A message that fails
 * stays 'failed' and the sweep retries it.
 */
export async function inboundProcessor(
  app: App,
  channel: string,
  externalId: string,
): Promise<'processed' | 'skipped' | 'failed'> {
  const now = app.clock.now();
  const [claimed] = await app.db.query<{ payload: InboundMessage; conversation_id: string | null }>(
    `UPDATE channel_inbound SET status = 'processing', attempts = attempts + 1, claimed_by = $3, claimed_at = $5
     WHERE channel = $1 AND external_id = $2 AND attempts < $6
       AND (status IN ('received', 'failed') OR (${ABANDONED_SQL}))
     RETURNING payload, conversation_id`,
    [channel, externalId, app.nodeId, new Date(now.getTime() - CLAIM_TAKEOVER_MS), now, MAX_ATTEMPTS],
  );
  if (!claimed) return 'skipped';
  const msg = claimed.payload;
  try {
    await stallPoint('inbound.claimed', `${channel}:${externalId}`, msg.text);
    const conversation = await conversationFor(app, msg, claimed.conversation_id);
    await app.db.query(`UPDATE conversations SET last_inbound_at = $2, updated_at = $2 WHERE id = $1`, [
      conversation.id,
      app.clock.now(),
    ]);
    const clientId = inboundClientId(channel, externalId);
    if (msg.needsHuman) {
      await handToHuman(app, conversation, msg, clientId);
      return 'processed';
    }
    const result = await customerMessageHandler(app, { conversation, text: msg.text, clientId });
    if (result.escalationId) await handoffNotifier(app, conversation, result.escalationId);
    await stallPoint('inbound.handled', `${channel}:${externalId}`, msg.text);
    await app.db.query(
      `UPDATE channel_inbound SET status = 'processed', processed_at = $4, error = NULL
       WHERE channel = $1 AND external_id = $2 AND status = 'processing' AND claimed_by = $3`,
      [channel, externalId, app.nodeId, app.clock.now()],
    );
    return 'processed';
  } catch (err) {
    await app.db.query(
      `UPDATE channel_inbound SET status = 'failed', error = $4
       WHERE channel = $1 AND external_id = $2 AND status = 'processing' AND claimed_by = $3`,
      [channel, externalId, app.nodeId, err instanceof Error ? err.message.slice(0, 1000) : String(err)],
    );
    return 'failed';
  }
}

/**
 * Tells the customer, once per hand-off, that a person has the conversation and when to expect them: the usual
 * reply time, or honestly when the team is next in (business/hours.ts), as the web chat shows it live. Without it,
 * an email or WhatsApp message the agent hands over is met with silence until someone replies. A message that only
 * joins a conversation a person already has opens no hand-off, and a retry finds the notice already there. Only an
 * agent's hand-off (kind `escalation`) is announced: a shadow or pilot draft waiting for review is the agent working
 * unseen, and its customer hears from the person as they would without an agent.
 */
export async function handoffNotifier(
  app: App,
  conversation: Conversation,
  escalationId: string,
): Promise<void> {
  const [agent] = await app.db.query<{ kind: string; config: Record<string, unknown> }>(
    'SELECT e.kind, a.config FROM escalations e JOIN agents a ON a.id = e.agent_id WHERE e.id = $1',
    [escalationId],
  );
  if (agent?.kind !== 'escalation') return;
  const now = app.clock.now();
  await app.db.query(
    `INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, meta, created_at)
     SELECT $1, $2, 'out', 'agent', 'sent', $3, $4, $5
     WHERE NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = $2 AND meta->>'handoff' = $6)`,
    [
      conversation.agentId,
      conversation.id,
      handoffText(agent?.config ?? {}, now),
      JSON.stringify({ intent: 'notice', handoff: escalationId }),
      now,
      escalationId,
    ],
  );
}

/**
 * Messages the agent cannot read (an image, a voice note) go to a person, with a polite text reply to the customer;
 * written in the transaction that marks the inbound row processed, so they are written once or not at all.
 */
async function handToHuman(
  app: App,
  conversation: Conversation,
  msg: InboundMessage,
  clientId: string,
): Promise<void> {
  const need = msg.needsHuman!;
  await app.db.transaction(async (tx) => {
    const [mine] = await tx.query(
      `UPDATE channel_inbound SET status = 'processed', processed_at = $4, error = NULL
       WHERE channel = $1 AND external_id = $2 AND status = 'processing' AND claimed_by = $3 RETURNING 1`,
      [msg.channel, msg.externalId, app.nodeId, app.clock.now()],
    );
    if (!mine) return; // another node took the row over (this one looked gone): it does the rest
    await tx.query(
      `INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, meta, created_at)
       VALUES ($1, $2, 'in', 'customer', 'received', $3, $4, $5)`,
      [
        conversation.agentId,
        conversation.id,
        msg.text,
        JSON.stringify({ unsupported: need.reason, clientId }),
        app.clock.now(),
      ],
    );
    if (need.autoReply) {
      await tx.query(
        `INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, meta, created_at)
         VALUES ($1, $2, 'out', 'agent', 'sent', $3, '{"intent":"notice"}', $4)`,
        [conversation.agentId, conversation.id, need.autoReply, app.clock.now()],
      );
    }
    const [open] = await tx.query(
      `SELECT 1 FROM escalations WHERE conversation_id = $1 AND state <> 'resolved'`,
      [conversation.id],
    );
    if (!open) {
      await escalationCreator(app, tx, `channel:${msg.channel}`, {
        agentId: conversation.agentId,
        runId: null,
        conversationId: conversation.id,
        reason: need.reason,
        summary: `The customer sent something the agent cannot read on ${msg.channel}.`,
      });
    }
    await emitEvent(tx, {
      type: 'escalation.opened',
      agentId: conversation.agentId,
      conversationId: conversation.id,
    });
  });
}

/**
 * Retries messages recorded but not processed: received or failed ones after `olderThanMs` (the node that recorded
 * them usually processes them first), and those a process that no longer runs recorded or was processing, at once. Re-processing
 * is idempotent (inboundProcessor), so a message whose effects were already written is only marked processed.
 */
export async function inboundSweeper(app: App, olderThanMs = 30_000): Promise<number> {
  const now = app.clock.now().getTime();
  const due = await app.db.query<{ channel: string; external_id: string }>(
    `SELECT channel, external_id FROM channel_inbound
     WHERE attempts < $2
       AND ((status IN ('received', 'failed') AND received_at < $1) OR (${ORPHANED_SQL}) OR (${ABANDONED_SQL}))
     ORDER BY received_at LIMIT 100`,
    [new Date(now - olderThanMs), MAX_ATTEMPTS, app.nodeId, new Date(now - CLAIM_TAKEOVER_MS)],
  );
  let n = 0;
  for (const row of due) if ((await inboundProcessor(app, row.channel, row.external_id)) === 'processed') n++;
  return n;
}
