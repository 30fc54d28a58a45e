// Presenters: the only way from a runtime row to API JSON. Dates become ISO strings; secrets (password and token
// hashes) have no field here to leak through. Shared by the runs, approvals, escalations, audit and admin routes,
// which present each other's objects (a run view holds approvals and escalations, an escalation holds its run).
import type { ApiToken } from '../accounts/users.ts';
import type { AuditEvent } from '../audit/log.ts';
import type { ApprovalView } from '../runtime/approvals.ts';
import type { Escalation, Message } from '../runtime/escalations.ts';
import type { Run } from '../runtime/runs.ts';
import type { StepRecord } from '../runtime/types.ts';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function presentRun(run: Run, agentName?: string) {
  return {
    id: run.id,
    agentId: run.agentId,
    ...(agentName === undefined ? {} : { agentName }),
    status: run.status,
    trigger: run.trigger,
    conversationId: run.conversationId,
    stepsUsed: run.stepsUsed,
    budget: run.budget,
    outcome: run.outcome,
    mode: run.mode,
    inCohort: run.inCohort,
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
  };
}

export function presentStep(step: StepRecord & { createdAt: Date }) {
  return {
    idx: step.idx,
    action: step.action,
    decision: step.decision,
    result: step.result,
    createdAt: step.createdAt.toISOString(),
  };
}

export function presentToolCallRow(r: Record<string, unknown>) {
  return {
    id: String(r.id),
    runId: String(r.run_id),
    stepIdx: Number(r.step_idx),
    tool: String(r.tool),
    args: r.args,
    risk: String(r.risk),
    decision: String(r.decision),
    status: String(r.status),
    idempotencyKey: String(r.idempotency_key),
    costCents: Number(r.cost_cents),
    result: r.result ?? null,
    createdAt: iso(r.created_at as Date),
    completedAt: iso((r.completed_at as Date | null) ?? null),
  };
}

export function presentApproval(a: ApprovalView, agentName?: string) {
  return {
    id: a.id,
    runId: a.runId,
    toolCallId: a.toolCallId,
    agentId: a.agentId,
    ...(agentName === undefined ? {} : { agentName }),
    ...(a.tool === undefined ? {} : { tool: a.tool, args: a.args, risk: a.risk }),
    reason: a.reason,
    status: a.status,
    decidedBy: a.decidedBy,
    decisionReason: a.decisionReason,
    decidedAt: iso(a.decidedAt),
    expiresAt: a.expiresAt.toISOString(),
    createdAt: a.createdAt.toISOString(),
  };
}

export function presentEscalation(e: Escalation, agentName?: string) {
  return {
    id: e.id,
    agentId: e.agentId,
    ...(agentName === undefined ? {} : { agentName }),
    runId: e.runId,
    conversationId: e.conversationId,
    kind: e.kind,
    reason: e.reason,
    summary: e.summary,
    suggestedReply: e.suggestedReply,
    state: e.state,
    claimedBy: e.claimedBy,
    claimedAt: iso(e.claimedAt),
    resolvedBy: e.resolvedBy,
    resolvedAt: iso(e.resolvedAt),
    resolution: e.resolution,
    draftAgreement: e.draftAgreement,
    createdAt: e.createdAt.toISOString(),
  };
}

export function presentMessage(m: Message) {
  return {
    id: m.id,
    runId: m.runId,
    agentId: m.agentId,
    conversationId: m.conversationId,
    direction: m.direction,
    author: m.author,
    status: m.status,
    body: m.body,
    confidence: m.confidence,
    sources: m.sources,
    channel: m.channel,
    delivery: m.delivery,
    deliveryError: m.deliveryError,
    createdAt: m.createdAt.toISOString(),
  };
}

export function presentAuditEvent(e: AuditEvent) {
  return {
    id: e.id,
    stream: e.stream,
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    payload: e.payload,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** Token metadata only: the secret is shown once by the create route and its hash never leaves the database. */
export function presentToken(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: iso(t.lastUsedAt),
    revoked: t.revoked,
  };
}
