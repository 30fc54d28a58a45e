// The widget's idempotency key (clientId) on stored customer messages, in messages.meta, so a message resent after
// a reconnect (to this node or another) is recognised and echoed instead of being answered twice.
import type { TranscriptMessage } from '../../agents/support/conversations.ts';
import type { Queryable } from '../../store/db.ts';

/** The customer message already stored under this clientId, if any. */
export async function messageWithClientId(
  q: Queryable,
  conversationId: string,
  clientId: string,
): Promise<TranscriptMessage | null> {
  const [r] = await q.query<Record<string, unknown>>(
    `SELECT * FROM messages WHERE conversation_id = $1 AND direction = 'in' AND meta->>'clientId' = $2 LIMIT 1`,
    [conversationId, clientId],
  );
  if (!r) return null;
  return {
    id: String(r.id),
    direction: 'in',
    author: 'customer',
    status: String(r.status),
    body: String(r.body),
    sources: [],
    meta: (r.meta as Record<string, unknown>) ?? {},
    createdAt: r.created_at as Date,
  };
}

/**
 * Records the clientId on the message just stored. A run knows its message; a message routed to a person is the
 * newest untagged one with this text (a socket handles one frame at a time, so it is this one).
 */
export async function clientIdTagger(
  q: Queryable,
  input: { conversationId: string; runId: string | null; text: string; clientId: string },
): Promise<void> {
  const set = `UPDATE messages SET meta = meta || jsonb_build_object('clientId', $2::text)`;
  if (input.runId) {
    await q.query(`${set} WHERE run_id = $1 AND direction = 'in'`, [input.runId, input.clientId]);
    return;
  }
  await q.query(
    `${set} WHERE id = (SELECT id FROM messages WHERE conversation_id = $1 AND direction = 'in' AND body = $3
       AND NOT (meta ? 'clientId') ORDER BY created_at DESC, id DESC LIMIT 1)`,
    [input.conversationId, input.clientId, input.text],
  );
}
