// People beyond users and tokens (admin.ts): invitations by one-time link, accepting one (no session yet: the link
// is the credential), and what each role may do, read from the one permission table.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type Invite,
  InviteAcceptSchema,
  InviteCreateSchema,
  InviteTokenSchema,
  inviteAccepter,
  inviteCreator,
  inviteLookup,
  inviteRevoker,
  listPendingInvites,
} from '../../accounts/invites.ts';
import { listUsers, ROLES, sessionCreator } from '../../accounts/users.ts';
import type { App } from '../../app.ts';
import { route, SESSION_COOKIE, UuidParam } from '../http.ts';
import { PERMISSIONS } from '../permissions.ts';
import { presentUser, sessionCookieOptions } from './auth.ts';

export function presentInvite(i: Invite) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    createdBy: i.createdBy,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
  };
}

/** The invitation's page; the secret rides in the fragment, which browsers never send to a server or in a Referer. */
export const invitePath = (token: string) => `/invite#${token}`;

export function registerPeopleRoutes(
  server: FastifyInstance,
  app: App,
  options: { secureCookies: boolean },
): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/roles',
      summary: 'The roles and what each may do (the permission table)',
      tags: ['admin'],
      permission: 'agents.read',
    },
    async () => ({
      roles: ROLES,
      permissions: Object.entries(PERMISSIONS).map(([id, roles]) => ({ id, roles })),
    }),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/people',
      summary: "The team's names (email and display name), so pages can say who did what",
      tags: ['admin'],
      permission: 'agents.read',
    },
    async () => ({
      people: (await listUsers(app.db)).map((u) => ({ email: u.email, name: u.name || u.email })),
    }),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/invites',
      summary: 'Pending invitations (not used, revoked or expired)',
      tags: ['admin'],
      permission: 'users.manage',
    },
    async () => ({ invites: (await listPendingInvites(app)).map(presentInvite) }),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/invites',
      summary: 'Invite a person by a one-time link (shown in this response only)',
      tags: ['admin'],
      permission: 'users.manage',
      body: InviteCreateSchema,
      status: 201,
    },
    async ({ body, principal }) => {
      const { token, invite } = await inviteCreator(app, principal.actor, body);
      return { invite: presentInvite(invite), token, path: invitePath(token) };
    },
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/invites/:id',
      summary: 'Revoke a pending invitation',
      tags: ['admin'],
      permission: 'users.manage',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      await inviteRevoker(app, principal.actor, params.id);
      return { ok: true };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/invites/lookup',
      summary: 'What an invitation link offers (role, email) before signing up with it',
      tags: ['auth'],
      permission: null,
      body: z.object({ token: InviteTokenSchema }).strict(),
    },
    async ({ body }) => {
      const found = await inviteLookup(app, body.token);
      return { role: found.role, email: found.email, expiresAt: found.expiresAt.toISOString() };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/invites/accept',
      summary: 'Sign up with an invitation link: the link is used once, and the new user is signed in',
      tags: ['auth'],
      permission: null,
      body: InviteAcceptSchema,
      status: 201,
    },
    async ({ body, reply }) => {
      const user = await inviteAccepter(app, body);
      const session = await sessionCreator(app, user);
      reply.setCookie(SESSION_COOKIE, session.cookie, sessionCookieOptions(options.secureCookies));
      return { user: presentUser(user), csrfToken: session.csrfToken };
    },
  );
}
