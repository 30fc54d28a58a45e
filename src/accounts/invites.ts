// Invitations: an admin creates a one-time link (a role, optionally the invitee's email, an expiry); the invitee opens
// it, picks a name and password, and becomes a user. The secret is in the create response only; a SHA-256 of it is
// stored. Accepting claims the link with a conditional update in the same transaction as the user's insert, so a
// link makes exactly one user, and a failed sign-up (weak password, taken email) leaves it usable.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import {
  EmailSchema,
  notTheirOwnDetails,
  PasswordSchema,
  ROLES,
  type Role,
  secret,
  type User,
  userCreator,
} from './users.ts';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface Invite {
  id: string;
  email: string | null;
  role: Role;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
}

function presentInviteRow(r: Record<string, unknown>): Invite {
  return {
    id: String(r.id),
    email: (r.email as string | null) ?? null,
    role: r.role as Role,
    createdBy: String(r.created_by),
    createdAt: r.created_at as Date,
    expiresAt: r.expires_at as Date,
  };
}

export const InviteCreateSchema = z
  .object({
    role: z.enum(ROLES),
    email: z.union([EmailSchema, z.literal('')]).optional(),
    /** How long the link works, in days (default 7). */
    days: z.number().int().min(1).max(30).optional(),
  })
  .strict();

/** Creates an invitation. The token (the link's secret) is returned once and never again. */
export async function inviteCreator(
  svc: Services,
  actor: Actor,
  input: z.input<typeof InviteCreateSchema>,
): Promise<{ token: string; invite: Invite }> {
  const parsed = InviteCreateSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', undefined, parsed.error.issues);
  const { role, email, days } = parsed.data;
  const token = secret();
  const now = svc.clock.now();
  const expiresAt = new Date(now.getTime() + (days ? days * 24 * 3600_000 : INVITE_TTL_MS));
  return svc.db.transaction(async (tx) => {
    if (email) {
      const [taken] = await tx.query('SELECT 1 FROM users WHERE email = $1', [email]);
      if (taken) throw new AppError('conflict', 'a user with this email already exists');
    }
    const [row] = await tx.query(
      `INSERT INTO invites (token_hash, email, role, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [sha256(token), email || null, role, actor, now, expiresAt],
    );
    const invite = presentInviteRow(row!);
    await svc.audit.append(
      {
        stream: 'system',
        actor,
        action: 'invite.created',
        subject: `invite:${invite.id}`,
        payload: { role, expiresAt: expiresAt.toISOString() },
      },
      tx,
    );
    return { token, invite };
  });
}

/** Invitations not used, revoked or expired, newest first. */
export async function listPendingInvites(svc: Services): Promise<Invite[]> {
  const rows = await svc.db.query(
    `SELECT * FROM invites WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
     ORDER BY created_at DESC`,
    [svc.clock.now()],
  );
  return rows.map(presentInviteRow);
}

export async function inviteRevoker(svc: Services, actor: Actor, id: string): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      'UPDATE invites SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id',
      [id, svc.clock.now()],
    );
    if (!row) throw new AppError('not_found', 'no such pending invitation');
    await svc.audit.append(
      { stream: 'system', actor, action: 'invite.revoked', subject: `invite:${id}` },
      tx,
    );
  });
}

async function usableInvite(q: Queryable, token: string, now: Date): Promise<Record<string, unknown>> {
  const [row] = await q.query<Record<string, unknown>>(
    'SELECT * FROM invites WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2',
    [sha256(token), now],
  );
  if (!row) throw new AppError('invite_invalid');
  return row;
}

export const InviteTokenSchema = z.string().min(10).max(200);

/** What the invitee sees before signing up: the role and, when fixed, the email. */
export async function inviteLookup(
  svc: Services,
  token: string,
): Promise<{ role: Role; email: string | null; expiresAt: Date }> {
  const row = await usableInvite(svc.db, token, svc.clock.now());
  return {
    role: row.role as Role,
    email: (row.email as string | null) ?? null,
    expiresAt: row.expires_at as Date,
  };
}

export const InviteAcceptSchema = z
  .object({
    token: InviteTokenSchema,
    email: EmailSchema,
    name: z.string().trim().min(1).max(200),
    password: PasswordSchema,
  })
  .strict()
  .superRefine(notTheirOwnDetails);

/** Uses an invitation: the user is created with its role, and the link is spent, in one transaction. */
export async function inviteAccepter(
  svc: Services,
  input: z.input<typeof InviteAcceptSchema>,
): Promise<User> {
  const parsed = InviteAcceptSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', undefined, parsed.error.issues);
  const { token, email, name, password } = parsed.data;
  const now = svc.clock.now();
  // Checked first for a clear answer (and the role); claimed again, conditionally, inside the user's transaction.
  const found = await usableInvite(svc.db, token, now);
  if (found.email && found.email !== email)
    throw new AppError('validation_failed', undefined, [
      { path: 'body.email', message: `this invitation is for ${String(found.email)}` },
    ]);
  let inviteId = '';
  const user = await userCreator(
    svc,
    `invite:${String(found.id)}`,
    { email, name, password, role: found.role as Role },
    async (tx) => {
      const [claimed] = await tx.query<{ id: string }>(
        `UPDATE invites SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL
         AND expires_at > $2 RETURNING id`,
        [sha256(token), now],
      );
      if (!claimed) throw new AppError('invite_invalid');
      inviteId = claimed.id;
    },
  );
  await svc.db.query('UPDATE invites SET used_by = $2 WHERE id = $1', [inviteId, user.id]);
  return user;
}
