// Escalations: the hand-off to a human. open → claimed → resolved; each transition is conditional, so two people
// clicking at once get one winner and one clear conflict.
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { emitEvent } from '../events/emit.ts';
import type { Queryable } from '../store/db.ts';
import { draftAgreement } from './agreement.ts';

export type EscalationKind = 'escalation' | 'review' | 'checkpoint';
export type EscalationState = 'open' | 'claimed' | 'resolved';

export interface Escalation {
  id: string;
  agentId: string;
  runId: string | null;
  conversationId: string | null;
  kind: EscalationKind;
  reason: string;
  summary: string;
  suggestedReply: string | null;
  state: EscalationState;
  claimedBy: string | null;
  claimedAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
  /** 0..1, how close the first human reply came to the suggested reply (agreement.ts); null until compared. */
  draftAgreement: number | null;
  createdAt: Date;
}

export function presentEscalationRow(r: Record<string, unknown>): Escalation {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    runId: (r.run_id as string | null) ?? null,
    conversationId: (r.conversation_id as string | null) ?? null,
    kind: r.kind as EscalationKind,
    reason: String(r.reason),
    summary: String(r.summary),
    suggestedReply: (r.suggested_reply as string | null) ?? null,
    state: r.state as EscalationState,
    claimedBy: (r.claimed_by as string | null) ?? null,
    claimedAt: (r.claimed_at as Date | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
    resolvedAt: (r.resolved_at as Date | null) ?? null,
    resolution: (r.resolution as string | null) ?? null,
    draftAgreement:
      r.draft_agreement === null || r.draft_agreement === undefined ? null : Number(r.draft_agreement),
    createdAt: r.created_at as Date,
  };
}

export interface EscalationInput {
  agentId: string;
  runId: string | null;
  conversationId?: string | null;
  kind?: EscalationKind;
  reason: string;
  summary?: string;
  suggestedReply?: string | null;
}

/** Creates an escalation inside the caller's transaction (the run's state change and the hand-off are one write). */
export async function escalationCreator(
  svc: Services,
  tx: Queryable,
  actor: Actor,
  input: EscalationInput,
): Promise<Escalation> {
  const [row] = await tx.query(
    `INSERT INTO escalations (agent_id, run_id, conversation_id, kind, reason, summary, suggested_reply, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      input.agentId,
      input.runId,
      input.conversationId ?? null,
      input.kind ?? 'escalation',
      input.reason,
      input.summary ?? '',
      input.suggestedReply ?? null,
      svc.clock.now(),
    ],
  );
  const esc = presentEscalationRow(row!);
  await svc.audit.append(
    {
      stream: input.runId ? `run:${input.runId}` : `agent:${input.agentId}`,
      actor,
      action: 'escalation.opened',
      subject: `escalation:${esc.id}`,
      payload: { kind: esc.kind, reason: esc.reason },
    },
    tx,
  );
  return esc;
}

async function transition(
  svc: Services,
  actor: Actor,
  id: string,
  from: EscalationState[],
  set: string,
  params: unknown[],
  action: string,
  payload: unknown = {},
  /** A claimed escalation moves only for the one who claimed it (as a reply is refused to anyone else). */
  claimant?: Actor,
): Promise<Escalation> {
  return svc.db.transaction(async (tx) => {
    const byClaimant =
      claimant === undefined ? '' : ` AND (state <> 'claimed' OR claimed_by = $${params.length + 3})`;
    const [row] = await tx.query(
      `UPDATE escalations SET ${set} WHERE id = $1 AND state = ANY($2::text[])${byClaimant} RETURNING *`,
      [id, from, ...params, ...(claimant === undefined ? [] : [claimant])],
    );
    if (!row) {
      const [exists] = await tx.query<{ state: string; claimed_by: string | null }>(
        'SELECT state, claimed_by FROM escalations WHERE id = $1',
        [id],
      );
      if (!exists) throw new AppError('not_found', 'no such escalation');
      if (exists.state === 'claimed' && claimant !== undefined && from.includes('claimed'))
        throw new AppError('invalid_state', `the escalation is claimed by ${exists.claimed_by}`);
      throw new AppError('invalid_state', `the escalation is ${exists.state}`);
    }
    const esc = presentEscalationRow(row);
    await svc.audit.append(
      {
        stream: esc.runId ? `run:${esc.runId}` : `agent:${esc.agentId}`,
        actor,
        action,
        subject: `escalation:${id}`,
        payload,
      },
      tx,
    );
    return esc;
  });
}

export function escalationClaimer(svc: Services, actor: Actor, id: string): Promise<Escalation> {
  return transition(
    svc,
    actor,
    id,
    ['open'],
    `state = 'claimed', claimed_by = $3, claimed_at = $4`,
    [actor, svc.clock.now()],
    'escalation.claimed',
  );
}

export async function escalationResolver(
  svc: Services,
  actor: Actor,
  id: string,
  resolution: string,
): Promise<Escalation> {
  // A claimed escalation is resolved by its claimer only, the rule a reply follows: the person who has the customer
  // decides when they are done. Resolving a checkpoint here would leave its run at the checkpoint with nobody asked to decide; the run's
  // checkpoint command (continue or close) resolves it. The kind never changes, so reading it first is safe.
  const [row] = await svc.db.query<{ kind: string }>('SELECT kind FROM escalations WHERE id = $1', [id]);
  if (row?.kind === 'checkpoint')
    throw new AppError('invalid_state', 'a checkpoint is resolved on its run: continue or close the run');
  return transition(
    svc,
    actor,
    id,
    ['open', 'claimed'],
    `state = 'resolved', resolved_by = $3, resolved_at = $4, resolution = $5,
     claimed_by = COALESCE(claimed_by, $3), claimed_at = COALESCE(claimed_at, $4)`,
    [actor, svc.clock.now(), resolution],
    'escalation.resolved',
    { resolution },
    actor,
  );
}

export async function listEscalations(
  q: Queryable,
  filter: {
    agentId?: string;
    state?: EscalationState;
    kind?: EscalationKind;
    limit?: number;
    /** A user id, or null: the unassigned ones (the inbox's "Assigned to me"). */
    assignedTo?: string | null;
  } = {},
): Promise<Escalation[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.assignedTo === null) where.push('assigned_to IS NULL');
  else if (filter.assignedTo !== undefined) {
    params.push(filter.assignedTo);
    where.push(`assigned_to = $${params.length}`);
  }
  for (const [col, v] of [
    ['agent_id', filter.agentId],
    ['state', filter.state],
    ['kind', filter.kind],
  ] as const) {
    if (v === undefined) continue;
    params.push(v);
    where.push(`${col} = $${params.length}`);
  }
  params.push(filter.limit ?? 100);
  const rows = await q.query(
    `SELECT * FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(presentEscalationRow);
}

/** A row of `messages`, as the inbox and the run viewer read it. (Conversations have no module of their own yet.) */
export interface Message {
  id: string;
  runId: string | null;
  agentId: string;
  conversationId: string | null;
  direction: 'in' | 'out';
  author: 'customer' | 'agent' | 'human';
  status: 'received' | 'sent' | 'draft' | 'review';
  body: string;
  confidence: number | null;
  sources: string[];
  /** Set on email and WhatsApp messages (the outbox); null on web chat, which pushes live. */
  channel: string | null;
  delivery: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | null;
  /** Why a delivery failed or is being retried, e.g. "outside the 24-hour window: …". */
  deliveryError: string | null;
  createdAt: Date;
}

export function presentMessageRow(r: Record<string, unknown>): Message {
  return {
    id: String(r.id),
    runId: (r.run_id as string | null) ?? null,
    agentId: String(r.agent_id),
    conversationId: (r.conversation_id as string | null) ?? null,
    direction: r.direction as Message['direction'],
    author: r.author as Message['author'],
    status: r.status as Message['status'],
    body: String(r.body),
    confidence: r.confidence === null || r.confidence === undefined ? null : Number(r.confidence),
    sources: (r.sources as string[] | null) ?? [],
    channel: (r.channel as string | null) ?? null,
    delivery: (r.delivery as Message['delivery']) ?? null,
    deliveryError: (r.delivery_error as string | null) ?? null,
    createdAt: r.created_at as Date,
  };
}

/**
 * A human answers the customer from the inbox. Replying to an open escalation claims it (whoever answers owns it);
 * a claim by someone else or a resolved escalation refuses, so two people never answer one customer at once. The
 * message is stored as sent and announced on the event channel, where the conversation's channel picks it up.
 * The audit event references the message; it does not copy the text (personal data stays erasable).
 */
export async function escalationReplier(
  svc: Services,
  actor: Actor,
  id: string,
  text: string,
): Promise<{ escalation: Escalation; message: Message }> {
  return svc.db.transaction(async (tx) => {
    const [locked] = await tx.query('SELECT * FROM escalations WHERE id = $1 FOR UPDATE', [id]);
    if (!locked) throw new AppError('not_found', 'no such escalation');
    let esc = presentEscalationRow(locked);
    const stream = esc.runId ? `run:${esc.runId}` : `agent:${esc.agentId}`;
    const now = svc.clock.now();
    if (esc.state === 'resolved') throw new AppError('invalid_state', 'the escalation is resolved');
    if (esc.state === 'claimed' && esc.claimedBy !== actor)
      throw new AppError('invalid_state', `the escalation is claimed by ${esc.claimedBy}`);
    if (esc.state === 'open') {
      const [row] = await tx.query(
        `UPDATE escalations SET state = 'claimed', claimed_by = $2, claimed_at = $3 WHERE id = $1 RETURNING *`,
        [id, actor, now],
      );
      esc = presentEscalationRow(row!);
      await svc.audit.append(
        { stream, actor, action: 'escalation.claimed', subject: `escalation:${id}`, payload: {} },
        tx,
      );
    }
    const [msg] = await tx.query(
      `INSERT INTO messages (run_id, agent_id, conversation_id, direction, author, status, body, created_at)
       VALUES ($1, $2, $3, 'out', 'human', 'sent', $4, $5) RETURNING *`,
      [esc.runId, esc.agentId, esc.conversationId, text, now],
    );
    const message = presentMessageRow(msg!);
    // The first reply answers the question the draft answered; later replies carry the conversation on.
    if (esc.suggestedReply !== null && esc.draftAgreement === null) {
      const [row] = await tx.query('UPDATE escalations SET draft_agreement = $2 WHERE id = $1 RETURNING *', [
        id,
        draftAgreement(esc.suggestedReply, text),
      ]);
      esc = presentEscalationRow(row!);
    }
    await svc.audit.append(
      {
        stream,
        actor,
        action: 'escalation.replied',
        subject: `escalation:${id}`,
        payload: { message: message.id },
      },
      tx,
    );
    await emitEvent(tx, {
      type: 'message.sent',
      conversationId: esc.conversationId,
      escalationId: id,
      messageId: message.id,
    });
    return { escalation: esc, message };
  });
}

/** The transcript a human reads before answering: the whole conversation when there is one, else the run's messages. */
export async function escalationTranscript(q: Queryable, esc: Escalation): Promise<Message[]> {
  const rows = esc.conversationId
    ? await q.query(
        'SELECT * FROM messages WHERE conversation_id = $1 AND agent_id = $2 ORDER BY created_at, id',
        [esc.conversationId, esc.agentId],
      )
    : esc.runId
      ? await q.query('SELECT * FROM messages WHERE run_id = $1 ORDER BY created_at, id', [esc.runId])
      : [];
  return rows.map(presentMessageRow);
}
