// A run's start (ARCHITECTURE "A run, step by step"): the agent and its mode (cached per node, checked against the
// policy epoch), then one statement that writes the run leased to this node, the customer's message, the
// conversation's activity time and the run's first audit event, checks (for a conversation) that no human has it and
// that the message's clientId is new, and returns what the first step's lease statement would, the kind's brain
// inputs included (its `start` input only here). The drive then starts from that row.
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH } from '../../audit/canonical.ts';
import { AUDIT_COLUMNS, auditPlaceholders, auditRow } from '../../audit/log.ts';
import type { Actor } from '../../context.ts';
import { TOOL_REQUEST } from '../brains/requested-tool.ts';
import type { Mode } from '../mode.ts';
import { inPilotCohort } from '../policy.ts';
import { safeJson, safeJsonText } from '../run-state.ts';
import { getRun, presentRunRow, type Run } from '../runs.ts';
import type { AgentConfig, RunTrigger } from '../types.ts';
import type { AgentCache } from './agent-cache.ts';
import type { RunContext } from './context.ts';
import { brainInputColumns, brainInputsOf } from './lease.ts';
import type { StartOptions } from './options.ts';
import { driveRun } from './step.ts';

/** startRunUnlessHeld's condition: the conversation is free and no customer message of it has this clientId. */
export interface Guard {
  clientId: string | null;
}

/** Starts a run for an event and drives it; null: the guard held (nothing written). */
export async function startRun(
  ctx: RunContext,
  agents: AgentCache,
  agentRef: string,
  trigger: RunTrigger,
  actor: Actor,
  options: StartOptions,
  guard: Guard | null,
): Promise<Run | null> {
  for (let attempt = 1; ; attempt++) {
    const { agent, mode, epoch } = (attempt === 1 && agents.get(agentRef)) || (await agents.load(agentRef));
    const born = await bear(ctx, agent, mode, epoch, trigger, actor, options, guard);
    if (born !== 'stale') return born;
    // The agent's configuration or readiness changed since it was cached (the policy epoch moved): nothing was
    // written; read it again and start from the current one.
    agents.delete(agentRef);
    if (attempt >= 3) throw new Error('the agent keeps changing; the run could not start');
  }
}

/**
 * Writes a new run, its customer message and its first audit event in one statement, and drives it. With an
 * epoch, nothing is written unless the policy epoch still has that value (the agent and mode are current):
 * 'stale'. With a guard, nothing is written while the conversation is held or the clientId already stored: null.
 */
async function bear(
  ctx: RunContext,
  agent: AgentConfig,
  mode: Mode,
  epoch: number | null,
  trigger: RunTrigger,
  actor: Actor,
  options: StartOptions,
  guard: Guard | null,
): Promise<Run | null | 'stale'> {
  const { svc } = ctx;
  const now = svc.clock.now();
  // The id is chosen here so that the cohort and the first audit event (its stream is new: the head is the
  // genesis) are known before the one statement that writes the run, its message and that event together.
  const id = randomUUID();
  const cohort = inPilotCohort(
    trigger.conversationId ?? id,
    agent.pilotPercent,
    agent.pilotAllowList,
    trigger.customerId,
  );
  const stream = `run:${id}`;
  const { values: audit, next: head } = auditRow(
    {
      stream,
      actor,
      action: 'run.started',
      subject: stream,
      payload: { agent: agent.name, mode, inCohort: cohort, trigger: { type: trigger.type } },
    },
    { seq: 0, hash: GENESIS_HASH },
    now,
  );
  const params: unknown[] = [
    id,
    agent.id,
    safeJsonText(trigger),
    trigger.conversationId ?? null,
    agent.stepBudget,
    mode,
    cohort,
    now,
    svc.nodeId,
    new Date(now.getTime() + ctx.leaseMs),
    epoch,
  ];
  const $ = (value: unknown) => `$${params.push(value)}`;
  const messageMeta = safeJson(options.messageMeta ?? {}) as Record<string, unknown>;
  const message =
    typeof trigger.text === 'string'
      ? `msg AS (INSERT INTO messages (run_id, agent_id, conversation_id, direction, author, status, body, created_at, meta)
           SELECT $1, $2, $4, 'in', 'customer', 'received', ${$(trigger.text)}, $8, ${$(JSON.stringify(messageMeta))} FROM ru
           RETURNING id),`
      : '';
  const free = guard
    ? `NOT EXISTS (SELECT 1 FROM escalations WHERE conversation_id = $4 AND state <> 'resolved')
       AND NOT EXISTS (SELECT 1 FROM messages WHERE ${$(guard.clientId)}::text IS NOT NULL AND conversation_id = $4
         AND direction = 'in' AND meta->>'clientId' = $${params.length})`
    : 'true';
  const touch =
    options.touchConversation === true && trigger.conversationId !== undefined
      ? 'cv AS (UPDATE conversations SET updated_at = $8 WHERE id = $4 AND EXISTS (SELECT 1 FROM ru)),'
      : '';
  // A tool request (Runtime.runRequestedTool) is one run per request id and agent (runs_tool_request, migration 020):
  // a second start of the same request writes nothing, and the caller finds the first run.
  const once =
    trigger.type === TOOL_REQUEST
      ? `ON CONFLICT (agent_id, (trigger->>'requestId')) WHERE trigger->>'type' = 'tool_request' DO NOTHING`
      : '';
  const a = params.length + 1;
  // Born leased to this node (a recovery sweep elsewhere must not pick up a run its creator is about to drive),
  // and returning what the first step's lease statement would read: the agent's status, the global kill switch,
  // the kind's brain inputs and (none yet) open tool calls. The first step starts from this row instead of renewing
  // the fresh lease. The brain inputs see `r` (the run: all NULL when nothing was written) and `a` (its agent).
  const [born] = await svc.db.query<Record<string, unknown>>(
    `WITH ok AS (
       SELECT ($11::bigint IS NULL OR $11 = (SELECT epoch FROM policy_epoch)) AS epoch_current, ${free} AS free),
     ru AS (
       INSERT INTO runs (id, agent_id, status, trigger, conversation_id, budget, mode, in_cohort, created_at, updated_at, lease_owner, lease_until)
       SELECT $1, $2, 'running', $3, $4, $5, $6, $7, $8, $8, $9, $10 FROM ok WHERE ok.epoch_current AND ok.free
       ${once}
       RETURNING *),
     ${message}
     ${touch}
     au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) SELECT ${auditPlaceholders(a)} FROM ru)
     SELECT ok.epoch_current, r.*, a.status AS agent_status,
       (SELECT value->>'engaged' FROM settings WHERE key = 'kill_switch') AS kill,
       NULL::json AS open_call${brainInputColumns(brainInputsOf(ctx, agent.kind), true)}
       ${message ? ', (SELECT id FROM msg) AS message_id' : ''}
     FROM ok LEFT JOIN ru r ON true LEFT JOIN agents a ON a.id = r.agent_id`,
    [...params, ...audit],
  );
  if (!born?.epoch_current) return 'stale';
  if (born.id === null) return null;
  if (born.message_id) {
    options.written?.push({
      id: String(born.message_id),
      direction: 'in',
      author: 'customer',
      status: 'received',
      body: String(trigger.text),
      sources: [],
      meta: messageMeta,
      createdAt: now,
    });
  }
  const run = presentRunRow(born);
  const final = await driveRun(ctx, run.id, {
    run,
    agent,
    history: [],
    head,
    prefetched: born,
    written: options.written,
  });
  return final ?? (await getRun(svc.db, run.id))!;
}
