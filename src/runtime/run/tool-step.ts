// A `tool` step (DESIGN §2, ARCHITECTURE "A run, step by step" 2 and 6): unknown tool → structural error; bad
// arguments → a typed error result the brain reads; otherwise decideTool → execute | approval | record | deny. The
// write-ahead intent commits before any effect: one statement (writeIntent) when no approval and no spend check is
// involved, else a transaction (the agent row locked for spend). The handler runs after it with the idempotency key
// `<run>:<step>`; its result, the outcome audit event and the next step's lease renewal are one more statement.
import { AUDIT_COLUMNS, auditPlaceholders } from '../../audit/log.ts';
import { emitEvent } from '../../events/emit.ts';
import { presentAgentRow } from '../agents.ts';
import { approvalReason } from '../approvals.ts';
import { decideTool, type ToolDecision } from '../policy.ts';
import { type DriveState, type StepOutcome, safeJson, safeJsonText } from '../run-state.ts';
import type { AnyTool } from '../tools.ts';
import type { Action } from '../types.ts';
import type { RunContext } from './context.ts';
import { brainInputsOf, leaseReturning } from './lease.ts';
import { recordSpend, reserveSpend } from './spend.ts';
import { audit, endEscalated, failClosed, fastWrite, recordStep } from './write.ts';

export async function toolStep(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: Extract<Action, { type: 'tool' }>,
): Promise<StepOutcome> {
  const tool = ctx.opts.toolsFor(state.agent).get(action.name);
  if (!tool) {
    // A structural fault, not a tool result: the brain asked for something that does not exist.
    await ctx.svc.db.transaction(async (tx) => {
      await audit(ctx, tx, state, 'tool.unknown', { tool: action.name });
      await recordStep(
        ctx,
        state,
        idx,
        action,
        'unknown_tool',
        { error: { id: 'unknown_tool', tool: action.name } },
        tx,
      );
    });
    return endEscalated(
      ctx,
      state,
      `the brain asked for an unknown tool "${action.name}"`,
      'structural_error',
    );
  }
  const args = tool.input.safeParse(action.args);
  if (!args.success) {
    // A typed error the brain can read and correct; nothing ran.
    const result = {
      error: {
        id: 'invalid_arguments',
        tool: tool.name,
        issues: args.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    };
    await ctx.svc.db.transaction(async (tx) => {
      await audit(ctx, tx, state, 'tool.invalid_arguments', {
        tool: tool.name,
        issues: result.error.issues,
      });
      await recordStep(ctx, state, idx, action, 'invalid_arguments', result, tx);
    });
    return 'continue';
  }
  const costCents = tool.risk === 'spend' ? Math.max(0, Math.ceil(tool.costCents?.(args.data) ?? 0)) : 0;
  const key = `${state.run.id}:${idx}`;
  const humanOnly = ctx.opts.humanOnlyTools?.has(tool.name) ?? false;
  const alwaysApprove = state.agent.toolOverrides[tool.name]?.approval === 'always';
  if (tool.risk !== 'spend') {
    const decision = decideTool({ mode: state.run.mode, risk: tool.risk, alwaysApprove, humanOnly });
    if (decision !== 'approval') {
      const toolCallId = await writeIntent(ctx, state, idx, action, tool, args.data, decision, key);
      if (decision === 'execute') await invokeTool(ctx, state, idx, tool, args.data, toolCallId, key);
      return 'continue';
    }
  }
  // A tool with a hold (tools.ts) takes its provisional effect now, lapsing when the approval would expire; it fails
  // → that is the call's result and nobody is asked. A crash between the hold and the approval leaves a hold that
  // nobody can confirm, which lapses at `until`.
  const expiresAt = new Date(ctx.svc.clock.now().getTime() + ctx.approvalTtlMs);
  let held: unknown = null;
  if (tool.hold && tool.risk !== 'spend') {
    try {
      held = safeJson(
        (await tool.hold(args.data, {
          runId: state.run.id,
          agentId: state.agent.id,
          idempotencyKey: key,
          until: expiresAt,
        })) ?? { held: true },
      );
    } catch (err) {
      await holdFailed(ctx, state, idx, action, tool, args.data, key, err);
      return 'continue';
    }
  }
  const decision = await ctx.svc.db.transaction(async (tx) => {
    let withinSpendCap = false;
    if (tool.risk === 'spend') {
      withinSpendCap = await reserveSpend(ctx, tx, state, costCents);
    }
    const decision = decideTool({
      mode: state.run.mode,
      risk: tool.risk,
      alwaysApprove,
      withinSpendCap,
      humanOnly,
    });
    if (tool.risk === 'spend' && decision === 'execute')
      await recordSpend(ctx, tx, state, costCents, tool.name);
    const status = { execute: 'executing', approval: 'pending', record: 'recorded', deny: 'denied' }[
      decision
    ];
    const [tc] = await tx.query<{ id: string }>(
      `INSERT INTO tool_calls (run_id, step_idx, tool, args, risk, decision, status, idempotency_key, cost_cents, result, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        state.run.id,
        idx,
        tool.name,
        safeJsonText(args.data),
        tool.risk,
        decision,
        status,
        key,
        costCents,
        (stepResultFor(decision, tool, args.data) ?? held) === null
          ? null
          : JSON.stringify(stepResultFor(decision, tool, args.data) ?? held),
        ctx.svc.clock.now(),
      ],
    );
    // Write-ahead: the intent is durable before any effect can happen.
    await audit(ctx, tx, state, 'tool.intent', {
      tool: tool.name,
      risk: tool.risk,
      decision,
      args: args.data,
      idempotencyKey: key,
    });
    await recordStep(ctx, state, idx, action, decision, stepResultFor(decision, tool, args.data) ?? held, tx);
    if (decision === 'approval') {
      const [appr] = await tx.query<{ id: string }>(
        `INSERT INTO approvals (run_id, tool_call_id, agent_id, reason, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          state.run.id,
          tc!.id,
          state.agent.id,
          approvalReason(tool, state.run.mode),
          expiresAt,
          ctx.svc.clock.now(),
        ],
      );
      await tx.query(`UPDATE runs SET status = 'suspended' WHERE id = $1`, [state.run.id]);
      await audit(ctx, tx, state, 'approval.requested', {
        approval: appr!.id,
        tool: tool.name,
        risk: tool.risk,
        ...(held !== null ? { held: true } : {}),
      });
      await emitEvent(tx, {
        type: 'approval.requested',
        approvalId: appr!.id,
        agentId: state.agent.id,
        runId: state.run.id,
      });
    }
    return { decision, toolCallId: tc!.id };
  });
  if (decision.decision === 'execute')
    await invokeTool(ctx, state, idx, tool, args.data, decision.toolCallId, key);
  return decision.decision === 'approval' ? 'stop' : 'continue';
}

/** A hold that failed (the slot has gone): the call is recorded failed with the error the brain reads; no approval. */
async function holdFailed(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: Extract<Action, { type: 'tool' }>,
  tool: Readonly<AnyTool>,
  args: unknown,
  key: string,
  err: unknown,
): Promise<void> {
  const e = err as { id?: unknown; message?: unknown; details?: unknown };
  const result = safeJson({
    error: {
      id: 'tool_failed',
      tool: tool.name,
      message: err instanceof Error ? err.message : String(err),
      ...(typeof e.id === 'string' ? { reason: e.id } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
    },
  });
  await ctx.svc.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO tool_calls (run_id, step_idx, tool, args, risk, decision, status, idempotency_key, result, created_at, completed_at)
       VALUES ($1, $2, $3, $4, $5, 'approval', 'failed', $6, $7, $8, $8)`,
      [
        state.run.id,
        idx,
        tool.name,
        safeJsonText(args),
        tool.risk,
        key,
        JSON.stringify(result),
        ctx.svc.clock.now(),
      ],
    );
    await audit(ctx, tx, state, 'tool.intent', {
      tool: tool.name,
      risk: tool.risk,
      decision: 'approval',
      args,
      idempotencyKey: key,
    });
    await audit(ctx, tx, state, 'tool.failed', { tool: tool.name, idempotencyKey: key, hold: true });
    await recordStep(ctx, state, idx, action, 'approval', result, tx);
  });
}

/** Undoes the hold of an approval that was denied or expired (tools.ts `release`); a failure is left to the lapse. */
export async function releaseHold(
  ctx: RunContext,
  approval: { toolCallId: string; agentId: string; runId: string },
  why: 'denied' | 'expired',
): Promise<void> {
  const [row] = await ctx.svc.db.query<{ tool: string; args: unknown; idempotency_key: string }>(
    'SELECT tool, args, idempotency_key FROM tool_calls WHERE id = $1',
    [approval.toolCallId],
  );
  const [agentRow] = await ctx.svc.db.query('SELECT * FROM agents WHERE id = $1', [approval.agentId]);
  if (!row || !agentRow) return;
  const tool = ctx.opts.toolsFor(presentAgentRow(agentRow)).get(row.tool);
  if (!tool?.release) return;
  const args = tool.input.safeParse(row.args);
  if (!args.success) return;
  try {
    await tool.release(
      args.data,
      { runId: approval.runId, agentId: approval.agentId, idempotencyKey: row.idempotency_key },
      why,
    );
  } catch (err) {
    ctx.opts.log?.warn({ err, toolCallId: approval.toolCallId }, 'releasing a held tool call failed');
  }
}

export async function executeApproved(
  ctx: RunContext,
  state: DriveState,
  tc: Record<string, unknown>,
): Promise<StepOutcome> {
  const tool = ctx.opts.toolsFor(state.agent).get(String(tc.tool));
  if (!tool) return failClosed(ctx, state, `approved tool ${String(tc.tool)} is no longer registered`);
  const args = tool.input.safeParse(tc.args);
  if (!args.success) return failClosed(ctx, state, `approved arguments of ${tool.name} no longer validate`);
  const claimed = await ctx.svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `UPDATE tool_calls SET status = 'executing' WHERE id = $1 AND status = 'ready' RETURNING id`,
      [tc.id],
    );
    if (!row) return false;
    if (tool.risk === 'spend') await recordSpend(ctx, tx, state, Number(tc.cost_cents), tool.name);
    await audit(ctx, tx, state, 'tool.intent', {
      tool: tool.name,
      risk: tool.risk,
      decision: 'approved',
      args: args.data,
      idempotencyKey: tc.idempotency_key,
    });
    return true;
  });
  if (!claimed) return 'stop';
  await invokeTool(
    ctx,
    state,
    Number(tc.step_idx),
    tool,
    args.data,
    String(tc.id),
    String(tc.idempotency_key),
  );
  return 'continue';
}

/**
 * The write-ahead intent of a tool call that needs no approval and no spend check, as one statement: the call,
 * the step, the run's step count and the intent audit event commit together, before any effect.
 */
async function writeIntent(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: Extract<Action, { type: 'tool' }>,
  tool: Readonly<AnyTool>,
  args: unknown,
  decision: ToolDecision,
  key: string,
): Promise<string> {
  const status = { execute: 'executing', approval: 'pending', record: 'recorded', deny: 'denied' }[decision];
  const result = stepResultFor(decision, tool, args);
  const now = ctx.svc.clock.now();
  // An executed call's step count is written by its outcome statement, which updates the run anyway (the lease):
  // one update of the run per step. Until then the call is 'executing', which a driver after a crash fails closed on
  // before it compares the count with the steps (step.ts).
  const count = decision === 'execute' ? '' : `ru AS (UPDATE runs SET steps_used = $2 WHERE id = $1),`;
  const [row] = await fastWrite<{ id: string }>(
    ctx,
    state,
    {
      action: 'tool.intent',
      payload: { tool: tool.name, risk: tool.risk, decision, args, idempotencyKey: key },
    },
    [
      state.run.id,
      idx,
      tool.name,
      safeJsonText(args),
      tool.risk,
      decision,
      status,
      key,
      result === null ? null : JSON.stringify(result),
      now,
      safeJsonText(action),
    ],
    (a) =>
      `WITH tc AS (INSERT INTO tool_calls (run_id, step_idx, tool, args, risk, decision, status, idempotency_key, result, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id),
       st AS (INSERT INTO steps (run_id, idx, action, decision, result, created_at) VALUES ($1, $2, $11, $6, $9, $10)),
       ${count}
       au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(a)}))
     SELECT id FROM tc`,
  );
  state.history.push({ idx, action, decision, result });
  state.run.stepsUsed = idx;
  return row!.id;
}

async function invokeTool(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  tool: Readonly<AnyTool>,
  args: unknown,
  toolCallId: string,
  key: string,
): Promise<void> {
  let result: unknown;
  let ok = true;
  // A slow tool must not look like a dead driver: keep the lease alive while the handler runs, or another node's
  // recovery would call the call interrupted and escalate the run.
  const heartbeat = setInterval(
    () => {
      ctx.svc.db
        .query('UPDATE runs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2', [
          state.run.id,
          ctx.svc.nodeId,
          new Date(ctx.svc.clock.now().getTime() + ctx.leaseMs),
        ])
        .catch(() => {});
    },
    Math.max(1_000, ctx.leaseMs / 3),
  );
  try {
    result = await tool.handler(args, {
      runId: state.run.id,
      agentId: state.agent.id,
      idempotencyKey: key,
    });
    if (tool.output) {
      const out = tool.output.safeParse(result);
      if (!out.success) {
        ok = false;
        result = { error: { id: 'invalid_tool_output', tool: tool.name } };
      } else result = out.data;
    }
  } catch (err) {
    ok = false;
    // A tool's own failure is a result the brain can read, not a crash of the run.
    result = {
      error: {
        id: 'tool_failed',
        tool: tool.name,
        message: err instanceof Error ? err.message : String(err),
      },
    };
  } finally {
    clearInterval(heartbeat);
  }
  const stored = result === undefined ? null : safeJson(result);
  // One statement: the call's result, the step's result and the outcome audit event commit together, and the
  // lease renewal (with the kill switches, brain inputs and open calls) that the next step would otherwise send alone.
  // CTEs see the statement's snapshot, where this call is still 'executing': it is excluded from open calls.
  const now = ctx.svc.clock.now();
  // The run's step count moves here for a call executed without approval (writeIntent), and stays for an approved
  // one (GREATEST); it moves even when the lease has gone (the step exists), and only a held lease is renewed.
  const [fresh] = await fastWrite<Record<string, unknown>>(
    ctx,
    state,
    { action: ok ? 'tool.succeeded' : 'tool.failed', payload: { tool: tool.name, idempotencyKey: key } },
    [
      toolCallId,
      ok ? 'succeeded' : 'failed',
      JSON.stringify(stored),
      now,
      state.run.id,
      idx,
      new Date(now.getTime() + ctx.leaseMs),
      ctx.svc.nodeId,
    ],
    (a) =>
      `WITH tc AS (UPDATE tool_calls SET status = $2, result = $3, completed_at = $4 WHERE id = $1),
         st AS (UPDATE steps SET result = $3 WHERE run_id = $5 AND idx = $6),
         au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(a)}))
       UPDATE runs r SET steps_used = GREATEST(r.steps_used, $6), updated_at = $4,
         lease_until = CASE WHEN ${LEASED} THEN $7 ELSE r.lease_until END
       FROM agents a
       WHERE r.id = $5 AND a.id = r.agent_id
       ${leaseReturning(brainInputsOf(ctx, state.agent.kind), '$1::uuid')}, ${LEASED} AS leased`,
  );
  state.prefetched = fresh?.leased === true ? fresh : null;
  const h = state.history.find((s) => s.idx === idx);
  if (h) h.result = stored;
}

/** The run's lease is this driver's (the outcome statement's `$8`) and the run still running. */
const LEASED = `coalesce(r.lease_owner = $8 AND r.status = 'running', false)`;

function stepResultFor(decision: ToolDecision, tool: Readonly<AnyTool>, args: unknown): unknown {
  if (decision === 'record')
    return {
      recorded: true,
      wouldHaveDone: { tool: tool.name, args },
      note: 'not executed: shadow mode records only',
    };
  if (decision === 'deny')
    return {
      error: { id: 'forbidden_action', tool: tool.name, message: 'only a human can take this action' },
    };
  return null;
}
