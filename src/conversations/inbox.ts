// What the support team's inbox adds around a hand-off (issue 24): each card's customer, channel and real question
// (conversations/substantive.ts), how long the customer has waited, who it is assigned to; saved replies; the team's
// reply-time target; the customer's satisfaction at the end of a web chat. Every change is one conditional statement
// (and its audit event) in one transaction.
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { type Queryable, sqlState } from '../store/db.ts';
import { customerQuestion, substantiveQuestions } from './substantive.ts';

/** What a card says about the conversation behind a hand-off. */
export interface InboxCard {
  channel: string | null;
  /** The customer as the channel knows them (an address, a customer id); null for an anonymous web visitor. */
  customer: string | null;
  subject: string | null;
  /** The customer's last substantive message; null when they only asked for a person. */
  question: string | null;
  /** Every substantive message, oldest first. */
  questions: string[];
  /** Since when the customer waits for a person (null: answered, or resolved). */
  waitingSince: Date | null;
  assignedTo: { id: string; name: string } | null;
}

/** How many of a conversation's latest customer messages are read to find its question. */
const ASKED_WINDOW = 30;

/** The cards of the given escalations, by escalation id. */
export async function inboxCards(q: Queryable, escalationIds: string[]): Promise<Map<string, InboxCard>> {
  if (escalationIds.length === 0) return new Map();
  const rows = await q.query<{
    id: string;
    channel: string | null;
    customer_id: string | null;
    address: string | null;
    subject: string | null;
    asked: string[] | null;
    waiting_since: Date | null;
    assignee_id: string | null;
    assignee_name: string | null;
    assignee_email: string | null;
  }>(
    `SELECT e.id, c.channel, c.customer_id, c.address, c.subject,
       (SELECT array_agg(body ORDER BY created_at, id) FROM (SELECT body, created_at, id FROM messages
          WHERE conversation_id = e.conversation_id AND direction = 'in' AND author = 'customer'
          ORDER BY created_at DESC, id DESC LIMIT ${ASKED_WINDOW}) m) AS asked,
       CASE WHEN e.state = 'resolved' THEN NULL
            WHEN lh.at IS NULL THEN e.created_at
            ELSE (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = e.conversation_id
                  AND m.direction = 'in' AND m.created_at > lh.at) END AS waiting_since,
       u.id AS assignee_id, u.name AS assignee_name, u.email AS assignee_email
     FROM escalations e
     LEFT JOIN conversations c ON c.id = e.conversation_id
     LEFT JOIN LATERAL (SELECT max(h.created_at) AS at FROM messages h WHERE h.conversation_id = e.conversation_id
       AND h.author = 'human' AND h.direction = 'out' AND h.created_at >= e.created_at) lh ON true
     LEFT JOIN users u ON u.id = e.assigned_to
     WHERE e.id = ANY($1::uuid[])`,
    [escalationIds],
  );
  const cards = new Map<string, InboxCard>();
  for (const r of rows) {
    const asked = (r.asked ?? []).map((body) => ({ author: 'customer', direction: 'in', body }));
    cards.set(r.id, {
      channel: r.channel,
      customer: r.address ?? r.customer_id ?? null,
      subject: r.subject,
      question: customerQuestion(asked),
      questions: substantiveQuestions(asked),
      waitingSince: r.waiting_since,
      assignedTo: r.assignee_id
        ? { id: r.assignee_id, name: r.assignee_name || r.assignee_email || 'a teammate' }
        : null,
    });
  }
  return cards;
}

/** Assigns an unresolved hand-off to an active teammate (a user), or clears the assignment (null). */
export async function escalationAssigner(
  svc: Pick<Services, 'db' | 'audit' | 'clock'>,
  actor: Actor,
  escalationId: string,
  userId: string | null,
): Promise<{ assignedTo: { id: string; name: string } | null }> {
  return svc.db.transaction(async (tx) => {
    let name: string | null = null;
    if (userId !== null) {
      const [user] = await tx.query<{ name: string; email: string }>(
        `SELECT name, email FROM users WHERE id = $1 AND disabled_at IS NULL`,
        [userId],
      );
      if (!user)
        throw new AppError('validation_failed', 'no active teammate has that id', { field: 'userId' });
      name = user.name || user.email;
    }
    const [row] = await tx.query<{ agent_id: string; run_id: string | null }>(
      `UPDATE escalations SET assigned_to = $2, assigned_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE $3::timestamptz END
       WHERE id = $1 AND state <> 'resolved' RETURNING agent_id, run_id`,
      [escalationId, userId, svc.clock.now()],
    );
    if (!row) {
      const [exists] = await tx.query('SELECT 1 FROM escalations WHERE id = $1', [escalationId]);
      if (!exists) throw new AppError('not_found', 'no such escalation');
      throw new AppError('invalid_state', 'the escalation is resolved');
    }
    await svc.audit.append(
      {
        stream: row.run_id ? `run:${row.run_id}` : `agent:${row.agent_id}`,
        actor,
        action: userId ? 'escalation.assigned' : 'escalation.unassigned',
        subject: `escalation:${escalationId}`,
        payload: userId ? { user: userId } : {},
      },
      tx,
    );
    return { assignedTo: userId && name !== null ? { id: userId, name } : null };
  });
}

/** The teammates a hand-off can be assigned to: active users who may handle the inbox. */
export async function teammates(q: Queryable): Promise<{ id: string; name: string; role: string }[]> {
  const rows = await q.query<{ id: string; name: string; email: string; role: string }>(
    `SELECT id, name, email, role FROM users WHERE disabled_at IS NULL AND role IN ('admin', 'reviewer')
     ORDER BY lower(coalesce(nullif(name, ''), email))`,
  );
  return rows.map((r) => ({ id: r.id, name: r.name || r.email, role: r.role }));
}

// ---- Saved replies ----

export interface CannedReply {
  id: string;
  title: string;
  body: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

function presentCanned(r: Record<string, unknown>): CannedReply {
  return {
    id: String(r.id),
    title: String(r.title),
    body: String(r.body),
    createdBy: String(r.created_by),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

function titleTaken(err: unknown): never {
  if (sqlState(err) === '23505')
    throw new AppError('conflict', 'a saved reply already has this title', { field: 'title' });
  throw err;
}

export async function listCannedReplies(q: Queryable): Promise<CannedReply[]> {
  const rows = await q.query<Record<string, unknown>>('SELECT * FROM canned_replies ORDER BY lower(title)');
  return rows.map(presentCanned);
}

export async function cannedReplyCreator(
  svc: Pick<Services, 'db' | 'clock'>,
  actor: Actor,
  input: { title: string; body: string },
): Promise<CannedReply> {
  const [row] = await svc.db
    .query<Record<string, unknown>>(
      `INSERT INTO canned_replies (title, body, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       RETURNING *`,
      [input.title, input.body, actor, svc.clock.now()],
    )
    .catch(titleTaken);
  return presentCanned(row!);
}

export async function cannedReplyUpdater(
  svc: Pick<Services, 'db' | 'clock'>,
  id: string,
  input: { title?: string; body?: string },
): Promise<CannedReply> {
  const [row] = await svc.db
    .query<Record<string, unknown>>(
      `UPDATE canned_replies SET title = coalesce($2, title), body = coalesce($3, body), updated_at = $4
       WHERE id = $1 RETURNING *`,
      [id, input.title ?? null, input.body ?? null, svc.clock.now()],
    )
    .catch(titleTaken);
  if (!row) throw new AppError('not_found', 'no such saved reply');
  return presentCanned(row);
}

export async function cannedReplyDeleter(q: Queryable, id: string): Promise<void> {
  const rows = await q.query('DELETE FROM canned_replies WHERE id = $1 RETURNING id', [id]);
  if (rows.length === 0) throw new AppError('not_found', 'no such saved reply');
}

// ---- The reply-time target ----

export interface InboxSettings {
  /** A customer should wait at most this long for a person: the card's clock turns amber at 75 %, red past it (clock.ts). */
  replyTargetMinutes: number;
}

export async function inboxSettings(q: Queryable): Promise<InboxSettings> {
  const [row] = await q.query<{ reply_target_minutes: number }>(
    'SELECT reply_target_minutes FROM inbox_settings WHERE id',
  );
  return { replyTargetMinutes: row?.reply_target_minutes ?? 60 };
}

export async function inboxSettingsUpdater(
  svc: Pick<Services, 'db' | 'audit' | 'clock'>,
  actor: Actor,
  input: InboxSettings,
): Promise<InboxSettings> {
  return svc.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO inbox_settings (id, reply_target_minutes, updated_by, updated_at) VALUES (true, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET reply_target_minutes = $1, updated_by = $2, updated_at = $3`,
      [input.replyTargetMinutes, actor, svc.clock.now()],
    );
    await svc.audit.append(
      {
        stream: 'system',
        actor,
        action: 'inbox.settings_changed',
        subject: 'inbox:settings',
        payload: { replyTargetMinutes: input.replyTargetMinutes },
      },
      tx,
    );
    return input;
  });
}

// ---- Satisfaction ----

/**
 * The customer's answer to "Was this helpful?": +1 or -1, stored on the conversation. Sending the same answer again
 * changes nothing (idempotent); a different one replaces it (the customer changed their mind).
 */
export async function satisfactionRecorder(
  svc: Pick<Services, 'db' | 'clock'>,
  conversationId: string,
  rating: 1 | -1,
): Promise<{ rating: 1 | -1; changed: boolean }> {
  const rows = await svc.db.query(
    `UPDATE conversations SET satisfaction = $2, satisfaction_at = $3
     WHERE id = $1 AND satisfaction IS DISTINCT FROM $2 RETURNING id`,
    [conversationId, rating, svc.clock.now()],
  );
  return { rating, changed: rows.length > 0 };
}
