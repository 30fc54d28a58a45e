// The guarded runtime: the action loop of DESIGN §2. A brain proposes; the runtime validates, asks policy, audits the
// intent before any effect, executes or suspends, and ends every run in a defined state. It fails closed: any
// doubt about a run's state escalates to a human and never executes.
//
// This file is the façade callers use (new Runtime(svc, options), startRun, drive, decideApproval …); the run's
// driver lives in run/, plain functions over one RunContext (run/context.ts):
//   run/options.ts      RuntimeOptions, StartOptions, OutboundMessage (re-exported here)
//   run/agent-cache.ts  agents and their modes per node, checked against the policy epoch
//   run/start.ts        the statement that writes a run (guard, message, first audit event, first step's reads)
//   run/step.ts         the drive: lease, step after step (kill switches, open calls, guardrails, brain, dispatch)
//   run/lease.ts        what a step's lease statement returns, with the agent kind's brain inputs
//   run/tool-step.ts    a tool step: policy, write-ahead intent, approval, the handler and its outcome statement
//   run/spend.ts        the spend cap reservation and ledger line of a `spend` tool
//   run/reply.ts        a reply step: send | review | draft, and the one-statement final reply
//   run/checkpoint.ts   the step budget's checkpoint
//   run/write.ts        the shared writes: audit append, fast write, step record, escalation
// The human side (approvals, checkpoints resolved, expiry) is approvals.ts; a run handed to a person, escalate.ts.
import type { Actor, Services } from '../context.ts';
import { AfterCommitNotifier } from '../events/emit.ts';
import { type ApprovalView, approvalDecider, approvalExpirer, checkpointResolver } from './approvals.ts';
import { TOOL_REQUEST } from './brains/requested-tool.ts';
import { AgentCache } from './run/agent-cache.ts';
import type { RunContext } from './run/context.ts';
import type { RuntimeOptions, StartOptions } from './run/options.ts';
import { startRun } from './run/start.ts';
import { driveRun } from './run/step.ts';
import { releaseHold } from './run/tool-step.ts';
import { getRun, type Run, type RunStatus } from './runs.ts';
import type { RunTrigger } from './types.ts';

/** What became of a tool request: its run, whether this call started it, the tool call and the first step as recorded. */
export interface RequestedToolOutcome {
  run: Run;
  first: boolean;
  /** The tool call (null when none was written: unknown tool, invalid arguments, or the run ended before). */
  call: { decision: string; status: string; result: unknown } | null;
  step: { decision: string; result: unknown } | null;
}

export type { OutboundMessage, RuntimeOptions, StartOptions } from './run/options.ts';

export class Runtime {
  /** Agents and their modes by the reference runs were started with, checked against the policy epoch. */
  private readonly agents: AgentCache;
  private readonly ctx: RunContext;

  constructor(
    readonly svc: Services,
    opts: RuntimeOptions,
  ) {
    this.ctx = {
      svc,
      opts,
      approvalTtlMs: opts.approvalTtlMs ?? 24 * 3600_000,
      leaseMs: opts.leaseMs ?? 60_000,
      notifier: new AfterCommitNotifier(svc.db, opts.log),
      driving: new Set(),
    };
    this.agents = new AgentCache(svc, opts);
  }

  /** Resolves once the events of committed writes have been sent: call before closing the database. */
  settle(): Promise<void> {
    return this.ctx.notifier.idle();
  }

  /** Starts a run for an event and drives it until it finishes, suspends, escalates or reaches a checkpoint. */
  async startRun(
    agentRef: string,
    trigger: RunTrigger,
    actor: Actor = 'system',
    options: StartOptions = {},
  ): Promise<Run> {
    return (await startRun(this.ctx, this.agents, agentRef, trigger, actor, options, null))!;
  }

  /**
   * startRun for a customer's message in a conversation (trigger.conversationId), unless at the moment the run would
   * be written the conversation has an open hand-off (a human has it), or already holds a customer message whose
   * meta has this clientId (it was handled before): then nothing is written and the result is null. The check is
   * part of the statement that writes the run.
   */
  async startRunUnlessHeld(
    agentRef: string,
    trigger: RunTrigger & { conversationId: string },
    guard: { clientId?: string | undefined },
    options: StartOptions = {},
    actor: Actor = 'system',
  ): Promise<Run | null> {
    return startRun(this.ctx, this.agents, agentRef, trigger, actor, options, {
      clientId: guard.clientId ?? null,
    });
  }

  /**
   * Runs one named tool of an agent on request (a Vapi tool call), under the same policy as any brain's call: a run
   * whose trigger is the request and whose only step is that call (brains/requested-tool.ts). Once per requestId
   * and agent: a repeated request starts nothing and reports the first run (driving it on if its driver died). The
   * tool's handler gets the idempotency key `<run>:1`, stable across redeliveries.
   */
  async runRequestedTool(
    agentId: string,
    request: {
      requestId: string;
      tool: string;
      args: unknown;
      conversationId?: string;
      channel?: string;
      customerId?: string;
    },
    actor: Actor = 'system',
  ): Promise<RequestedToolOutcome> {
    const trigger: RunTrigger = {
      type: TOOL_REQUEST,
      requestId: request.requestId,
      tool: request.tool,
      args: request.args,
      ...(request.conversationId ? { conversationId: request.conversationId } : {}),
      ...(request.channel ? { channel: request.channel } : {}),
      ...(request.customerId ? { customerId: request.customerId } : {}),
    };
    let run = await startRun(this.ctx, this.agents, agentId, trigger, actor, {}, null);
    const first = run !== null;
    if (!run) {
      const [row] = await this.svc.db.query(
        `SELECT id FROM runs WHERE agent_id = $1 AND trigger->>'type' = $2 AND trigger->>'requestId' = $3`,
        [agentId, TOOL_REQUEST, request.requestId],
      );
      if (!row) throw new Error('the tool request was neither started nor found');
      const id = String(row.id);
      if ((await getRun(this.svc.db, id))?.status === 'running') await this.drive(id);
      run = (await getRun(this.svc.db, id))!;
    }
    const [call] = await this.svc.db.query<{ decision: string; status: string; result: unknown }>(
      'SELECT decision, status, result FROM tool_calls WHERE run_id = $1 ORDER BY step_idx LIMIT 1',
      [run.id],
    );
    const [step] = await this.svc.db.query<{ decision: string; result: unknown }>(
      'SELECT decision, result FROM steps WHERE run_id = $1 AND idx = 1',
      [run.id],
    );
    return {
      run,
      first,
      call: call ?? null,
      step: step ?? null,
    };
  }

  /** Drives a running run. Safe to call from any node at any time: a lease makes one driver win. */
  async drive(runId: string): Promise<RunStatus | null> {
    const final = await driveRun(this.ctx, runId, null);
    return final ? final.status : ((await getRun(this.svc.db, runId))?.status ?? null);
  }

  /** Approve or deny a pending approval. Exactly one decision wins; the winner resumes the run. */
  async decideApproval(
    approvalId: string,
    decision: 'approve' | 'deny',
    actor: Actor,
    reason = '',
  ): Promise<ApprovalView> {
    const approval = await approvalDecider(this.svc, approvalId, decision, actor, reason);
    // A denied call's hold (a tentative booking) is released before the run resumes and tells the customer.
    if (decision === 'deny') await releaseHold(this.ctx, approval, 'denied');
    await this.drive(approval.runId);
    return approval;
  }

  /** A human resolves a checkpoint: continue with a fresh step budget, or close the run. */
  async resolveCheckpoint(
    runId: string,
    choice: 'continue' | 'close',
    actor: Actor,
    note = '',
  ): Promise<Run> {
    await checkpointResolver(this.svc, runId, choice, actor, note);
    if (choice === 'continue') await this.drive(runId);
    return (await getRun(this.svc.db, runId))!;
  }

  /** Expired approvals fall back to a human: the run escalates and the action never runs. */
  expireApprovals(): Promise<number> {
    return approvalExpirer(this.svc, (a) => releaseHold(this.ctx, a, 'expired'));
  }

  /** Picks up runs whose driver died (lease expired). Interrupted tool calls are treated as ambiguous. */
  async recover(): Promise<number> {
    const stale = await this.svc.db.query<{ id: string }>(
      `SELECT id FROM runs WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1)`,
      [this.svc.clock.now()],
    );
    for (const { id } of stale) await this.drive(id);
    return stale.length;
  }
}
