// A run's drive (ARCHITECTURE "A run, step by step"): the driver takes the lease (or starts from the row of the run
// it just wrote), then steps until a step stops: each step renews the lease in one statement that also reads the
// kill switches, the kind's brain inputs and any open tool call; resumes an approved call or fails closed on an
// interrupted one; checkpoints at the budget; applies the brain-independent guardrails on the first message; asks
// the brain and hands the validated action to its part (tool-step.ts, reply.ts) or ends the run.

import { AUDIT_COLUMNS, auditPlaceholders } from '../../audit/log.ts';
import { presentAgentRow } from '../agents.ts';
import { requestedToolBrain, TOOL_REQUEST } from '../brains/requested-tool.ts';
import { alwaysHumanTopicsIn, asksForPerson } from '../guards.ts';
import { type DriveState, type StepOutcome, safeJson, safeJsonText } from '../run-state.ts';
import { presentRunRow, type Run } from '../runs.ts';
import { type Action, ActionSchema, type StepRecord } from '../types.ts';
import { checkpoint } from './checkpoint.ts';
import type { RunContext } from './context.ts';
import { applyLeaseRow, brainInputsFrom, brainInputsOf, leaseReturning } from './lease.ts';
import { replyStep } from './reply.ts';
import { executeApproved, toolStep } from './tool-step.ts';
import { endEscalated, failClosed, fastWrite, recordStep } from './write.ts';

/** Drives a run; `born` is the state of a run this node just created. Returns the run as the driver left it. */
export async function driveRun(ctx: RunContext, runId: string, born: DriveState | null): Promise<Run | null> {
  if (ctx.driving.has(runId)) return null;
  ctx.driving.add(runId);
  try {
    let state = born;
    if (!state) {
      const now = ctx.svc.clock.now();
      const [row] = await ctx.svc.db.query(
        `UPDATE runs SET lease_owner = $2, lease_until = $3
         WHERE id = $1 AND status = 'running' AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < $4)
         RETURNING *`,
        [runId, ctx.svc.nodeId, new Date(now.getTime() + ctx.leaseMs), now],
      );
      if (!row) return null;
      const run = presentRunRow(row);
      const [agentRow] = await ctx.svc.db.query('SELECT * FROM agents WHERE id = $1', [run.agentId]);
      state = {
        run,
        agent: presentAgentRow(agentRow!),
        history: await loadHistory(ctx, runId),
        head: null,
      };
    }
    try {
      while ((await step(ctx, state)) === 'continue') {}
    } catch (err) {
      await failClosed(ctx, state, `runtime error: ${err instanceof Error ? err.message : String(err)}`);
    }
    // The last step's statement may already have released the lease (a final reply does).
    if (state.released !== undefined) return state.released ? presentRunRow(state.released) : null;
    const [released] = await ctx.svc.db.query(
      'UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 RETURNING *',
      [runId, ctx.svc.nodeId],
    );
    return released ? presentRunRow(released) : null;
  } finally {
    ctx.driving.delete(runId);
  }
}

async function loadHistory(ctx: RunContext, runId: string): Promise<StepRecord[]> {
  return ctx.svc.db.query<StepRecord>(
    'SELECT idx, action, decision, result FROM steps WHERE run_id = $1 ORDER BY idx',
    [runId],
  );
}

async function step(ctx: RunContext, state: DriveState): Promise<StepOutcome> {
  const { svc } = ctx;
  const now = svc.clock.now();
  // One round trip: renew the lease, re-read the run, both kill switches, the kind's brain inputs and any open tool
  // call. A tool step's outcome statement already did this (state.prefetched), so the hot path skips it.
  const prefetched = state.prefetched;
  state.prefetched = undefined;
  const [fresh] =
    prefetched !== undefined
      ? [prefetched]
      : await svc.db.query<Record<string, unknown>>(
          `UPDATE runs r SET lease_until = $3, updated_at = $4 FROM agents a
           WHERE r.id = $1 AND a.id = r.agent_id AND r.lease_owner = $2 AND r.status = 'running'
           ${leaseReturning(brainInputsOf(ctx, state.agent.kind), 'NULL')}`,
          [state.run.id, svc.nodeId, new Date(now.getTime() + ctx.leaseMs), now],
        );
  if (!fresh) return 'stop';
  state.run = applyLeaseRow(state.run, fresh, now);
  // The run start's input only reaches the first step of a run this node just wrote (see BrainContext.inputs).
  const inputs = brainInputsFrom(fresh, state.run.stepsUsed === 0);
  if (fresh.kill === 'true')
    return endEscalated(ctx, state, 'the global kill switch is engaged', 'kill_switch');
  if (fresh.agent_status === 'paused') return endEscalated(ctx, state, 'the agent is paused', 'agent_paused');

  // A tool call left over from a suspension or a crash.
  const open = fresh.open_call as Record<string, unknown> | null;
  if (open) {
    if (open.status === 'ready') return executeApproved(ctx, state, open);
    if (open.status === 'executing') {
      // The call's step is written; the run's count of steps moves with the call's outcome, which never came.
      await svc.db.query(
        `WITH tc AS (UPDATE tool_calls SET status = 'ambiguous' WHERE id = $1 AND status = 'executing')
         UPDATE runs SET steps_used = GREATEST(steps_used, $3) WHERE id = $2`,
        [open.id, state.run.id, Number(open.step_idx)],
      );
      state.run.stepsUsed = Math.max(state.run.stepsUsed, Number(open.step_idx));
      return failClosed(
        ctx,
        state,
        `tool call ${String(open.tool)} was interrupted; whether it took effect is unknown`,
      );
    }
    return failClosed(ctx, state, 'the run is running while an approval is still pending');
  }
  if (state.history.length !== state.run.stepsUsed) {
    return failClosed(
      ctx,
      state,
      `the run records ${state.run.stepsUsed} steps but ${state.history.length} exist`,
    );
  }

  if (state.run.stepsUsed >= state.run.budget) return checkpoint(ctx, state);

  // Guardrails that never depend on the brain: run before it sees the first message.
  if (state.run.stepsUsed === 0 && typeof state.run.trigger.text === 'string') {
    const text = state.run.trigger.text;
    if (asksForPerson(text))
      return endEscalated(ctx, state, 'the customer asked for a person', 'asked_for_person');
    const topics = alwaysHumanTopicsIn(text, state.agent.alwaysHumanTopics);
    if (topics.length)
      return endEscalated(ctx, state, `always-human topic: ${topics.join(', ')}`, 'always_human_topic');
  }

  // A tool request's run has its own brain (the named tool, then done): the agent's brain never sees it.
  const brain = state.run.trigger.type === TOOL_REQUEST ? requestedToolBrain : ctx.opts.brainFor(state.agent);
  let raw: unknown;
  try {
    raw = await brain.decide({
      agent: state.agent,
      run: { id: state.run.id, trigger: state.run.trigger, mode: state.run.mode },
      history: state.history.map((h) => ({ ...h })),
      stepsLeft: state.run.budget - state.run.stepsUsed,
      inputs,
    });
  } catch (err) {
    return endEscalated(
      ctx,
      state,
      `the brain failed: ${err instanceof Error ? err.message : String(err)}`,
      'brain_error',
    );
  }
  const idx = state.run.stepsUsed + 1;
  const parsed = ActionSchema.safeParse(raw);
  if (!parsed.success) {
    await recordStep(ctx, state, idx, { type: 'invalid', raw: safeJson(raw) }, 'structural_error', {
      error: { id: 'invalid_action', issues: parsed.error.issues.map((i) => i.message) },
    });
    return endEscalated(ctx, state, 'the brain produced an action that is not valid', 'structural_error');
  }
  const action = parsed.data;
  switch (action.type) {
    case 'tool':
      return toolStep(ctx, state, idx, action);
    case 'reply':
      return replyStep(ctx, state, idx, action);
    case 'escalate': {
      await recordStep(ctx, state, idx, action, 'escalate', null);
      return endEscalated(
        ctx,
        state,
        action.reason,
        'brain_escalated',
        action.summary,
        action.suggestedReply,
      );
    }
    case 'done':
      return doneStep(ctx, state, idx, action);
  }
}

/**
 * `done` as one statement, like a sent final reply: the step, the run's step count, its end and the release of its
 * lease, and the `run.done` audit event commit together (one commit where a transaction and a release took two).
 */
async function doneStep(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: Extract<Action, { type: 'done' }>,
): Promise<StepOutcome> {
  const now = ctx.svc.clock.now();
  const [row] = await fastWrite<Record<string, unknown>>(
    ctx,
    state,
    { action: 'run.done', payload: { outcome: action.outcome } },
    [state.run.id, idx, safeJsonText(action), now, action.outcome, ctx.svc.nodeId],
    (a) =>
      `WITH prev AS (SELECT lease_owner FROM runs WHERE id = $1),
              st AS (INSERT INTO steps (run_id, idx, action, decision, result, created_at) VALUES ($1, $2, $3, 'done', NULL, $4)),
              au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(a)})),
              ru AS (UPDATE runs SET steps_used = $2, status = 'done', outcome = $5,
                  lease_owner = CASE WHEN lease_owner = $6 THEN NULL ELSE lease_owner END,
                  lease_until = CASE WHEN lease_owner = $6 THEN NULL ELSE lease_until END
                WHERE id = $1 RETURNING *)
            SELECT ru.*, (SELECT lease_owner FROM prev) = $6 AS released
            FROM ru`,
  );
  state.history.push({ idx, action, decision: 'done', result: null });
  state.run.stepsUsed = idx;
  state.released = row?.released === true ? row : null;
  return 'stop';
}
