// Conversations across channels: opening one (with a secret the client keeps to resume it), handling a customer
// message (to the agent, or straight to the human who has the conversation), and the transcript. Channels depend on
// this module, never on an agent kind.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { emitEvent } from '../events/emit.ts';
import { nodeAliveSql } from '../runtime/presence.ts';
import type { WrittenMessage } from '../runtime/run-state.ts';
import { getRun, orphanedRunResumer, type Run } from '../runtime/runs.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { type Queryable, sqlState } from '../store/db.ts';
import { pgSafe } from '../store/text.ts';

export const MAX_MESSAGE_CHARS = 4000;

export interface Conversation {
  id: string;
  agentId: string;
  channel: string;
  customerId: string | null;
  createdAt: Date;
}

export interface TranscriptMessage {
  id: string;
  direction: 'in' | 'out';
  author: 'customer' | 'agent' | 'human';
  status: string;
  body: string;
  sources: string[];
  meta: Record<string, unknown>;
  createdAt: Date;
}

/** What conversations need of the platform: the database, the clock, this node, and the runtime that starts (or finishes) a run. */
export type ConversationServices = Pick<Services, 'db' | 'clock' | 'nodeId'> & {
  runtime: Pick<Runtime, 'startRunUnlessHeld' | 'drive'>;
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function conversationOpener(
  app: Pick<Services, 'db' | 'clock'>,
  input: {
    agentId: string;
    channel: string;
    customerId?: string | null;
    id?: string;
    /** A token the client already holds (a web chat promised in its welcome); else a new one. */
    resumeToken?: string;
    address?: string | null;
    subject?: string | null;
  },
  q: Queryable = app.db,
): Promise<{ conversation: Conversation; resumeToken: string }> {
  const id = input.id ?? `c_${randomUUID()}`;
  const resumeToken = input.resumeToken ?? newResumeToken();
  const [row] = await q.query<Record<string, unknown>>(
    `INSERT INTO conversations (id, agent_id, channel, customer_id, resume_hash, created_at, updated_at, address, subject)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING *`,
    [
      id,
      input.agentId,
      input.channel,
      input.customerId ?? null,
      sha256(resumeToken),
      app.clock.now(),
      input.address ?? null,
      input.subject ?? null,
    ],
  );
  return { conversation: presentConversationRow(row!), resumeToken };
}

export function newResumeToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Finds a conversation by id and resume token (web chat reloads); null when either is wrong. */
export async function conversationResumer(
  q: Queryable,
  id: string,
  resumeToken: string,
): Promise<Conversation | null> {
  const [row] = await q.query<Record<string, unknown>>(
    'SELECT * FROM conversations WHERE id = $1 AND resume_hash = $2',
    [id, sha256(resumeToken)],
  );
  return row ? presentConversationRow(row) : null;
}

export async function findConversation(q: Queryable, id: string): Promise<Conversation | null> {
  const [row] = await q.query<Record<string, unknown>>('SELECT * FROM conversations WHERE id = $1', [id]);
  return row ? presentConversationRow(row) : null;
}

function presentConversationRow(r: Record<string, unknown>): Conversation {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    channel: String(r.channel),
    customerId: (r.customer_id as string | null) ?? null,
    createdAt: r.created_at as Date,
  };
}

/** The open hand-off of a conversation, if a human has it. */
export async function openEscalationOf(
  q: Queryable,
  conversationId: string,
): Promise<{ id: string; state: string } | null> {
  const [row] = await q.query<{ id: string; state: string }>(
    `SELECT id, state FROM escalations WHERE conversation_id = $1 AND state <> 'resolved' ORDER BY created_at DESC LIMIT 1`,
    [conversationId],
  );
  return row ?? null;
}

export interface CustomerMessageResult {
  /** 'duplicate': a message with this clientId was already stored; nothing was done (see `duplicate`). */
  handledBy: 'agent' | 'human' | 'duplicate';
  run: Run | null;
  escalationId: string | null;
  /**
   * The customer message already stored under the given clientId. Its run, if its driver died before it finished,
   * has been driven by this call (`run`: that run as it is now; else null). `escalationId`: a hand-off its run opened.
   */
  duplicate?: TranscriptMessage;
  /**
   * What this call wrote, in order, as committed (not 'duplicate'): the customer's message, then the agent's replies
   * (drafts and replies held for review too, with their status). A channel shows them without reading them back.
   */
  written?: TranscriptMessage[];
}

/**
 * A customer wrote. While a human has the conversation (an unresolved escalation), the message goes to that
 * human and no agent runs; otherwise it starts a run of the agent.
 *
 * `clientId` is the idempotency key of a client that resends what it has no confirmation for (the web chat widget,
 * after a reconnect, to this node or another): it is stored in the message's meta, and a message already stored
 * under it is returned as a duplicate instead of being answered twice.
 */
export async function customerMessageHandler(
  app: ConversationServices,
  input: {
    conversation: Conversation;
    text: string;
    externalId?: string;
    clientId?: string;
    /** Called with each message the run writes, as soon as it is committed (a channel that streams the turn). */
    onWritten?: (m: WrittenMessage) => void;
  },
): Promise<CustomerMessageResult> {
  // NUL and unpaired UTF-16 halves cannot be stored (store/text.ts) and are never meant: dropped or replaced, whichever
  // channel the message came through.
  const text = pgSafe(input.text).trim();
  if (!text) throw new AppError('validation_failed', 'the message is empty');
  if (text.length > MAX_MESSAGE_CHARS)
    throw new AppError('validation_failed', `messages are limited to ${MAX_MESSAGE_CHARS} characters`);
  const { conversation } = input;
  const clientId = input.clientId ?? null;
  const meta = clientId === null ? {} : { clientId };
  const trigger = {
    type: 'message',
    text,
    channel: conversation.channel,
    conversationId: conversation.id,
    ...(conversation.customerId ? { customerId: conversation.customerId } : {}),
  };
  for (let attempt = 1; ; attempt++) {
    // Usually one statement: the run starts (with the message, and the conversation's activity time moved) unless a
    // human has the conversation or the clientId was handled before; both are checked by that statement.
    const written: WrittenMessage[] = [];
    if (input.onWritten) {
      const listen = input.onWritten;
      const push = written.push.bind(written);
      written.push = (...items) => {
        const n = push(...items);
        for (const m of items) listen(m);
        return n;
      };
    }
    const run = await app.runtime
      .startRunUnlessHeld(
        conversation.agentId,
        trigger,
        { clientId: input.clientId },
        { messageMeta: meta, touchConversation: true, written },
      )
      .catch(storedMeanwhile);
    if (run === STORED_MEANWHILE) continue;
    if (run) {
      // A run that ended 'done' answered and opened no hand-off; any other end may have opened one.
      const after = run.status === 'done' ? null : await openEscalationOf(app.db, conversation.id);
      return { handledBy: after ? 'human' : 'agent', run, escalationId: after?.id ?? null, written };
    }
    const [state] = await app.db.query<{
      stored_id: string | null;
      stored_status: string | null;
      stored_body: string | null;
      stored_meta: Record<string, unknown> | null;
      stored_at: Date | null;
      stored_run: string | null;
      run_orphaned: boolean | null;
      run_escalation: string | null;
      held_id: string | null;
    }>(
      `SELECT s.id AS stored_id, s.status AS stored_status, s.body AS stored_body, s.meta AS stored_meta,
         s.created_at AS stored_at, s.run_id AS stored_run,
         CASE WHEN r.status = 'running' THEN r.lease_owner IS NULL OR (r.lease_owner <> $3
           AND NOT ${nodeAliveSql('r.lease_owner')}) END AS run_orphaned,
         (SELECT id FROM escalations WHERE run_id = s.run_id LIMIT 1) AS run_escalation, h.id AS held_id
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT id, status, body, meta, created_at, run_id FROM messages
         WHERE $2::text IS NOT NULL AND conversation_id = $1 AND direction = 'in' AND meta->>'clientId' = $2
         LIMIT 1) s ON true
       LEFT JOIN runs r ON r.id = s.run_id
       LEFT JOIN LATERAL (SELECT id FROM escalations WHERE conversation_id = $1 AND state <> 'resolved'
         ORDER BY created_at DESC LIMIT 1) h ON true`,
      [conversation.id, clientId, app.nodeId],
    );
    if (state?.stored_id) {
      // Stored by an earlier attempt whose process may have died mid-run: finish that run now (once; a live driver
      // keeps it), so the resend is answered without waiting for the recovery job.
      let escalationId = state.run_escalation;
      let resumed: Run | null = null;
      if (state.stored_run && state.run_orphaned) {
        await orphanedRunResumer(app, app.runtime, state.stored_run);
        resumed = await getRun(app.db, state.stored_run);
        escalationId =
          (
            await app.db.query<{ id: string }>('SELECT id FROM escalations WHERE run_id = $1 LIMIT 1', [
              state.stored_run,
            ])
          )[0]?.id ?? null;
      }
      return {
        handledBy: 'duplicate',
        run: resumed,
        escalationId,
        duplicate: {
          id: state.stored_id,
          direction: 'in',
          author: 'customer',
          status: String(state.stored_status),
          body: String(state.stored_body),
          sources: [],
          meta: state.stored_meta ?? {},
          createdAt: state.stored_at as Date,
        },
      };
    }
    const heldId = state?.held_id ?? null;
    if (heldId) {
      const now = app.clock.now();
      const id = await app.db
        .transaction(async (tx) => {
          const [msg] = await tx.query<{ id: string }>(
            `WITH touched AS (UPDATE conversations SET updated_at = $4 WHERE id = $2)
           INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, created_at, meta)
           VALUES ($1, $2, 'in', 'customer', 'received', $3, $4, $5) RETURNING id`,
            [conversation.agentId, conversation.id, text, now, JSON.stringify(meta)],
          );
          await emitEvent(tx, {
            type: 'message.received',
            messageId: msg!.id,
            conversationId: conversation.id,
            escalationId: heldId,
          });
          return String(msg!.id);
        })
        .catch(storedMeanwhile);
      if (id === STORED_MEANWHILE) continue;
      const stored: TranscriptMessage = {
        id,
        direction: 'in',
        author: 'customer',
        status: 'received',
        body: text,
        sources: [],
        meta,
        createdAt: now,
      };
      return { handledBy: 'human', run: null, escalationId: heldId, written: [stored] };
    }
    // The hand-off was resolved in between: the agent may take the message after all.
    if (attempt >= 3) throw new Error('the conversation keeps changing hands; the message was not recorded');
  }
}

const STORED_MEANWHILE = Symbol('stored meanwhile');

/**
 * A customer message is stored once per clientId in its conversation (a unique index, migration 016): when another
 * node or an earlier attempt stored it between this call's check and its insert, the insert fails and the next
 * round finds the stored one (a duplicate). Anything else is rethrown.
 */
function storedMeanwhile(err: unknown): typeof STORED_MEANWHILE {
  if (
    sqlState(err) === '23505' &&
    String((err as { constraint?: unknown }).constraint ?? (err as Error).message).includes(
      'messages_inbound_client_id',
    )
  )
    return STORED_MEANWHILE;
  throw err;
}

export async function transcript(
  q: Queryable,
  conversationId: string,
  limit = 200,
): Promise<TranscriptMessage[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT * FROM (SELECT * FROM messages WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) m
     ORDER BY created_at, id`,
    [conversationId, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    direction: r.direction as 'in' | 'out',
    author: r.author as TranscriptMessage['author'],
    status: String(r.status),
    body: String(r.body),
    sources: (r.sources as string[]) ?? [],
    meta: (r.meta as Record<string, unknown>) ?? {},
    createdAt: r.created_at as Date,
  }));
}

/** Messages a customer may see: what was actually sent to them, plus their own. Drafts and reviews stay inside. */
export function customerVisible(messages: TranscriptMessage[]): TranscriptMessage[] {
  return messages.filter((m) => m.direction === 'in' || m.status === 'sent');
}
