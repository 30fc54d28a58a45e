// The guarded runtime: the action loop of DESIGN §2. A brain proposes; this file validates, asks policy, audits the
// intent before any effect, executes or suspends, and ends every run in a defined state. It fails closed: any
// doubt about a run's state escalates to a human and never executes.
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH } from '../audit/canonical.ts';
import { AUDIT_CHAIN_CONFLICT, AUDIT_COLUMNS, auditPlaceholders, auditRow } from '../audit/log.ts';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { AfterCommitNotifier, emitEvent, eventPayload } from '../events/emit.ts';
import type { Log } from '../events/log.ts';
import type { Mode } from '../readiness/model.ts';
import { type Queryable, sqlState } from '../store/db.ts';
import { presentAgentRow } from './agents.ts';
import {
  type ApprovalView,
  approvalDecider,
  approvalExpirer,
  approvalReason,
  checkpointResolver,
} from './approvals.ts';
import { runEscalator } from './escalate.ts';
import { escalationCreator } from './escalations.ts';
import { alwaysHumanTopicsIn, asksForPerson } from './guards.ts';
import { decideReply, decideTool, inPilotCohort, type ToolDecision } from './policy.ts';
import {
  type DriveState,
  type StepOutcome,
  safeJson,
  spentToday,
  summarize,
  utcDay,
  type WrittenMessage,
} from './run-state.ts';
import { getRun, presentRunRow, type Run, type RunStatus } from './runs.ts';
import type { AnyTool, ToolRegistry } from './tools.ts';
import {
  type Action,
  ActionSchema,
  type AgentConfig,
  type Brain,
  type LastReply,
  type RunTrigger,
  type StepRecord,
} from './types.ts';

export interface OutboundMessage {
  messageId: string;
  agentId: string;
  runId: string;
  conversationId: string | null;
  channel: string | null;
  text: string;
  sources: string[];
}

export interface RuntimeOptions {
  brainFor: (agent: AgentConfig) => Brain;
  toolsFor: (agent: AgentConfig) => ToolRegistry;
  /** The effective readiness mode of an agent (declared band capped by evidence). */
  modeFor: (q: Queryable, agent: AgentConfig) => Promise<Mode>;
  /** Channel seam: hands a sent reply to the conversation's channel. */
  deliver?: (msg: OutboundMessage) => Promise<void>;
  /** Tools no agent may run in any mode (they exist only as human actions). */
  humanOnlyTools?: ReadonlySet<string>;
  approvalTtlMs?: number;
  leaseMs?: number;
  /**
   * Agents and their modes may be cached per node: modeFor reads only rows whose changes move the policy epoch
   * (agents, readiness assessments, evaluations, users), which every run start checks.
   */
  cacheAgents?: boolean;
  /** Where the events sent after their commit log a failure to notify (silent when absent). */
  log?: Log;
}

export interface StartOptions {
  /** Stored in the customer message's meta (a channel's idempotency key, for instance). */
  messageMeta?: Record<string, unknown>;
  /** Moves the conversation's activity time (updated_at) to the run's start, in the statement that writes it. */
  touchConversation?: boolean;
  /**
   * Receives the messages this call's drive writes, each once the statement that wrote it has committed: the
   * customer's message, then the agent's replies (drafts and replies held for review included, with their status).
   * A channel shows them from here instead of reading them back. A run driven later (after an approval, or by a
   * recovery sweep) reports nothing here: its messages reach channels through their events.
   */
  written?: WrittenMessage[];
}

interface Guard {
  clientId: string | null;
}

interface CachedAgent {
  agent: AgentConfig;
  mode: Mode;
  /** The policy epoch the two were read under; null: not cached, nothing to check. */
  epoch: number | null;
}

const MAX_CACHED_AGENTS = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Runtime {
  private readonly driving = new Set<string>();
  /** Agents and their modes by the reference runs were started with, checked against the policy epoch. */
  private readonly agents = new Map<string, CachedAgent>();
  private readonly approvalTtlMs: number;
  private readonly leaseMs: number;
  private readonly notifier: AfterCommitNotifier;

  constructor(
    readonly svc: Services,
    private readonly opts: RuntimeOptions,
  ) {
    this.approvalTtlMs = opts.approvalTtlMs ?? 24 * 3600_000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.notifier = new AfterCommitNotifier(svc.db, opts.log);
  }

  /** Resolves once the events of committed writes have been sent: call before closing the database. */
  settle(): Promise<void> {
    return this.notifier.idle();
  }

  /** Starts a run for an event and drives it until it finishes, suspends, escalates or reaches a checkpoint. */
  async startRun(
    agentRef: string,
    trigger: RunTrigger,
    actor: Actor = 'system',
    options: StartOptions = {},
  ): Promise<Run> {
    return (await this.start(agentRef, trigger, actor, options, null))!;
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
    return this.start(agentRef, trigger, actor, options, { clientId: guard.clientId ?? null });
  }

  private async start(
    agentRef: string,
    trigger: RunTrigger,
    actor: Actor,
    options: StartOptions,
    guard: Guard | null,
  ): Promise<Run | null> {
    for (let attempt = 1; ; attempt++) {
      const { agent, mode, epoch } =
        (attempt === 1 && this.agents.get(agentRef)) || (await this.loadAgent(agentRef));
      const born = await this.bear(agent, mode, epoch, trigger, actor, options, guard);
      if (born !== 'stale') return born;
      // The agent's configuration or readiness changed since it was cached (the policy epoch moved): nothing was
      // written; read it again and start from the current one.
      this.agents.delete(agentRef);
      if (attempt >= 3) throw new Error('the agent keeps changing; the run could not start');
    }
  }

  /**
   * An agent and its effective mode, with the policy epoch read before them (a change committed after that read
   * moves the epoch past the cached one). Cached per node only when the mode resolver allows it.
   */
  private async loadAgent(agentRef: string): Promise<CachedAgent> {
    const isUuid = UUID.test(agentRef);
    const [row] = await this.svc.db.query<Record<string, unknown>>(
      `SELECT a.*, (SELECT epoch FROM policy_epoch) AS policy_epoch FROM agents a WHERE ${isUuid ? 'a.id' : 'a.name'} = $1`,
      [agentRef],
    );
    if (!row) throw new AppError('not_found', `no agent "${agentRef}"`);
    const agent = presentAgentRow(row);
    const mode = await this.opts.modeFor(this.svc.db, agent);
    if (!this.opts.cacheAgents) return { agent, mode, epoch: null };
    const cached = { agent, mode, epoch: Number(row.policy_epoch) };
    if (this.agents.size >= MAX_CACHED_AGENTS) this.agents.clear();
    this.agents.set(agentRef, cached);
    return cached;
  }

  /**
   * Writes a new run, its customer message and its first audit event in one statement, and drives it. With an
   * epoch, nothing is written unless the policy epoch still has that value (the agent and mode are current):
   * 'stale'. With a guard, nothing is written while the conversation is held or the clientId already stored: null.
   */
  private async bear(
    agent: AgentConfig,
    mode: Mode,
    epoch: number | null,
    trigger: RunTrigger,
    actor: Actor,
    options: StartOptions,
    guard: Guard | null,
  ): Promise<Run | null | 'stale'> {
    const now = this.svc.clock.now();
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
      JSON.stringify(safeJson(trigger)),
      trigger.conversationId ?? null,
      agent.stepBudget,
      mode,
      cohort,
      now,
      this.svc.nodeId,
      new Date(now.getTime() + this.leaseMs),
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
    const a = params.length + 1;
    // Born leased to this node (a recovery sweep elsewhere must not pick up a run its creator is about to drive),
    // and returning what the first step's lease statement would read: the agent's status, the global kill switch,
    // the KB version and (none yet) open tool calls. The first step starts from this row instead of renewing the
    // fresh lease.
    const [born] = await this.svc.db.query<Record<string, unknown>>(
      `WITH ok AS (
         SELECT ($11::bigint IS NULL OR $11 = (SELECT epoch FROM policy_epoch)) AS epoch_current, ${free} AS free),
       ru AS (
         INSERT INTO runs (id, agent_id, status, trigger, conversation_id, budget, mode, in_cohort, created_at, updated_at, lease_owner, lease_until)
         SELECT $1, $2, 'running', $3, $4, $5, $6, $7, $8, $8, $9, $10 FROM ok WHERE ok.epoch_current AND ok.free
         RETURNING *),
       ${message}
       ${touch}
       au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) SELECT ${auditPlaceholders(a)} FROM ru)
       SELECT ok.epoch_current, ru.*, a.status AS agent_status,
         (SELECT value->>'engaged' FROM settings WHERE key = 'kill_switch') AS kill,
         (SELECT version FROM kb_state WHERE agent_id = ru.agent_id) AS kb_version, NULL::json AS open_call
         ${message ? ', (SELECT id FROM msg) AS message_id' : ''}
         ${trigger.conversationId !== undefined ? `, ${LAST_REPLY_SQL} AS last_reply` : ''}
       FROM ok LEFT JOIN ru ON true LEFT JOIN agents a ON a.id = ru.agent_id`,
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
    const final = await this.driveState(run.id, {
      run,
      agent,
      history: [],
      head,
      prefetched: born,
      written: options.written,
    });
    return final ?? (await getRun(this.svc.db, run.id))!;
  }

  /** Drives a running run. Safe to call from any node at any time: a lease makes one driver win. */
  async drive(runId: string): Promise<RunStatus | null> {
    const final = await this.driveState(runId, null);
    return final ? final.status : ((await getRun(this.svc.db, runId))?.status ?? null);
  }

  /** Drives a run; `born` is the state of a run this node just created. Returns the run as the driver left it. */
  private async driveState(runId: string, born: DriveState | null): Promise<Run | null> {
    if (this.driving.has(runId)) return null;
    this.driving.add(runId);
    try {
      let state = born;
      if (!state) {
        const now = this.svc.clock.now();
        const [row] = await this.svc.db.query(
          `UPDATE runs SET lease_owner = $2, lease_until = $3
           WHERE id = $1 AND status = 'running' AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < $4)
           RETURNING *`,
          [runId, this.svc.nodeId, new Date(now.getTime() + this.leaseMs), now],
        );
        if (!row) return null;
        const run = presentRunRow(row);
        const [agentRow] = await this.svc.db.query('SELECT * FROM agents WHERE id = $1', [run.agentId]);
        state = {
          run,
          agent: presentAgentRow(agentRow!),
          history: await this.loadHistory(runId),
          head: null,
        };
      }
      try {
        while ((await this.step(state)) === 'continue') {}
      } catch (err) {
        await this.failClosed(state, `runtime error: ${err instanceof Error ? err.message : String(err)}`);
      }
      // The last step's statement may already have released the lease (a final reply does).
      if (state.released !== undefined) return state.released ? presentRunRow(state.released) : null;
      const [released] = await this.svc.db.query(
        'UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 RETURNING *',
        [runId, this.svc.nodeId],
      );
      return released ? presentRunRow(released) : null;
    } finally {
      this.driving.delete(runId);
    }
  }

  private async loadHistory(runId: string): Promise<StepRecord[]> {
    return this.svc.db.query<StepRecord>(
      'SELECT idx, action, decision, result FROM steps WHERE run_id = $1 ORDER BY idx',
      [runId],
    );
  }

  private async step(state: DriveState): Promise<StepOutcome> {
    const { svc } = this;
    const now = svc.clock.now();
    // One round trip: renew the lease, re-read the run, both kill switches and any open tool call. A tool step's
    // outcome statement already did this (state.prefetched), so the hot path skips it.
    const prefetched = state.prefetched;
    state.prefetched = undefined;
    const [fresh] =
      prefetched !== undefined
        ? [prefetched]
        : await svc.db.query<Record<string, unknown>>(
            `UPDATE runs r SET lease_until = $3, updated_at = $4 FROM agents a
             WHERE r.id = $1 AND a.id = r.agent_id AND r.lease_owner = $2 AND r.status = 'running'
             ${leaseReturning('NULL')}`,
            [state.run.id, svc.nodeId, new Date(now.getTime() + this.leaseMs), now],
          );
    if (!fresh) return 'stop';
    state.run = presentRunRow(fresh);
    const kbVersion = Number(fresh.kb_version ?? 0);
    // Only the statement that started the run reads it (see LAST_REPLY_SQL); later steps leave it to the brain.
    const lastReply = 'last_reply' in fresh ? ((fresh.last_reply as LastReply | null) ?? null) : undefined;
    if (fresh.kill === 'true')
      return this.endEscalated(state, 'the global kill switch is engaged', 'kill_switch');
    if (fresh.agent_status === 'paused')
      return this.endEscalated(state, 'the agent is paused', 'agent_paused');

    // A tool call left over from a suspension or a crash.
    const open = fresh.open_call as Record<string, unknown> | null;
    if (open) {
      if (open.status === 'ready') return this.executeApproved(state, open);
      if (open.status === 'executing') {
        await svc.db.query(
          `UPDATE tool_calls SET status = 'ambiguous' WHERE id = $1 AND status = 'executing'`,
          [open.id],
        );
        return this.failClosed(
          state,
          `tool call ${String(open.tool)} was interrupted; whether it took effect is unknown`,
        );
      }
      return this.failClosed(state, 'the run is running while an approval is still pending');
    }
    if (state.history.length !== state.run.stepsUsed) {
      return this.failClosed(
        state,
        `the run records ${state.run.stepsUsed} steps but ${state.history.length} exist`,
      );
    }

    if (state.run.stepsUsed >= state.run.budget) return this.checkpoint(state);

    // Guardrails that never depend on the brain: run before it sees the first message.
    if (state.run.stepsUsed === 0 && typeof state.run.trigger.text === 'string') {
      const text = state.run.trigger.text;
      if (asksForPerson(text))
        return this.endEscalated(state, 'the customer asked for a person', 'asked_for_person');
      const topics = alwaysHumanTopicsIn(text, state.agent.alwaysHumanTopics);
      if (topics.length)
        return this.endEscalated(state, `always-human topic: ${topics.join(', ')}`, 'always_human_topic');
    }

    const brain = this.opts.brainFor(state.agent);
    let raw: unknown;
    try {
      raw = await brain.decide({
        agent: state.agent,
        run: { id: state.run.id, trigger: state.run.trigger, mode: state.run.mode },
        history: state.history.map((h) => ({ ...h })),
        stepsLeft: state.run.budget - state.run.stepsUsed,
        kbVersion,
        ...(lastReply !== undefined && state.run.stepsUsed === 0 ? { lastReply } : {}),
      });
    } catch (err) {
      return this.endEscalated(
        state,
        `the brain failed: ${err instanceof Error ? err.message : String(err)}`,
        'brain_error',
      );
    }
    const idx = state.run.stepsUsed + 1;
    const parsed = ActionSchema.safeParse(raw);
    if (!parsed.success) {
      await this.recordStep(state, idx, { type: 'invalid', raw: safeJson(raw) }, 'structural_error', {
        error: { id: 'invalid_action', issues: parsed.error.issues.map((i) => i.message) },
      });
      return this.endEscalated(state, 'the brain produced an action that is not valid', 'structural_error');
    }
    const action = parsed.data;
    switch (action.type) {
      case 'tool':
        return this.toolStep(state, idx, action);
      case 'reply':
        return this.replyStep(state, idx, action);
      case 'escalate': {
        await this.recordStep(state, idx, action, 'escalate', null);
        return this.endEscalated(
          state,
          action.reason,
          'brain_escalated',
          action.summary,
          action.suggestedReply,
        );
      }
      case 'done': {
        await svc.db.transaction(async (tx) => {
          await this.recordStep(state, idx, action, 'done', null, tx);
          await tx.query(`UPDATE runs SET status = 'done', outcome = $2 WHERE id = $1`, [
            state.run.id,
            action.outcome,
          ]);
          await this.audit(tx, state, 'run.done', { outcome: action.outcome });
        });
        return 'stop';
      }
    }
  }

  private async toolStep(
    state: DriveState,
    idx: number,
    action: Extract<Action, { type: 'tool' }>,
  ): Promise<StepOutcome> {
    const tool = this.opts.toolsFor(state.agent).get(action.name);
    if (!tool) {
      // A structural fault, not a tool result: the brain asked for something that does not exist.
      await this.svc.db.transaction(async (tx) => {
        await this.audit(tx, state, 'tool.unknown', { tool: action.name });
        await this.recordStep(
          state,
          idx,
          action,
          'unknown_tool',
          { error: { id: 'unknown_tool', tool: action.name } },
          tx,
        );
      });
      return this.endEscalated(
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
      await this.svc.db.transaction(async (tx) => {
        await this.audit(tx, state, 'tool.invalid_arguments', {
          tool: tool.name,
          issues: result.error.issues,
        });
        await this.recordStep(state, idx, action, 'invalid_arguments', result, tx);
      });
      return 'continue';
    }
    const costCents = tool.risk === 'spend' ? Math.max(0, Math.ceil(tool.costCents?.(args.data) ?? 0)) : 0;
    const key = `${state.run.id}:${idx}`;
    const humanOnly = this.opts.humanOnlyTools?.has(tool.name) ?? false;
    const alwaysApprove = state.agent.toolOverrides[tool.name]?.approval === 'always';
    if (tool.risk !== 'spend') {
      const decision = decideTool({ mode: state.run.mode, risk: tool.risk, alwaysApprove, humanOnly });
      if (decision !== 'approval') {
        const toolCallId = await this.writeIntent(state, idx, action, tool, args.data, decision, key);
        if (decision === 'execute') await this.invokeTool(state, idx, tool, args.data, toolCallId, key);
        return 'continue';
      }
    }
    const decision = await this.svc.db.transaction(async (tx) => {
      let withinSpendCap = false;
      if (tool.risk === 'spend') {
        withinSpendCap = await this.reserveSpend(tx, state, costCents);
      }
      const decision = decideTool({
        mode: state.run.mode,
        risk: tool.risk,
        alwaysApprove,
        withinSpendCap,
        humanOnly,
      });
      if (tool.risk === 'spend' && decision === 'execute')
        await this.recordSpend(tx, state, costCents, tool.name);
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
          JSON.stringify(safeJson(args.data)),
          tool.risk,
          decision,
          status,
          key,
          costCents,
          stepResultFor(decision, tool, args.data) === null
            ? null
            : JSON.stringify(stepResultFor(decision, tool, args.data)),
          this.svc.clock.now(),
        ],
      );
      // Write-ahead: the intent is durable before any effect can happen.
      await this.audit(tx, state, 'tool.intent', {
        tool: tool.name,
        risk: tool.risk,
        decision,
        args: args.data,
        idempotencyKey: key,
      });
      await this.recordStep(state, idx, action, decision, stepResultFor(decision, tool, args.data), tx);
      if (decision === 'approval') {
        const [appr] = await tx.query<{ id: string }>(
          `INSERT INTO approvals (run_id, tool_call_id, agent_id, reason, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [
            state.run.id,
            tc!.id,
            state.agent.id,
            approvalReason(tool, state.run.mode),
            new Date(this.svc.clock.now().getTime() + this.approvalTtlMs),
            this.svc.clock.now(),
          ],
        );
        await tx.query(`UPDATE runs SET status = 'suspended' WHERE id = $1`, [state.run.id]);
        await this.audit(tx, state, 'approval.requested', {
          approval: appr!.id,
          tool: tool.name,
          risk: tool.risk,
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
      await this.invokeTool(state, idx, tool, args.data, decision.toolCallId, key);
    return decision.decision === 'approval' ? 'stop' : 'continue';
  }

  private async executeApproved(state: DriveState, tc: Record<string, unknown>): Promise<StepOutcome> {
    const tool = this.opts.toolsFor(state.agent).get(String(tc.tool));
    if (!tool) return this.failClosed(state, `approved tool ${String(tc.tool)} is no longer registered`);
    const args = tool.input.safeParse(tc.args);
    if (!args.success) return this.failClosed(state, `approved arguments of ${tool.name} no longer validate`);
    const claimed = await this.svc.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `UPDATE tool_calls SET status = 'executing' WHERE id = $1 AND status = 'ready' RETURNING id`,
        [tc.id],
      );
      if (!row) return false;
      if (tool.risk === 'spend') await this.recordSpend(tx, state, Number(tc.cost_cents), tool.name);
      await this.audit(tx, state, 'tool.intent', {
        tool: tool.name,
        risk: tool.risk,
        decision: 'approved',
        args: args.data,
        idempotencyKey: tc.idempotency_key,
      });
      return true;
    });
    if (!claimed) return 'stop';
    await this.invokeTool(
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
  private async writeIntent(
    state: DriveState,
    idx: number,
    action: Extract<Action, { type: 'tool' }>,
    tool: Readonly<AnyTool>,
    args: unknown,
    decision: ToolDecision,
    key: string,
  ): Promise<string> {
    const status = { execute: 'executing', approval: 'pending', record: 'recorded', deny: 'denied' }[
      decision
    ];
    const result = stepResultFor(decision, tool, args);
    const now = this.svc.clock.now();
    const [row] = await this.fastWrite<{ id: string }>(
      state,
      {
        action: 'tool.intent',
        payload: { tool: tool.name, risk: tool.risk, decision, args, idempotencyKey: key },
      },
      (a) => ({
        sql: `WITH tc AS (INSERT INTO tool_calls (run_id, step_idx, tool, args, risk, decision, status, idempotency_key, result, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id),
              st AS (INSERT INTO steps (run_id, idx, action, decision, result, created_at) VALUES ($1, $2, $11, $6, $9, $10)),
              ru AS (UPDATE runs SET steps_used = $2 WHERE id = $1),
              au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(a)}))
            SELECT id FROM tc`,
        params: [
          state.run.id,
          idx,
          tool.name,
          JSON.stringify(safeJson(args)),
          tool.risk,
          decision,
          status,
          key,
          result === null ? null : JSON.stringify(result),
          now,
          JSON.stringify(safeJson(action)),
        ],
      }),
    );
    state.history.push({ idx, action, decision, result });
    state.run.stepsUsed = idx;
    return row!.id;
  }

  /**
   * Runs one statement that also appends an event to the run's audit stream, without a transaction or a head read:
   * the driver holds the lease, so it is the stream's only writer and knows the head. If it does not (someone
   * else appended), the trigger refuses the whole statement; re-read the head and try again.
   */
  private async fastWrite<T = Record<string, unknown>>(
    state: DriveState,
    event: { action: string; payload: unknown },
    build: (firstAuditParam: number) => { sql: string; params: unknown[] },
  ): Promise<T[]> {
    const stream = `run:${state.run.id}`;
    for (let attempt = 0; ; attempt++) {
      state.head ??= await this.svc.audit.readHead(this.svc.db, stream);
      const probe = build(0);
      const { values, next } = auditRow(
        {
          stream,
          actor: `agent:${state.agent.name}`,
          action: event.action,
          subject: stream,
          payload: event.payload,
        },
        state.head,
        this.svc.clock.now(),
      );
      const { sql, params } = build(probe.params.length + 1);
      try {
        const rows = await this.svc.db.query<T>(sql, [...params, ...values]);
        state.head = next;
        return rows;
      } catch (err) {
        state.head = null;
        const code = sqlState(err);
        if (attempt >= 3 || code !== AUDIT_CHAIN_CONFLICT) throw err;
      }
    }
  }

  private async invokeTool(
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
        this.svc.db
          .query('UPDATE runs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2', [
            state.run.id,
            this.svc.nodeId,
            new Date(this.svc.clock.now().getTime() + this.leaseMs),
          ])
          .catch(() => {});
      },
      Math.max(1_000, this.leaseMs / 3),
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
    // lease renewal (with the kill switches and open calls) that the next step would otherwise send on its own.
    // CTEs see the statement's snapshot, where this call is still 'executing': it is excluded from open calls.
    const now = this.svc.clock.now();
    const [fresh] = await this.fastWrite<Record<string, unknown>>(
      state,
      { action: ok ? 'tool.succeeded' : 'tool.failed', payload: { tool: tool.name, idempotencyKey: key } },
      (a) => ({
        sql: `WITH tc AS (UPDATE tool_calls SET status = $2, result = $3, completed_at = $4 WHERE id = $1),
                st AS (UPDATE steps SET result = $3 WHERE run_id = $5 AND idx = $6),
                au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(a)}))
              UPDATE runs r SET lease_until = $7, updated_at = $4 FROM agents a
              WHERE r.id = $5 AND a.id = r.agent_id AND r.lease_owner = $8 AND r.status = 'running'
              ${leaseReturning('$1::uuid')}`,
        params: [
          toolCallId,
          ok ? 'succeeded' : 'failed',
          JSON.stringify(stored),
          now,
          state.run.id,
          idx,
          new Date(now.getTime() + this.leaseMs),
          this.svc.nodeId,
        ],
      }),
    );
    state.prefetched = fresh ?? null;
    const h = state.history.find((s) => s.idx === idx);
    if (h) h.result = stored;
  }

  private async replyStep(
    state: DriveState,
    idx: number,
    action: Extract<Action, { type: 'reply' }>,
  ): Promise<StepOutcome> {
    const decision = decideReply({
      mode: state.run.mode,
      confidence: action.confidence,
      threshold: state.agent.confidenceThreshold,
      inCohort: state.run.inCohort,
    });
    if (decision === 'send' && action.final && !this.opts.deliver) return this.finalReply(state, idx, action);
    const trigger = state.run.trigger;
    const now = this.svc.clock.now();
    const messageId = await this.svc.db.transaction(async (tx) => {
      const [msg] = await tx.query<{ id: string }>(
        `INSERT INTO messages (run_id, agent_id, conversation_id, direction, author, status, body, confidence, sources, created_at, meta)
         VALUES ($1, $2, $3, 'out', 'agent', $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          state.run.id,
          state.agent.id,
          state.run.conversationId,
          decision === 'send' ? 'sent' : decision,
          action.text,
          // messages.confidence is a real (float4): a valid confidence below its range (e.g. 1e-50) would make
          // PostgreSQL refuse the row and turn a reply for human review into a runtime error.
          Math.fround(action.confidence),
          JSON.stringify(action.sources),
          now,
          JSON.stringify(replyMeta(action)),
        ],
      );
      await this.recordStep(state, idx, action, decision, { message: msg!.id }, tx);
      await this.audit(
        tx,
        state,
        // Without a delivery seam the committed message row is the effect itself (channels pick it up from the
        // outbox or the event), so the send is audited once, here; with one, intent now and outcome after.
        decision === 'send'
          ? this.opts.deliver
            ? 'reply.intent'
            : 'reply.sent'
          : decision === 'draft'
            ? 'reply.drafted'
            : 'reply.held_for_review',
        {
          message: msg!.id,
          confidence: action.confidence,
          threshold: state.agent.confidenceThreshold,
        },
      );
      if (decision !== 'send') {
        const reason =
          decision === 'draft'
            ? 'shadow mode: a human sends or rewrites the draft'
            : action.confidence < state.agent.confidenceThreshold
              ? `confidence ${action.confidence.toFixed(2)} is below the threshold ${state.agent.confidenceThreshold.toFixed(2)}`
              : 'pilot: this conversation is outside the pilot cohort';
        await runEscalator(this.svc, tx, state, {
          kind: 'review',
          reason,
          suggestedReply: action.text,
          code: decision === 'draft' ? 'shadow_draft' : 'review',
        });
      } else {
        // A final reply without a delivery step to wait for ends the run in the same transaction.
        if (action.final && !this.opts.deliver) {
          await tx.query(`UPDATE runs SET status = 'done', outcome = 'replied' WHERE id = $1`, [
            state.run.id,
          ]);
        }
        await emitEvent(tx, {
          type: 'message.sent',
          messageId: msg!.id,
          conversationId: state.run.conversationId,
          runId: state.run.id,
        });
      }
      return msg!.id;
    });
    const written = writtenReply(messageId, decision === 'send' ? 'sent' : decision, action, now);
    if (decision !== 'send' || !this.opts.deliver) {
      state.written?.push(written);
      return decision !== 'send' || action.final ? 'stop' : 'continue';
    }
    try {
      await this.opts.deliver({
        messageId,
        agentId: state.agent.id,
        runId: state.run.id,
        conversationId: state.run.conversationId,
        channel: typeof trigger.channel === 'string' ? trigger.channel : null,
        text: action.text,
        sources: action.sources,
      });
    } catch (err) {
      await this.svc.db.query(`UPDATE messages SET status = 'failed' WHERE id = $1`, [messageId]);
      return this.endEscalated(
        state,
        `the reply could not be delivered: ${err instanceof Error ? err.message : String(err)}`,
        'delivery_failed',
      );
    }
    state.written?.push(written);
    if (action.final) {
      await this.svc.db.transaction(async (tx) => {
        await this.audit(tx, state, 'reply.sent', { message: messageId });
        await tx.query(
          `UPDATE runs SET status = 'done', outcome = 'replied' WHERE id = $1 AND status = 'running'`,
          [state.run.id],
        );
      });
      return 'stop';
    }
    await this.audit(this.svc.db, state, 'reply.sent', { message: messageId });
    return 'continue';
  }

  /**
   * A final reply that is sent, without a delivery seam (the committed row is the effect: channels pick it up from
   * the event or the outbox), as one statement: the message, the step, the run's step count, its end and the
   * release of its lease and the audit event; then the message.sent notification, after the commit
   * (AfterCommitNotifier: notifying inside the statement would serialize the turns' commits).
   */
  private async finalReply(
    state: DriveState,
    idx: number,
    action: Extract<Action, { type: 'reply' }>,
  ): Promise<StepOutcome> {
    const messageId = randomUUID();
    const result = { message: messageId };
    const now = this.svc.clock.now();
    const event = eventPayload({
      type: 'message.sent',
      messageId,
      conversationId: state.run.conversationId,
      runId: state.run.id,
    });
    const [row] = await this.fastWrite<Record<string, unknown>>(
      state,
      {
        action: 'reply.sent',
        payload: {
          message: messageId,
          confidence: action.confidence,
          threshold: state.agent.confidenceThreshold,
        },
      },
      (a) => ({
        sql: `WITH prev AS (SELECT lease_owner FROM runs WHERE id = $2),
                msg AS (INSERT INTO messages (id, run_id, agent_id, conversation_id, direction, author, status, body, confidence, sources, created_at, meta)
                  VALUES ($1, $2, $3, $4, 'out', 'agent', 'sent', $5, $6, $7, $8, $9)),
                st AS (INSERT INTO steps (run_id, idx, action, decision, result, created_at) VALUES ($2, $10, $11, 'send', $12, $8)),
                au AS (INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(a)})),
                ru AS (UPDATE runs SET steps_used = $10, status = 'done', outcome = 'replied',
                    lease_owner = CASE WHEN lease_owner = $13 THEN NULL ELSE lease_owner END,
                    lease_until = CASE WHEN lease_owner = $13 THEN NULL ELSE lease_until END
                  WHERE id = $2 RETURNING *)
              SELECT ru.*, (SELECT lease_owner FROM prev) = $13 AS released
              FROM ru`,
        params: [
          messageId,
          state.run.id,
          state.agent.id,
          state.run.conversationId,
          action.text,
          // messages.confidence is a real (float4): see replyStep.
          Math.fround(action.confidence),
          JSON.stringify(action.sources),
          now,
          JSON.stringify(replyMeta(action)),
          idx,
          JSON.stringify(safeJson(action)),
          JSON.stringify(result),
          this.svc.nodeId,
        ],
      }),
    );
    this.notifier.notify(event);
    state.history.push({ idx, action, decision: 'send', result });
    state.run.stepsUsed = idx;
    state.released = row?.released === true ? row : null;
    state.written?.push(writtenReply(messageId, 'sent', action, now));
    return 'stop';
  }

  private async reserveSpend(tx: Queryable, state: DriveState, cents: number): Promise<boolean> {
    // The agent row lock serializes concurrent spend decisions of one agent, so two calls cannot both fit.
    const [agent] = await tx.query<{ spend_cap_cents: number | null }>(
      'SELECT spend_cap_cents FROM agents WHERE id = $1 FOR UPDATE',
      [state.agent.id],
    );
    const cap = agent?.spend_cap_cents ?? null;
    if (cap === null) return false;
    const spent = await spentToday(tx, state.agent.id, this.svc.clock.now());
    if (spent + cents <= cap) return true;
    await this.audit(tx, state, 'spend.cap_reached', {
      capCents: cap,
      spentCents: spent,
      requestedCents: cents,
    });
    await emitEvent(tx, { type: 'spend.cap_reached', agentId: state.agent.id });
    return false;
  }

  private async recordSpend(tx: Queryable, state: DriveState, cents: number, tool: string): Promise<void> {
    await tx.query(
      `INSERT INTO spend_ledger (agent_id, run_id, category, cents, day, detail) VALUES ($1, $2, 'tool', $3, $4, $5)`,
      [state.agent.id, state.run.id, cents, utcDay(this.svc.clock.now()), JSON.stringify({ tool })],
    );
  }

  private async recordStep(
    state: DriveState,
    idx: number,
    action: StepRecord['action'],
    decision: string,
    result: unknown,
    tx: Queryable = this.svc.db,
  ): Promise<void> {
    await tx.query(
      'INSERT INTO steps (run_id, idx, action, decision, result, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        state.run.id,
        idx,
        JSON.stringify(safeJson(action)),
        decision,
        result === null ? null : JSON.stringify(result),
        this.svc.clock.now(),
      ],
    );
    await tx.query('UPDATE runs SET steps_used = $2 WHERE id = $1', [state.run.id, idx]);
    state.history.push({ idx, action, decision, result });
    state.run.stepsUsed = idx;
  }

  private async checkpoint(state: DriveState): Promise<StepOutcome> {
    await this.svc.db.transaction(async (tx) => {
      await tx.query(`UPDATE runs SET status = 'checkpoint' WHERE id = $1`, [state.run.id]);
      await this.audit(tx, state, 'run.checkpoint', {
        stepsUsed: state.run.stepsUsed,
        budget: state.run.budget,
      });
      await escalationCreator(this.svc, tx, `agent:${state.agent.name}`, {
        agentId: state.agent.id,
        runId: state.run.id,
        conversationId: state.run.conversationId,
        kind: 'checkpoint',
        reason: `step budget of ${state.run.budget} reached: continue with a fresh budget or close`,
        summary: summarize(state.history),
      });
      await emitEvent(tx, { type: 'escalation.opened', agentId: state.agent.id, runId: state.run.id });
    });
    return 'stop';
  }

  private async endEscalated(
    state: DriveState,
    reason: string,
    code: string,
    summary?: string,
    suggestedReply?: string,
  ): Promise<StepOutcome> {
    await this.svc.db.transaction((tx) =>
      runEscalator(this.svc, tx, state, { kind: 'escalation', reason, code, summary, suggestedReply }),
    );
    return 'stop';
  }

  private async failClosed(state: DriveState, reason: string): Promise<StepOutcome> {
    return this.endEscalated(state, `failed closed: ${reason}`, 'failed_closed');
  }

  private audit(q: Queryable, state: DriveState, action: string, payload: unknown) {
    state.head = null;
    return this.svc.audit.append(
      {
        stream: `run:${state.run.id}`,
        actor: `agent:${state.agent.name}`,
        action,
        subject: `run:${state.run.id}`,
        payload,
      },
      q,
    );
  }

  /** Approve or deny a pending approval. Exactly one decision wins; the winner resumes the run. */
  async decideApproval(
    approvalId: string,
    decision: 'approve' | 'deny',
    actor: Actor,
    reason = '',
  ): Promise<ApprovalView> {
    const approval = await approvalDecider(this.svc, approvalId, decision, actor, reason);
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
    return approvalExpirer(this.svc);
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

/**
 * The conversation's ($4) last agent-side message and the customer message before it (BrainContext.lastReply), as
 * the run's birth sees it: the run's own customer message, written by the same statement, is not visible to it.
 */
const LAST_REPLY_SQL = `(SELECT json_build_object('meta', o.meta, 'answered', (SELECT i.body FROM messages i
    WHERE i.conversation_id = $4 AND i.direction = 'in' AND i.created_at <= o.created_at
    ORDER BY i.created_at DESC LIMIT 1))
  FROM messages o WHERE o.conversation_id = $4 AND o.direction = 'out' ORDER BY o.created_at DESC LIMIT 1)`;

/**
 * What the start of a step needs to know, returned by the statement that renews the run's lease: the run, the
 * agent's status, the global kill switch, the agent's knowledge-base version (for the brain) and any open call.
 */
function leaseReturning(excludeCall: string): string {
  return `RETURNING r.*, a.status AS agent_status,
    (SELECT value->>'engaged' FROM settings WHERE key = 'kill_switch') AS kill,
    (SELECT version FROM kb_state WHERE agent_id = r.agent_id) AS kb_version,
    (SELECT row_to_json(tc) FROM tool_calls tc WHERE tc.run_id = r.id AND tc.id IS DISTINCT FROM ${excludeCall}
       AND tc.status IN ('pending', 'ready', 'executing') ORDER BY tc.step_idx DESC LIMIT 1) AS open_call`;
}

function replyMeta(action: Extract<Action, { type: 'reply' }>): Record<string, unknown> {
  return { intent: action.intent, ...(action.topic ? { topic: action.topic } : {}) };
}

/** A reply as its statement wrote it (the status it got: sent, or held as a draft or for review). */
function writtenReply(
  id: string,
  status: string,
  action: Extract<Action, { type: 'reply' }>,
  createdAt: Date,
): WrittenMessage {
  return {
    id,
    direction: 'out',
    author: 'agent',
    status,
    body: action.text,
    sources: action.sources,
    meta: replyMeta(action),
    createdAt,
  };
}
