// The human inbox: escalations with their transcript and run; claim, reply to the customer, resolve. Every
// transition is conditional in the command, so two people acting at once get one winner and one 409.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { escalationAssigner, type InboxCard, inboxCards } from '../../conversations/inbox.ts';
import { AppError } from '../../errors.ts';
import { findAgent, listAgents } from '../../runtime/agents.ts';
import {
  type EscalationKind,
  type EscalationState,
  escalationClaimer,
  escalationReplier,
  escalationResolver,
  escalationTranscript,
  listEscalations,
  presentEscalationRow,
} from '../../runtime/escalations.ts';
import { getRun } from '../../runtime/runs.ts';
import type { Queryable } from '../../store/db.ts';
import { csvStream } from '../csv.ts';
import { Paging, route, UuidParam } from '../http.ts';
import { presentEscalation, presentMessage, presentRun } from '../presenters.ts';

const STATES = ['open', 'claimed', 'resolved'] as const satisfies readonly EscalationState[];
const KINDS = ['escalation', 'review', 'checkpoint'] as const satisfies readonly EscalationKind[];

const EscalationsFilter = z.object({
  state: z.enum(STATES).optional(),
  kind: z.enum(KINDS).optional(),
  agent: z.string().min(1).max(100).optional(),
  /** 'me': assigned to the caller; 'none': to nobody; or a user id. */
  assignee: z.union([z.enum(['me', 'none']), z.string().uuid()]).optional(),
});
const EscalationsQuery = Paging.extend(EscalationsFilter.shape).strict();
const AssignBody = z.object({ userId: z.string().uuid().nullable() }).strict();
const ReplyBody = z.object({ text: z.string().trim().min(1).max(10_000) }).strict();
const ResolveBody = z.object({ resolution: z.string().trim().min(1).max(5_000) }).strict();

/** The assignee filter as a user id (or null: nobody); 'me' without a user (an API token) matches nothing. */
function assigneeOf(assignee: string | undefined, me: string | null): string | null | undefined {
  if (assignee === undefined) return undefined;
  if (assignee === 'none') return null;
  if (assignee === 'me') return me ?? '00000000-0000-0000-0000-000000000000';
  return assignee;
}

/** What a card adds to an escalation: the customer, channel, real question, waiting time and assignee. */
function presentCard(card: InboxCard | undefined) {
  return {
    channel: card?.channel ?? null,
    customer: card?.customer ?? null,
    subject: card?.subject ?? null,
    question: card?.question ?? null,
    questions: card?.questions ?? [],
    waitingSince: card?.waitingSince ? card.waitingSince.toISOString() : null,
    assignedTo: card?.assignedTo ?? null,
  };
}

async function agentNameOf(q: Queryable, agentId: string): Promise<string | undefined> {
  const [row] = await q.query<{ name: string }>('SELECT name FROM agents WHERE id = $1', [agentId]);
  return row?.name;
}

export function registerEscalationRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/escalations',
      summary: 'The inbox: escalations, reviews and checkpoints, newest first',
      tags: ['escalations'],
      permission: 'escalations.read',
      query: EscalationsQuery,
    },
    async ({ query, principal }) => {
      const agentId = query.agent ? (await findAgent(app.db, query.agent)).id : undefined;
      const [escalations, agents] = await Promise.all([
        listEscalations(app.db, {
          agentId,
          state: query.state,
          kind: query.kind,
          limit: query.limit,
          assignedTo: assigneeOf(query.assignee, principal.user?.id ?? null),
        }),
        listAgents(app.db),
      ]);
      const names = new Map(agents.map((a) => [a.id, a.name]));
      const cards = await inboxCards(
        app.db,
        escalations.map((e) => e.id),
      );
      return {
        escalations: escalations.map((e) => ({
          ...presentEscalation(e, names.get(e.agentId)),
          ...presentCard(cards.get(e.id)),
        })),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/escalations/:id',
      summary: 'One escalation with the conversation transcript and its run',
      tags: ['escalations'],
      permission: 'escalations.read',
      params: UuidParam,
    },
    async ({ params }) => {
      const [row] = await app.db.query('SELECT * FROM escalations WHERE id = $1', [params.id]);
      if (!row) throw new AppError('not_found', 'no such escalation');
      const escalation = presentEscalationRow(row);
      const [messages, run, agent] = await Promise.all([
        escalationTranscript(app.db, escalation),
        escalation.runId ? getRun(app.db, escalation.runId) : null,
        findAgent(app.db, escalation.agentId),
      ]);
      const agentName = agent.name;
      // The person reads which entry or article each answer came from (and how sure the agent was), to spot a
      // wrong answer and fix the knowledge base.
      const sources = messages.flatMap((m) => (m.author === 'agent' ? m.sources : []));
      const named = app.kinds.get(agent.kind)?.sources;
      const titles =
        named && sources.length
          ? await named.titles(app.db, agent.id, sources, { sections: true })
          : new Map();
      const card = (await inboxCards(app.db, [escalation.id])).get(escalation.id);
      return {
        escalation: { ...presentEscalation(escalation, agentName), ...presentCard(card) },
        // The dashboard asks the agent's kind what else it offers (a support agent: save to the knowledge base).
        agent: { id: agent.id, name: agent.name, displayName: agent.displayName, kind: agent.kind },
        messages: messages.map((m) => ({
          ...presentMessage(m),
          sourceTitles: [...new Set(m.sources.flatMap((s) => titles.get(s) ?? []))],
        })),
        run: run ? presentRun(run, agentName) : null,
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/escalations/:id/claim',
      summary: 'Claim an open escalation',
      tags: ['escalations'],
      permission: 'escalations.handle',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      const escalation = await escalationClaimer(app, principal.actor, params.id);
      return { escalation: presentEscalation(escalation, await agentNameOf(app.db, escalation.agentId)) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/escalations/:id/reply',
      summary: 'Answer the customer (claims an open escalation; refused when someone else holds it)',
      tags: ['escalations'],
      permission: 'escalations.handle',
      params: UuidParam,
      body: ReplyBody,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const { escalation, message } = await escalationReplier(app, principal.actor, params.id, body.text);
      return {
        escalation: presentEscalation(escalation, await agentNameOf(app.db, escalation.agentId)),
        message: presentMessage(message),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/escalations/:id/resolve',
      summary: 'Resolve an escalation with a note on what was done',
      tags: ['escalations'],
      permission: 'escalations.handle',
      params: UuidParam,
      body: ResolveBody,
    },
    async ({ params, body, principal }) => {
      const escalation = await escalationResolver(app, principal.actor, params.id, body.resolution);
      return { escalation: presentEscalation(escalation, await agentNameOf(app.db, escalation.agentId)) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/escalations/:id/assign',
      summary: 'Assign an unresolved hand-off to a teammate (userId), or to nobody (null)',
      tags: ['escalations'],
      permission: 'escalations.handle',
      params: UuidParam,
      body: AssignBody,
    },
    async ({ params, body, principal }) => escalationAssigner(app, principal.actor, params.id, body.userId),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/escalations/csv',
      summary: 'Escalations (same filters as the inbox list) as CSV, streamed, newest first',
      tags: ['escalations'],
      permission: 'conversations.export',
      query: EscalationsFilter.strict(),
    },
    async ({ query, reply, principal }) => {
      const agentId = query.agent ? (await findAgent(app.db, query.agent)).id : undefined;
      const names = new Map((await listAgents(app.db)).map((a) => [a.id, a.name]));
      const all = await listEscalations(app.db, {
        agentId,
        state: query.state,
        kind: query.kind,
        limit: 100_000,
        assignedTo: assigneeOf(query.assignee, principal.user?.id ?? null),
      });
      const PAGE = 500;
      const stream = csvStream(
        [
          'id',
          'agent',
          'kind',
          'state',
          'reason',
          'channel',
          'customer',
          'question',
          'assigned_to',
          'claimed_by',
          'created_at',
          'claimed_at',
          'resolved_at',
          'resolution',
          'conversation_id',
        ],
        async function* () {
          for (let i = 0; i < all.length; i += PAGE) {
            const page = all.slice(i, i + PAGE);
            const cards = await inboxCards(
              app.db,
              page.map((e) => e.id),
            );
            yield page.map((e) => {
              const c = cards.get(e.id);
              return [
                e.id,
                names.get(e.agentId) ?? e.agentId,
                e.kind,
                e.state,
                e.reason,
                c?.channel,
                c?.customer,
                c?.question,
                c?.assignedTo?.name,
                e.claimedBy,
                e.createdAt,
                e.claimedAt,
                e.resolvedAt,
                e.resolution,
                e.conversationId,
              ];
            });
          }
        },
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="twelve-escalations.csv"')
        .send(stream);
    },
  );
}
