// Sign-in, sign-out, who am I, and first-run setup. Login is throttled per account and address in the database
// (accounts/login-throttle.ts), so the delays hold across nodes; an attempt is counted before its password is hashed.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { loginAttemptCounter, loginSuccessRecorder } from '../../accounts/login-throttle.ts';
import {
  countUsers,
  EmailSchema,
  notTheirOwnDetails,
  PasswordSchema,
  passwordVerifier,
  SESSION_TTL_MS,
  sessionCreator,
  sessionDestroyer,
  setupCompleter,
  type User,
} from '../../accounts/users.ts';
import type { App } from '../../app.ts';
import { AppError } from '../../errors.ts';
import { authenticate, route, SESSION_COOKIE } from '../http.ts';

export function presentUser(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
  };
}

/** The session cookie's attributes: sign-in, setup and accepting an invitation set it alike. */
export function sessionCookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: SESSION_TTL_MS / 1000 };
}

const inWords = (seconds: number) =>
  seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;

const LoginBody = z.object({ email: z.string().max(320), password: z.string().max(256) }).strict();
const SetupBody = z
  .object({
    token: z.string().min(10).max(200),
    email: EmailSchema,
    name: z.string().max(200).optional(),
    password: PasswordSchema,
  })
  .strict()
  .superRefine(notTheirOwnDetails);

export function registerAuthRoutes(
  server: FastifyInstance,
  app: App,
  options: { secureCookies: boolean },
): void {
  const cookieOptions = sessionCookieOptions(options.secureCookies);

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/auth/login',
      summary: 'Sign in with email and password',
      tags: ['auth'],
      permission: null,
      body: LoginBody,
    },
    async ({ body, req, reply }) => {
      const gate = await loginAttemptCounter(app, body.email, req.ip);
      if (!gate.allowed) {
        reply.header('retry-after', String(gate.retryAfterSeconds));
        throw new AppError(
          'rate_limited',
          `too many failed sign-ins; try again in ${inWords(gate.retryAfterSeconds)}`,
          {
            retryAfterSeconds: gate.retryAfterSeconds,
          },
        );
      }
      const user = await passwordVerifier(app.db, body.email, body.password);
      if (!user) throw new AppError('unauthorized', 'wrong email or password');
      await loginSuccessRecorder(app, body.email, req.ip);
      const session = await sessionCreator(app, user);
      reply.setCookie(SESSION_COOKIE, session.cookie, cookieOptions);
      return { user: presentUser(user), csrfToken: session.csrfToken };
    },
  );

  route(
    server,
    app,
    { method: 'POST', url: '/api/auth/logout', summary: 'Sign out', tags: ['auth'], permission: null },
    async ({ req, reply }) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) {
        const p = await authenticate(app, req);
        if (p?.csrfToken && req.headers['x-csrf-token'] !== p.csrfToken) throw new AppError('csrf_failed');
        await sessionDestroyer(app, cookie);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/auth/me',
      summary: 'The signed-in user and CSRF token',
      tags: ['auth'],
      permission: 'agents.read',
    },
    async ({ principal }) => ({
      user: principal.user ? presentUser(principal.user) : null,
      actor: principal.actor,
      role: principal.role,
      csrfToken: principal.csrfToken,
    }),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/setup',
      summary: 'Whether first-run setup is needed',
      tags: ['auth'],
      permission: null,
    },
    async () => ({
      needed: (await countUsers(app.db)) === 0,
    }),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/setup',
      summary: 'Create the first admin with the one-time setup link',
      tags: ['auth'],
      permission: null,
      body: SetupBody,
      status: 201,
    },
    async ({ body, reply }) => {
      const { token, ...input } = body;
      const user = await setupCompleter(app, token, input);
      const session = await sessionCreator(app, user);
      reply.setCookie(SESSION_COOKIE, session.cookie, cookieOptions);
      return { user: presentUser(user), csrfToken: session.csrfToken };
    },
  );
}
