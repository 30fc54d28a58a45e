// The outbox: messages queued for asynchronous channels (email, WhatsApp) are delivered by whichever node claims them
// first (SKIP LOCKED), with exponential backoff between attempts, and marked failed when retrying cannot help.
// Delivery is at-least-once: a node that dies mid-send leaves the message 'sending', and it is retried later.
import type { App } from '../app.ts';
import { emitEvent } from '../events/emit.ts';
import type { ChannelName, ChannelSender, OutboundDelivery } from './channel.ts';
import { PermanentDeliveryError } from './channel.ts';
import { stallPoint } from './stall.ts';

/** Delay before attempt n+1 after n failed attempts. */
const BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000];
export const MAX_DELIVERY_ATTEMPTS = BACKOFF_MS.length + 1;
const STALE_SENDING_MS = 5 * 60_000;

export interface OutboxReport {
  sent: number;
  retried: number;
  failed: number;
}

export async function outboxDeliverer(
  app: App,
  senders: ReadonlyMap<ChannelName, ChannelSender>,
  batch = 20,
): Promise<OutboxReport> {
  await stallPoint('outbox', 'deliver', '');
  const now = app.clock.now();
  const report: OutboxReport = { sent: 0, retried: 0, failed: 0 };
  await app.db.query(
    `UPDATE messages SET delivery = 'queued', next_attempt_at = $1 WHERE delivery = 'sending' AND next_attempt_at < $2`,
    [now, new Date(now.getTime() - STALE_SENDING_MS)],
  );
  const claimed = await app.db.query<Record<string, unknown>>(
    `UPDATE messages SET delivery = 'sending', delivery_attempts = delivery_attempts + 1, next_attempt_at = $1
     WHERE id IN (SELECT id FROM messages WHERE delivery = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                  AND channel = ANY($3::text[]) ORDER BY next_attempt_at NULLS FIRST LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, batch, [...senders.keys()]],
  );
  for (const row of claimed) {
    const sender = senders.get(row.channel as ChannelName);
    if (!sender) continue;
    const attempts = Number(row.delivery_attempts);
    try {
      const delivery = await deliveryFor(app, row);
      const { externalId } = await sender.send(delivery, app.db);
      await app.db.query(
        `UPDATE messages SET delivery = 'sent', external_id = $2, delivery_error = NULL WHERE id = $1`,
        [row.id, externalId],
      );
      report.sent++;
      await notifyDelivery(app, row, 'sent');
    } catch (err) {
      const message = err instanceof Error ? err.message.slice(0, 1000) : String(err);
      const permanent = err instanceof PermanentDeliveryError || attempts >= MAX_DELIVERY_ATTEMPTS;
      await app.db.query(
        `UPDATE messages SET delivery = $2, delivery_error = $3, next_attempt_at = $4 WHERE id = $1`,
        [
          row.id,
          permanent ? 'failed' : 'queued',
          message,
          new Date(now.getTime() + (BACKOFF_MS[attempts - 1] ?? 0)),
        ],
      );
      if (permanent) {
        report.failed++;
        await notifyDelivery(app, row, 'failed');
      } else report.retried++;
    }
  }
  return report;
}

async function deliveryFor(app: App, row: Record<string, unknown>): Promise<OutboundDelivery> {
  const [conv] = await app.db.query<{
    address: string | null;
    subject: string | null;
    last_inbound_at: Date | null;
  }>('SELECT address, subject, last_inbound_at FROM conversations WHERE id = $1', [row.conversation_id]);
  if (!conv?.address) throw new PermanentDeliveryError('the conversation has no address to send to');
  const thread = await app.db.query<{ external_id: string }>(
    `SELECT external_id FROM (
       SELECT external_id, created_at FROM messages WHERE conversation_id = $1 AND external_id IS NOT NULL AND id <> $2
       UNION ALL SELECT external_id, received_at FROM channel_inbound WHERE conversation_id = $1) t
     ORDER BY created_at`,
    [row.conversation_id, row.id],
  );
  return {
    messageId: String(row.id),
    agentId: String(row.agent_id),
    conversationId: String(row.conversation_id),
    channel: row.channel as ChannelName,
    to: conv.address,
    text: String(row.body),
    subject: conv.subject,
    thread: thread.map((t) => t.external_id),
    lastInboundAt: conv.last_inbound_at,
    author: row.author === 'human' ? 'human' : 'agent',
  };
}

async function notifyDelivery(app: App, row: Record<string, unknown>, delivery: string): Promise<void> {
  await emitEvent(app.db, {
    type: 'message.delivery',
    messageId: row.id,
    conversationId: row.conversation_id,
    delivery,
  });
}

/** Status callbacks from providers (WhatsApp statuses): delivery only moves forward, never back. */
export async function deliveryStatusRecorder(
  app: App,
  channel: ChannelName,
  externalId: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  error?: string,
): Promise<boolean> {
  const order = ['queued', 'sending', 'sent', 'delivered', 'read'];
  const rows = await app.db.query<Record<string, unknown>>(
    `UPDATE messages SET delivery = $3, delivery_error = COALESCE($4, delivery_error)
     WHERE channel = $1 AND external_id = $2 AND ($3 = 'failed' OR array_position($5::text[], delivery) < array_position($5::text[], $3))
     RETURNING *`,
    [channel, externalId, status, error ?? null, order],
  );
  if (rows[0]) await notifyDelivery(app, rows[0], status);
  return rows.length > 0;
}
