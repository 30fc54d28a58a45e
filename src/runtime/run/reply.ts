// A `reply` step (DESIGN §2, ARCHITECTURE "A run, step by step" 7): decideReply → send | review | draft. A sent final
// reply without a delivery seam is one statement (finalReply) whose message.sent follows its commit; every other
// reply is a transaction (review and draft open an escalation carrying the draft), then the delivery seam if any.
import { randomUUID } from 'node:crypto';
import { AUDIT_COLUMNS, auditPlaceholders } from '../../audit/log.ts';
import { emitEvent, eventPayload } from '../../events/emit.ts';
import { runEscalator } from '../escalate.ts';
import { decideReply } from '../policy.ts';
import { type DriveState, type StepOutcome, safeJsonText, type WrittenMessage } from '../run-state.ts';
import type { Action } from '../types.ts';
import type { RunContext } from './context.ts';
import { audit, endEscalated, fastWrite, recordStep } from './write.ts';

export async function replyStep(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: Extract<Action, { type: 'reply' }>,
): Promise<StepOutcome> {
  const decision = decideReply({
    mode: state.run.mode,
    confidence: action.confidence,
    threshold: state.agent.confidenceThreshold,
    inCohort: state.run.inCohort,
    intent: action.intent,
  });
  if (decision === 'send' && action.final && !ctx.opts.deliver) return finalReply(ctx, state, idx, action);
  const trigger = state.run.trigger;
  const now = ctx.svc.clock.now();
  const messageId = await ctx.svc.db.transaction(async (tx) => {
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
    await recordStep(ctx, state, idx, action, decision, { message: msg!.id }, tx);
    await audit(
      ctx,
      tx,
      state,
      // Without a delivery seam the committed message row is the effect itself (channels pick it up from the
      // outbox or the event), so the send is audited once, here; with one, intent now and outcome after.
      decision === 'send'
        ? ctx.opts.deliver
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
      await runEscalator(ctx.svc, tx, state, {
        kind: 'review',
        reason,
        suggestedReply: action.text,
        code: decision === 'draft' ? 'shadow_draft' : 'review',
      });
    } else {
      // A final reply without a delivery step to wait for ends the run in the same transaction.
      if (action.final && !ctx.opts.deliver) {
        await tx.query(`UPDATE runs SET status = 'done', outcome = 'replied' WHERE id = $1`, [state.run.id]);
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
  if (decision !== 'send' || !ctx.opts.deliver) {
    state.written?.push(written);
    return decision !== 'send' || action.final ? 'stop' : 'continue';
  }
  try {
    await ctx.opts.deliver({
      messageId,
      agentId: state.agent.id,
      runId: state.run.id,
      conversationId: state.run.conversationId,
      channel: typeof trigger.channel === 'string' ? trigger.channel : null,
      text: action.text,
      sources: action.sources,
    });
  } catch (err) {
    await ctx.svc.db.query(`UPDATE messages SET status = 'failed' WHERE id = $1`, [messageId]);
    return endEscalated(
      ctx,
      state,
      `the reply could not be delivered: ${err instanceof Error ? err.message : String(err)}`,
      'delivery_failed',
    );
  }
  state.written?.push(written);
  if (action.final) {
    await ctx.svc.db.transaction(async (tx) => {
      await audit(ctx, tx, state, 'reply.sent', { message: messageId });
      await tx.query(
        `UPDATE runs SET status = 'done', outcome = 'replied' WHERE id = $1 AND status = 'running'`,
        [state.run.id],
      );
    });
    return 'stop';
  }
  await audit(ctx, ctx.svc.db, state, 'reply.sent', { message: messageId });
  return 'continue';
}

/**
 * A final reply that is sent, without a delivery seam (the committed row is the effect: channels pick it up from
 * the event or the outbox), as one statement: the message, the step, the run's step count, its end and the
 * release of its lease and the audit event; then the message.sent notification, after the commit
 * (AfterCommitNotifier: notifying inside the statement would serialize the turns' commits).
 */
async function finalReply(
  ctx: RunContext,
  state: DriveState,
  idx: number,
  action: Extract<Action, { type: 'reply' }>,
): Promise<StepOutcome> {
  const messageId = randomUUID();
  const result = { message: messageId };
  const now = ctx.svc.clock.now();
  const event = eventPayload({
    type: 'message.sent',
    messageId,
    conversationId: state.run.conversationId,
    runId: state.run.id,
  });
  const [row] = await fastWrite<Record<string, unknown>>(
    ctx,
    state,
    {
      action: 'reply.sent',
      payload: {
        message: messageId,
        confidence: action.confidence,
        threshold: state.agent.confidenceThreshold,
      },
    },
    [
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
      safeJsonText(action),
      JSON.stringify(result),
      ctx.svc.nodeId,
    ],
    (a) =>
      `WITH prev AS (SELECT lease_owner FROM runs WHERE id = $2),
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
  );
  ctx.notifier.notify(event);
  state.history.push({ idx, action, decision: 'send', result });
  state.run.stepsUsed = idx;
  state.released = row?.released === true ? row : null;
  state.written?.push(writtenReply(messageId, 'sent', action, now));
  return 'stop';
}

function replyMeta(action: Extract<Action, { type: 'reply' }>): Record<string, unknown> {
  return {
    intent: action.intent,
    ...(action.topic ? { topic: action.topic } : {}),
    // The brain's state for its next turn (ActionSchema's reply `state`): stored as given, never read here.
    ...(action.state ? { state: action.state } : {}),
  };
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
