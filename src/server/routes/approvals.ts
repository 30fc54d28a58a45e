// Approvals: the queue of tool calls waiting for a human (with the tool, its arguments and risk class), and the
// decision itself. A decision is a conditional update in the runtime, so a second click gets already_decided.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { AppError } from '../../errors.ts';
import { findAgent } from '../../runtime/agents.ts';
import { type ApprovalView, presentApprovalRow } from '../../runtime/approvals.ts';
import { getRun } from '../../runtime/runs.ts';
import type { Queryable } from '../../store/db.ts';
import { Paging, route, UuidParam } from '../http.ts';
import { presentApproval, presentRun } from '../presenters.ts';

const APPROVAL_STATUSES = [
  'pending',
  'approved',
  'denied',
  'expired',
] as const satisfies readonly ApprovalView['status'][];

const ApprovalsQuery = Paging.extend({
  status: z.enum(APPROVAL_STATUSES).optional(),
  agent: z.string().min(1).max(100).optional(),
}).strict();
const ApproveBody = z.object({ reason: z.string().max(2000).default('') }).strict();
// A denial tells the brain (and the audit trail) why; an empty reason teaches nothing.
const DenyBody = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();

const SELECT_APPROVALS = `SELECT a.*, tc.tool, tc.args, tc.risk, ag.name AS agent_name
  FROM approvals a JOIN tool_calls tc ON tc.id = a.tool_call_id JOIN agents ag ON ag.id = a.agent_id`;

async function listApprovals(
  q: Queryable,
  filter: { status?: ApprovalView['status']; agentId?: string; limit: number },
) {
  const rows = await q.query(
    `${SELECT_APPROVALS}
     WHERE ($1::text IS NULL OR a.status = $1) AND ($2::uuid IS NULL OR a.agent_id = $2)
     ORDER BY a.created_at DESC LIMIT $3`,
    [filter.status ?? null, filter.agentId ?? null, filter.limit],
  );
  return rows.map((r) => presentApproval(presentApprovalRow(r), String(r.agent_name)));
}

async function loadApproval(q: Queryable, id: string) {
  const [row] = await q.query(`${SELECT_APPROVALS} WHERE a.id = $1`, [id]);
  if (!row) throw new AppError('not_found', 'no such approval');
  return presentApproval(presentApprovalRow(row), String(row.agent_name));
}

export function registerApprovalRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/approvals',
      summary: 'List approvals with their tool call, newest first',
      tags: ['approvals'],
      permission: 'approvals.read',
      query: ApprovalsQuery,
    },
    async ({ query }) => {
      const agentId = query.agent ? (await findAgent(app.db, query.agent)).id : undefined;
      return { approvals: await listApprovals(app.db, { ...query, agentId }) };
    },
  );

  for (const [action, body] of [
    ['approve', ApproveBody],
    ['deny', DenyBody],
  ] as const) {
    route(
      server,
      app,
      {
        method: 'POST',
        url: `/api/approvals/:id/${action}`,
        summary:
          action === 'approve'
            ? 'Approve a pending tool call; the run resumes'
            : 'Deny a pending tool call (reason required); the run resumes and the brain reads the denial',
        tags: ['approvals'],
        permission: 'approvals.decide',
        params: UuidParam,
        body,
      },
      async ({ params, body, principal }) => {
        const decided = await app.runtime.decideApproval(params.id, action, principal.actor, body.reason);
        const run = await getRun(app.db, decided.runId);
        return { approval: await loadApproval(app.db, decided.id), run: run ? presentRun(run) : null };
      },
    );
  }
}
