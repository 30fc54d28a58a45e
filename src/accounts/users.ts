// Users, sessions, API tokens and one-time setup links. Passwords are argon2id hashes; session cookies, tokens
// and setup links are random secrets of which only a SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { emitEvent } from '../events/emit.ts';
import { type Queryable, sqlState } from '../store/db.ts';
import { MAX_PASSWORD_LENGTH, passwordWeakness } from './password.ts';

export const ROLES = ['admin', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
}

export function presentUserRow(r: Record<string, unknown>): User {
  return {
    id: String(r.id),
    email: String(r.email),
    name: String(r.name),
    role: r.role as Role,
    disabled: r.disabled_at !== null && r.disabled_at !== undefined,
    createdAt: r.created_at as Date,
  };
}

/** Every password set goes through this: setup, user creation (API and CLI). Too weak → why, in words. */
export const PasswordSchema = z
  .string()
  .max(MAX_PASSWORD_LENGTH)
  .superRefine((password, ctx) => {
    const why = password.length > MAX_PASSWORD_LENGTH ? null : passwordWeakness(password);
    if (why) ctx.addIssue({ code: 'custom', message: `choose a stronger password: ${why}` });
  });
export const EmailSchema = z.string().trim().toLowerCase().email().max(320);

/** A password made of the person's own email or name is guessed first: refused on the password field. */
export function notTheirOwnDetails(
  value: { email: string; name?: string | undefined; password: string },
  ctx: z.RefinementCtx,
): void {
  if (passwordWeakness(value.password) !== null) return; // PasswordSchema said so already
  const why = passwordWeakness(value.password, [
    value.email,
    value.email.split('@')[0] ?? '',
    value.name ?? '',
  ]);
  if (why)
    ctx.addIssue({ code: 'custom', path: ['password'], message: `choose a stronger password: ${why}` });
}

export const UserCreateSchema = z
  .object({
    email: EmailSchema,
    name: z.string().max(200).default(''),
    role: z.enum(ROLES),
    password: PasswordSchema,
  })
  .strict()
  .superRefine(notTheirOwnDetails);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const secret = (bytes = 32) => randomBytes(bytes).toString('base64url');

// OWASP's argon2id baseline (m=19 MiB, t=2, p=1).
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
// Verifying against a dummy hash when the user does not exist keeps login timing the same either way.
let dummyHash: Promise<string> | null = null;

export async function userCreator(
  svc: Services,
  actor: Actor,
  input: z.input<typeof UserCreateSchema>,
  /** Runs in the same transaction before the insert; throwing cancels the creation (setup links use it). */
  guard?: (tx: Queryable) => Promise<void>,
): Promise<User> {
  const parsed = UserCreateSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', undefined, parsed.error.issues);
  const { email, name, role, password } = parsed.data;
  const passwordHash = await hash(password, ARGON2);
  try {
    return await svc.db.transaction(async (tx) => {
      await guard?.(tx);
      const [row] = await tx.query(
        'INSERT INTO users (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [email, name, role, passwordHash, svc.clock.now()],
      );
      const user = presentUserRow(row!);
      await svc.audit.append(
        { stream: 'system', actor, action: 'user.created', subject: `user:${user.id}`, payload: { role } },
        tx,
      );
      return user;
    });
  } catch (err) {
    if (sqlState(err) === '23505') throw new AppError('conflict', 'a user with this email already exists');
    throw err;
  }
}

export async function countUsers(q: Queryable): Promise<number> {
  const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return row?.n ?? 0;
}

export async function listUsers(q: Queryable): Promise<User[]> {
  return (await q.query('SELECT * FROM users ORDER BY email')).map(presentUserRow);
}

/** Checks a password; returns the user or null. Constant work whether or not the email exists. */
export async function passwordVerifier(q: Queryable, email: string, password: string): Promise<User | null> {
  const [row] = await q.query<Record<string, unknown>>('SELECT * FROM users WHERE email = $1', [
    email.trim().toLowerCase(),
  ]);
  const stored = row?.password_hash as string | undefined;
  if (!stored) {
    dummyHash ??= hash('not-a-real-password', ARGON2);
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(stored, password).catch(() => false);
  if (!ok || row?.disabled_at) return null;
  return presentUserRow(row!);
}

export const SESSION_TTL_MS = 12 * 3600_000;

export async function sessionCreator(
  svc: Services,
  user: User,
): Promise<{ cookie: string; csrfToken: string; expiresAt: Date }> {
  const cookie = secret();
  const csrfToken = secret(24);
  const expiresAt = new Date(svc.clock.now().getTime() + SESSION_TTL_MS);
  await svc.db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO sessions (id, user_id, csrf_token, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
      [sha256(cookie), user.id, csrfToken, expiresAt, svc.clock.now()],
    );
    await svc.audit.append(
      {
        stream: 'system',
        actor: `user:${user.email}`,
        action: 'session.created',
        subject: `user:${user.id}`,
      },
      tx,
    );
  });
  return { cookie, csrfToken, expiresAt };
}

export async function sessionLookup(
  svc: Services,
  cookie: string,
): Promise<{ user: User; csrfToken: string } | null> {
  const [row] = await svc.db.query<Record<string, unknown>>(
    `UPDATE sessions s SET last_seen_at = $2 FROM users u
     WHERE s.id = $1 AND u.id = s.user_id AND s.expires_at > $2 AND u.disabled_at IS NULL
     RETURNING u.*, s.csrf_token`,
    [sha256(cookie), svc.clock.now()],
  );
  return row ? { user: presentUserRow(row), csrfToken: String(row.csrf_token) } : null;
}

/**
 * Emitted when a credential may no longer be good (a session ended, a user's role changed or the user was disabled
 * or removed, a token revoked): every node's live streams of that user or token check their credential again
 * (server/routes/events.ts). Ids only, as every event.
 */
export const CREDENTIALS_CHANGED = 'credentials.changed';

export async function sessionDestroyer(svc: Services, cookie: string): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [row] = await tx.query<{ user_id: string }>(
      'DELETE FROM sessions WHERE id = $1 RETURNING user_id',
      [sha256(cookie)],
    );
    if (row) await emitEvent(tx, { type: CREDENTIALS_CHANGED, userId: row.user_id });
  });
}

export const UserUpdateSchema = z
  .object({
    name: z.string().max(200).optional(),
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

/** Refuses a change that would leave no active admin (nobody could manage users or tokens any more). */
async function keepAnAdmin(tx: Queryable, userId: string): Promise<void> {
  const [row] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`,
    [userId],
  );
  if ((row?.n ?? 0) === 0)
    throw new AppError('conflict', 'this is the last active admin; make another admin first');
}

/**
 * Changes a user's name, role or disabled state. Disabling ends the user's sessions; a role change keeps them (the
 * next request carries the new role) but ends the user's live event streams, which reconnect with it.
 */
export async function userUpdater(
  svc: Services,
  actor: Actor,
  userId: string,
  input: z.input<typeof UserUpdateSchema>,
): Promise<User> {
  const parsed = UserUpdateSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', undefined, parsed.error.issues);
  const data = parsed.data;
  return svc.db.transaction(async (tx) => {
    const [cur] = await tx.query('SELECT * FROM users WHERE id = $1 FOR UPDATE', [userId]);
    if (!cur) throw new AppError('not_found', 'no such user');
    const before = presentUserRow(cur);
    if (
      before.role === 'admin' &&
      !before.disabled &&
      ((data.role && data.role !== 'admin') || data.disabled)
    )
      await keepAnAdmin(tx, userId);
    const disabledAt =
      data.disabled === undefined
        ? (cur.disabled_at ?? null)
        : data.disabled
          ? (cur.disabled_at ?? svc.clock.now())
          : null;
    const [row] = await tx.query(
      'UPDATE users SET name = $2, role = $3, disabled_at = $4 WHERE id = $1 RETURNING *',
      [userId, data.name ?? before.name, data.role ?? before.role, disabledAt],
    );
    const user = presentUserRow(row!);
    if (user.disabled) await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
    await svc.audit.append(
      { stream: 'system', actor, action: 'user.updated', subject: `user:${userId}`, payload: data },
      tx,
    );
    await emitEvent(tx, { type: CREDENTIALS_CHANGED, userId });
    return user;
  });
}

/** Removes a user and their sessions. The audit trail keeps referring to `user:<id>`. */
export async function userRemover(svc: Services, actor: Actor, userId: string): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [cur] = await tx.query('SELECT * FROM users WHERE id = $1 FOR UPDATE', [userId]);
    if (!cur) throw new AppError('not_found', 'no such user');
    const user = presentUserRow(cur);
    if (user.role === 'admin' && !user.disabled) await keepAnAdmin(tx, userId);
    await tx.query('DELETE FROM users WHERE id = $1', [userId]);
    await svc.audit.append(
      { stream: 'system', actor, action: 'user.removed', subject: `user:${userId}` },
      tx,
    );
    await emitEvent(tx, { type: CREDENTIALS_CHANGED, userId });
  });
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revoked: boolean;
}

function presentTokenRow(r: Record<string, unknown>): ApiToken {
  return {
    id: String(r.id),
    name: String(r.name),
    role: r.role as Role,
    createdBy: String(r.created_by),
    createdAt: r.created_at as Date,
    lastUsedAt: (r.last_used_at as Date | null) ?? null,
    revoked: Boolean(r.revoked_at),
  };
}

export const TokenCreateSchema = z.object({ name: z.string().min(1).max(100), role: z.enum(ROLES) }).strict();

/** Creates an API token. The secret is returned once and never again. */
export async function tokenCreator(
  svc: Services,
  actor: Actor,
  input: z.input<typeof TokenCreateSchema>,
): Promise<{ token: string; info: ApiToken }> {
  const parsed = TokenCreateSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', undefined, parsed.error.issues);
  const token = `tw_${secret()}`;
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      'INSERT INTO api_tokens (name, token_hash, role, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [parsed.data.name, sha256(token), parsed.data.role, actor, svc.clock.now()],
    );
    const info = presentTokenRow(row!);
    await svc.audit.append(
      {
        stream: 'system',
        actor,
        action: 'token.created',
        subject: `token:${info.id}`,
        payload: { name: info.name, role: info.role },
      },
      tx,
    );
    return { token, info };
  });
}

/** How stale last_used_at may get: recording every request would make every call of a token fight over one row. */
const TOKEN_TOUCH_MS = 60_000;

export async function tokenLookup(svc: Services, token: string): Promise<ApiToken | null> {
  const [row] = await svc.db.query<Record<string, unknown>>(
    'SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [sha256(token)],
  );
  if (!row) return null;
  const now = svc.clock.now();
  const last = row.last_used_at as Date | null;
  if (!last || now.getTime() - last.getTime() > TOKEN_TOUCH_MS) {
    await svc.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [row.id, now]);
    row.last_used_at = now;
  }
  return presentTokenRow(row);
}

export async function tokenRevoker(svc: Services, actor: Actor, id: string): Promise<ApiToken> {
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      'UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING *',
      [id, svc.clock.now()],
    );
    if (!row) throw new AppError('not_found', 'no such active token');
    await svc.audit.append({ stream: 'system', actor, action: 'token.revoked', subject: `token:${id}` }, tx);
    await emitEvent(tx, { type: CREDENTIALS_CHANGED, tokenId: id });
    return presentTokenRow(row);
  });
}

export async function listTokens(q: Queryable): Promise<ApiToken[]> {
  return (await q.query('SELECT * FROM api_tokens ORDER BY created_at DESC')).map(presentTokenRow);
}

export const SETUP_TTL_MS = 24 * 3600_000;

/** A one-time link to create the first admin; only while no user exists. */
export async function setupLinkCreator(svc: Services): Promise<string | null> {
  if ((await countUsers(svc.db)) > 0) return null;
  const token = secret();
  await svc.db.query('INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)', [
    sha256(token),
    new Date(svc.clock.now().getTime() + SETUP_TTL_MS),
  ]);
  return token;
}

/** Consumes a setup link and creates the first admin, atomically: a link works once, and only with no users. */
export async function setupCompleter(
  svc: Services,
  token: string,
  input: { email: string; name?: string; password: string },
): Promise<User> {
  const now = svc.clock.now();
  // One transaction: the link is used only if the admin is created, and a lock makes two links used at the same
  // moment create one admin, not two.
  return userCreator(svc, 'setup', { ...input, role: 'admin' }, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7212003)');
    const [claimed] = await tx.query(
      'UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING token_hash',
      [sha256(token), now],
    );
    if (!claimed) throw new AppError('forbidden', 'this setup link is invalid, used or expired');
    if ((await countUsers(tx)) > 0)
      throw new AppError('conflict', 'Twelve already has users; sign in instead');
  });
}
