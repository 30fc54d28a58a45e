// The support team's inbox settings and tools (issue 24): saved replies (CRUD; anyone who handles the inbox), the
// teammates a hand-off can be assigned to, and the reply-time target the waiting clocks are held to (admins set it).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import {
  type CannedReply,
  cannedReplyCreator,
  cannedReplyDeleter,
  cannedReplyUpdater,
  inboxSettings,
  inboxSettingsUpdater,
  listCannedReplies,
  teammates,
} from '../../conversations/inbox.ts';
import { route, UuidParam } from '../http.ts';

const Title = z.string().trim().min(1).max(200);
const Body = z.string().trim().min(1).max(10_000);
const CannedBody = z.object({ title: Title, body: Body }).strict();
const CannedPatch = z
  .object({ title: Title.optional(), body: Body.optional() })
  .strict()
  .refine((v) => v.title !== undefined || v.body !== undefined, 'give a title, a body or both');
const SettingsBody = z.object({ replyTargetMinutes: z.number().int().min(1).max(10_080) }).strict();

const present = (c: CannedReply) => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export function registerInboxRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/canned-replies',
      summary: 'Saved replies, by title',
      tags: ['inbox'],
      permission: 'escalations.read',
    },
    async () => ({ cannedReplies: (await listCannedReplies(app.db)).map(present) }),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/canned-replies',
      summary: 'Save a reply (titles are unique, case-insensitively: conflict otherwise)',
      tags: ['inbox'],
      permission: 'escalations.handle',
      body: CannedBody,
      status: 201,
    },
    async ({ body, principal }) => ({
      cannedReply: present(await cannedReplyCreator(app, principal.actor, body)),
    }),
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/canned-replies/:id',
      summary: 'Edit a saved reply',
      tags: ['inbox'],
      permission: 'escalations.handle',
      params: UuidParam,
      body: CannedPatch,
    },
    async ({ params, body }) => ({ cannedReply: present(await cannedReplyUpdater(app, params.id, body)) }),
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/canned-replies/:id',
      summary: 'Delete a saved reply',
      tags: ['inbox'],
      permission: 'escalations.handle',
      params: UuidParam,
    },
    async ({ params }) => {
      await cannedReplyDeleter(app.db, params.id);
      return { deleted: params.id };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/teammates',
      summary: 'The people a hand-off can be assigned to (active admins and reviewers), by name',
      tags: ['inbox'],
      permission: 'escalations.read',
    },
    async () => ({ teammates: await teammates(app.db) }),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/inbox/settings',
      summary: 'The reply-time target (minutes) the waiting clocks are held to',
      tags: ['inbox'],
      permission: 'escalations.read',
    },
    async () => ({ settings: await inboxSettings(app.db) }),
  );

  route(
    server,
    app,
    {
      method: 'PUT',
      url: '/api/inbox/settings',
      summary: 'Set the reply-time target (1 minute to 7 days)',
      tags: ['inbox'],
      permission: 'inbox.settings',
      body: SettingsBody,
    },
    async ({ body, principal }) => ({ settings: await inboxSettingsUpdater(app, principal.actor, body) }),
  );
}
