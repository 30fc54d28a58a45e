// Administration: people (users with roles) and machines (API tokens). A token's secret is in the create response
// and nowhere else, ever; listings carry metadata only.
import type { FastifyInstance } from 'fastify';
import {
  listTokens,
  listUsers,
  TokenCreateSchema,
  tokenCreator,
  tokenRevoker,
  UserCreateSchema,
  UserUpdateSchema,
  userCreator,
  userRemover,
  userUpdater,
} from '../../accounts/users.ts';
import type { App } from '../../app.ts';
import { route, UuidParam } from '../http.ts';
import { presentToken } from '../presenters.ts';
import { presentUser } from './auth.ts';

export function registerAdminRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/users',
      summary: 'List users',
      tags: ['admin'],
      permission: 'users.manage',
    },
    async () => ({ users: (await listUsers(app.db)).map(presentUser) }),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/users',
      summary: 'Create a user with a role and an initial password',
      tags: ['admin'],
      permission: 'users.manage',
      body: UserCreateSchema,
      status: 201,
    },
    async ({ body, principal }) => ({ user: presentUser(await userCreator(app, principal.actor, body)) }),
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/users/:id',
      summary: "Change a user's name or role, or disable them (their sessions end)",
      tags: ['admin'],
      permission: 'users.manage',
      params: UuidParam,
      body: UserUpdateSchema,
    },
    async ({ params, body, principal }) => ({
      user: presentUser(await userUpdater(app, principal.actor, params.id, body)),
    }),
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/users/:id',
      summary: 'Remove a user and their sessions',
      tags: ['admin'],
      permission: 'users.manage',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      await userRemover(app, principal.actor, params.id);
      return { ok: true };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/tokens',
      summary: 'List API tokens (metadata only)',
      tags: ['admin'],
      permission: 'tokens.manage',
    },
    async () => ({ tokens: (await listTokens(app.db)).map(presentToken) }),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/tokens',
      summary: 'Create an API token; the secret is shown in this response only',
      tags: ['admin'],
      permission: 'tokens.manage',
      body: TokenCreateSchema,
      status: 201,
    },
    async ({ body, principal }) => {
      const { token, info } = await tokenCreator(app, principal.actor, body);
      return { token, info: presentToken(info) };
    },
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/tokens/:id',
      summary: 'Revoke an API token',
      tags: ['admin'],
      permission: 'tokens.manage',
      params: UuidParam,
    },
    async ({ params, principal }) => ({
      token: presentToken(await tokenRevoker(app, principal.actor, params.id)),
    }),
  );
}
