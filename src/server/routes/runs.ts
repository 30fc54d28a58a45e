// Runs: start one by hand (a test message from the dashboard), list them, open the run viewer (steps, tool calls,
// approvals, escalations, messages and the run's own audit chain), and resolve a budget checkpoint.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { presentAuditRow } from '../../audit/log.ts';
import { AppError } from '../../errors.ts';
import { findAgent, listAgents } from '../../runtime/agents.ts';
import { presentApprovalRow } from '../../runtime/approvals.ts';
import { presentEscalationRow, presentMessageRow } from '../../runtime/escalations.ts';
import { getRun, listRuns, listSteps, type RunStatus } from '../../runtime/runs.ts';
import type { Queryable } from '../../store/db.ts';
import { AgentParam, Paging, route, UuidParam } from '../http.ts';
import {
  presentApproval,
  presentAuditEvent,
  presentEscalation,
  presentMessage,
  presentRun,
  presentStep,
  presentToolCallRow,
} from '../presenters.ts';

const RUN_STATUSES = [
  'running',
  'suspended',
  'checkpoint',
  'escalated',
  'done',
  'closed',
  'failed',
] as const satisfies readonly RunStatus[];

const StartBody = z
  .object({
    text: z.string().min(1).max(10_000).optional(),
    conversationId: z.string().min(1).max(200).optional(),
    customerId: z.string().min(1).max(200).optional(),
    channel: z.string().min(1).max(50).optional(),
  })
  .strict();
const RunsQuery = Paging.extend({
  agent: z.string().min(1).max(100).optional(),
  status: z.enum(RUN_STATUSES).optional(),
}).strict();
const CheckpointBody = z
  .object({ choice: z.enum(['continue', 'close']), note: z.string().max(2000).default('') })
  .strict();

/** Everything the run viewer shows, in one read. */
export async function loadRunView(q: Queryable, runId: string) {
  const run = await getRun(q, runId);
  if (!run) throw new AppError('not_found', 'no such run');
  const [[agent], steps, toolCalls, approvals, escalations, messages, audit] = await Promise.all([
    q.query<{ id: string; name: string; display_name: string }>(
      'SELECT id, name, display_name FROM agents WHERE id = $1',
      [run.agentId],
    ),
    listSteps(q, runId),
    q.query('SELECT * FROM tool_calls WHERE run_id = $1 ORDER BY step_idx', [runId]),
    q.query(
      `SELECT a.*, tc.tool, tc.args, tc.risk FROM approvals a JOIN tool_calls tc ON tc.id = a.tool_call_id
       WHERE a.run_id = $1 ORDER BY a.created_at`,
      [runId],
    ),
    q.query('SELECT * FROM escalations WHERE run_id = $1 ORDER BY created_at', [runId]),
    q.query('SELECT * FROM messages WHERE run_id = $1 ORDER BY created_at, id', [runId]),
    q.query('SELECT * FROM audit_events WHERE stream = $1 ORDER BY seq', [`run:${runId}`]),
  ]);
  return {
    run: presentRun(run, agent?.name),
    agent: agent ? { id: agent.id, name: agent.name, displayName: agent.display_name } : null,
    steps: steps.map(presentStep),
    toolCalls: toolCalls.map(presentToolCallRow),
    approvals: approvals.map((r) => presentApproval(presentApprovalRow(r))),
    escalations: escalations.map((r) => presentEscalation(presentEscalationRow(r))),
    messages: messages.map((r) => presentMessage(presentMessageRow(r))),
    audit: audit.map((r) => presentAuditEvent(presentAuditRow(r))),
  };
}

export function registerRunRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/runs',
      summary: 'Start a run (a test message or a manual trigger) and drive it until it stops',
      tags: ['runs'],
      permission: 'runs.start',
      params: AgentParam,
      body: StartBody,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const { text, ...rest } = body;
      const trigger = text === undefined ? { type: 'manual', ...rest } : { type: 'message', text, ...rest };
      const run = await app.runtime.startRun(params.agent, trigger, principal.actor);
      return loadRunView(app.db, run.id);
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/runs',
      summary: 'List runs, newest first',
      tags: ['runs'],
      permission: 'runs.read',
      query: RunsQuery,
    },
    async ({ query }) => {
      const agentId = query.agent ? (await findAgent(app.db, query.agent)).id : undefined;
      const [runs, agents] = await Promise.all([
        listRuns(app.db, { agentId, status: query.status, limit: query.limit }),
        listAgents(app.db),
      ]);
      const names = new Map(agents.map((a) => [a.id, a.name]));
      return { runs: runs.map((r) => presentRun(r, names.get(r.agentId))) };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/runs/:id',
      summary: 'The run viewer: steps, tool calls, approvals, escalations, messages and audit events',
      tags: ['runs'],
      permission: 'runs.read',
      params: UuidParam,
    },
    async ({ params }) => loadRunView(app.db, params.id),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/runs/:id/checkpoint',
      summary: 'Resolve a budget checkpoint: continue with a fresh step budget, or close the run',
      tags: ['runs'],
      permission: 'runs.checkpoint',
      params: UuidParam,
      body: CheckpointBody,
    },
    async ({ params, body, principal }) => {
      if (!(await getRun(app.db, params.id))) throw new AppError('not_found', 'no such run');
      await app.runtime.resolveCheckpoint(params.id, body.choice, principal.actor, body.note);
      return loadRunView(app.db, params.id);
    },
  );
}
