// Agents: list, create, configure, pause/resume (the per-agent kill switch), the global kill switch, and each
// agent's readiness (assessment history, evidence, effective mode and why).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { conversationOutcomes } from '../../metrics/outcomes.ts';
import { openTrap } from '../../metrics/trap.ts';
import {
  AssessmentInputSchema,
  assessmentHistory,
  assessmentRecorder,
  readinessOf,
} from '../../readiness/assessments.ts';
import {
  AgentCreateSchema,
  AgentUpdateSchema,
  agentCreator,
  agentStatusSetter,
  agentUpdater,
  findAgent,
  globalKillEngaged,
  globalKillSetter,
  listAgents,
} from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { AgentParam, route } from '../http.ts';

const ReasonBody = z.object({ reason: z.string().max(1000).default('') }).strict();

async function kindSummary(app: App, q: Queryable, agent: AgentConfig) {
  const summary = app.kinds.get(agent.kind)?.summary;
  return summary ? { [agent.kind]: await summary(q, agent) } : {};
}

const CARD_WINDOW_MS = 30 * 86_400_000;

async function cardMeasurement(app: App, q: Queryable, agent: AgentConfig) {
  const now = app.clock.now();
  const since = new Date(now.getTime() - CARD_WINDOW_MS);
  const [outcomes, trap] = await Promise.all([
    conversationOutcomes(q, agent.id, { from: since, to: now }, now),
    openTrap(q, agent.id),
  ]);
  return { since: since.toISOString(), outcomes, trap };
}

export async function presentAgent(app: App, q: Queryable, agent: AgentConfig) {
  const readiness = await readinessOf(q, agent, app.toolsFor(agent));
  const [counts] = await q.query<{ approvals: number; escalations: number; runs: number }>(
    `SELECT (SELECT count(*)::int FROM approvals WHERE agent_id = $1 AND status = 'pending') AS approvals,
            (SELECT count(*)::int FROM escalations WHERE agent_id = $1 AND state <> 'resolved') AS escalations,
            (SELECT count(*)::int FROM runs WHERE agent_id = $1) AS runs`,
    [agent.id],
  );
  return {
    ...agent,
    tools: app
      .toolsFor(agent)
      .list()
      .map((t) => ({ name: t.name, description: t.description, risk: t.risk })),
    readiness: {
      declared: readiness.assessment
        ? {
            ...readiness.assessment.scores,
            total: readiness.assessment.total,
            band: readiness.assessment.band,
            version: readiness.assessment.version,
          }
        : null,
      evidence: readiness.evidence
        ? {
            scores: readiness.evidence.evidenceScores,
            band: readiness.evidence.evidenceBand,
            checks: readiness.evidence.checks,
          }
        : null,
      effectiveMode: readiness.effectiveMode,
      reasons: readiness.reasons,
    },
    pendingApprovals: counts?.approvals ?? 0,
    openEscalations: counts?.escalations ?? 0,
    runs: counts?.runs ?? 0,
    // Every kind: the last 30 days' outcomes (one per conversation, adding up) and an open maintenance trap.
    measurement: await cardMeasurement(app, q, agent),
    // The kind's own block (a support agent's last 30 days), under the kind's name.
    ...(await kindSummary(app, q, agent)),
  };
}

export function registerAgentRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents',
      summary: 'List agents with readiness, status and counts',
      tags: ['agents'],
      permission: 'agents.read',
    },
    async () => {
      const agents = await listAgents(app.db);
      return {
        agents: await Promise.all(agents.map((a) => presentAgent(app, app.db, a))),
        killSwitch: await globalKillEngaged(app.db),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents',
      summary: 'Create an agent',
      tags: ['agents'],
      permission: 'agents.write',
      body: AgentCreateSchema,
      status: 201,
    },
    async ({ body, principal }) => presentAgent(app, app.db, await agentCreator(app, principal.actor, body)),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent',
      summary: 'One agent',
      tags: ['agents'],
      permission: 'agents.read',
      params: AgentParam,
    },
    async ({ params }) => presentAgent(app, app.db, await findAgent(app.db, params.agent)),
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/agents/:agent',
      summary: 'Configure an agent',
      tags: ['agents'],
      permission: 'agents.write',
      params: AgentParam,
      body: AgentUpdateSchema,
    },
    async ({ params, body, principal }) => {
      const agent = await findAgent(app.db, params.agent);
      return presentAgent(app, app.db, await agentUpdater(app, principal.actor, agent.id, body));
    },
  );

  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    route(
      server,
      app,
      {
        method: 'POST',
        url: `/api/agents/:agent/${action}`,
        summary: `${action === 'pause' ? 'Pause' : 'Resume'} an agent (kill switch)`,
        tags: ['agents'],
        permission: 'agents.kill',
        params: AgentParam,
        body: ReasonBody,
      },
      async ({ params, body, principal }) => {
        const agent = await findAgent(app.db, params.agent);
        return presentAgent(
          app,
          app.db,
          await agentStatusSetter(app, principal.actor, agent.id, status, body.reason),
        );
      },
    );
  }

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/kill-switch',
      summary: 'Engage or release the global kill switch',
      tags: ['agents'],
      permission: 'agents.kill',
      body: z.object({ engaged: z.boolean(), reason: z.string().max(1000).default('') }).strict(),
    },
    async ({ body, principal }) => {
      await globalKillSetter(app, principal.actor, body.engaged, body.reason);
      return { killSwitch: body.engaged };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/readiness',
      summary: 'Readiness: history, evidence checks, effective mode and why',
      tags: ['readiness'],
      permission: 'readiness.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await findAgent(app.db, params.agent);
      const [view, history] = await Promise.all([
        readinessOf(app.db, agent, app.toolsFor(agent)),
        assessmentHistory(app.db, agent.id),
      ]);
      return {
        effectiveMode: view.effectiveMode,
        reasons: view.reasons,
        evidence: view.evidence,
        facts: view.facts,
        history: history.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/readiness',
      summary: 'Record a readiness assessment (a new version)',
      tags: ['readiness'],
      permission: 'readiness.assess',
      params: AgentParam,
      body: AssessmentInputSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await findAgent(app.db, params.agent);
      const assessment = await assessmentRecorder(app, principal.actor, agent.id, body);
      return { assessment, agent: await presentAgent(app, app.db, agent) };
    },
  );
}
