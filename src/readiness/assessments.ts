// Readiness in the database: versioned assessments (who, when, rationale; audited), evaluation results, the
// evidence facts Twelve can see for an agent, and the effective mode the runtime enforces.
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ToolRegistry } from '../runtime/tools.ts';
import type { AgentConfig } from '../runtime/types.ts';
import type { Queryable } from '../store/db.ts';
import { checkEvidence, type EvidenceFacts, type EvidenceResult } from './evidence.ts';
import { type Mode, type ReadinessResult, scoreReadiness, validateScores } from './model.ts';

export interface Assessment extends ReadinessResult {
  id: string;
  agentId: string;
  version: number;
  rationale: string;
  assessedBy: string;
  createdAt: Date;
}

export const AssessmentInputSchema = z
  .object({
    clarity: z.number().int().min(1).max(5),
    tolerance: z.number().int().min(1).max(5),
    fallback: z.number().int().min(1).max(5),
    rationale: z.string().max(5000).default(''),
  })
  .strict();
export type AssessmentInput = z.input<typeof AssessmentInputSchema>;

function presentAssessmentRow(r: Record<string, unknown>): Assessment {
  const result = scoreReadiness(
    validateScores({ clarity: r.clarity, tolerance: r.tolerance, fallback: r.fallback }),
  );
  return {
    ...result,
    id: String(r.id),
    agentId: String(r.agent_id),
    version: Number(r.version),
    rationale: String(r.rationale),
    assessedBy: String(r.assessed_by),
    createdAt: r.created_at as Date,
  };
}

export async function assessmentRecorder(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: AssessmentInput,
): Promise<Assessment> {
  const parsed = AssessmentInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', undefined, parsed.error.issues);
  const { rationale, ...scores } = parsed.data;
  const result = scoreReadiness(validateScores(scores));
  return svc.db.transaction(async (tx) => {
    // Lock the agent row so two concurrent assessments get consecutive versions instead of a conflict.
    const [agent] = await tx.query('SELECT id FROM agents WHERE id = $1 FOR UPDATE', [agentId]);
    if (!agent) throw new AppError('not_found', 'no such agent');
    const [row] = await tx.query(
      `INSERT INTO readiness_assessments (agent_id, version, clarity, tolerance, fallback, total, band, rationale, assessed_by, created_at)
       VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM readiness_assessments WHERE agent_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING *`,
      [
        agentId,
        scores.clarity,
        scores.tolerance,
        scores.fallback,
        result.total,
        result.band,
        rationale,
        actor,
        svc.clock.now(),
      ],
    );
    const a = presentAssessmentRow(row!);
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor,
        action: 'readiness.assessed',
        subject: `agent:${agentId}`,
        payload: { version: a.version, scores: a.scores, total: a.total, band: a.band, rationale },
      },
      tx,
    );
    return a;
  });
}

export async function assessmentHistory(q: Queryable, agentId: string): Promise<Assessment[]> {
  const rows = await q.query(
    'SELECT * FROM readiness_assessments WHERE agent_id = $1 ORDER BY version DESC',
    [agentId],
  );
  return rows.map(presentAssessmentRow);
}

export async function latestAssessment(q: Queryable, agentId: string): Promise<Assessment | null> {
  const [row] = await q.query(
    'SELECT * FROM readiness_assessments WHERE agent_id = $1 ORDER BY version DESC LIMIT 1',
    [agentId],
  );
  return row ? presentAssessmentRow(row) : null;
}

export interface EvaluationRecord {
  id: string;
  agentId: string;
  kind: string;
  passed: boolean;
  report: unknown;
  createdAt: Date;
}

export async function evaluationRecorder(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: { kind: string; passed: boolean; report: unknown },
): Promise<EvaluationRecord> {
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query<Record<string, unknown>>(
      'INSERT INTO evaluations (agent_id, kind, passed, report, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [agentId, input.kind, input.passed, JSON.stringify(input.report ?? {}), svc.clock.now()],
    );
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor,
        action: 'evaluation.recorded',
        subject: `agent:${agentId}`,
        payload: { kind: input.kind, passed: input.passed },
      },
      tx,
    );
    return {
      id: String(row!.id),
      agentId,
      kind: String(row!.kind),
      passed: Boolean(row!.passed),
      report: row!.report,
      createdAt: row!.created_at as Date,
    };
  });
}

/** What Twelve can see about an agent, for the evidence checks. */
export async function gatherEvidenceFacts(
  q: Queryable,
  agent: AgentConfig,
  tools: ToolRegistry,
): Promise<EvidenceFacts> {
  // One round trip: this runs at the start of every run (the runtime's mode), so it stays cheap.
  const [row] = await q.query<{ last_eval: { passed: boolean; created_at: string } | null; humans: number }>(
    `SELECT (SELECT json_build_object('passed', passed, 'created_at', created_at) FROM evaluations
             WHERE agent_id = $1 ORDER BY created_at DESC LIMIT 1) AS last_eval,
            (SELECT count(*)::int FROM users WHERE role IN ('admin', 'reviewer') AND disabled_at IS NULL) AS humans`,
    [agent.id],
  );
  const evalRow = row?.last_eval ?? null;
  const humans = { n: row?.humans ?? 0 };
  const humanCount = agent.escalationContacts.length + (humans?.n ?? 0);
  const spendCapSet = agent.spendCapCents !== null;
  return {
    humansWhoCanTakeEscalations: humanCount,
    escalationRouteConfigured: humanCount > 0,
    // `voice: true`, or a linked number (`voice: {phoneNumberId}`, channels/voice): the agent takes calls.
    voiceChannel:
      agent.config.voice === true || (typeof agent.config.voice === 'object' && agent.config.voice !== null),
    transferNumber: agent.transferNumber,
    tools: tools.list().map((t) => ({
      name: t.name,
      risk: t.risk,
      // Destructive tools always need approval (the policy has no switch for it); spend tools need one beyond
      // the cap, so a cap makes them "behind approval"; a tool override can require it for any tool.
      requiresApproval:
        agent.toolOverrides[t.name]?.approval === 'always' ||
        t.risk === 'destructive' ||
        (t.risk === 'spend' && spendCapSet),
    })),
    spendCapSet,
    lastEvaluation: evalRow
      ? { passed: evalRow.passed, at: new Date(evalRow.created_at).toISOString() }
      : null,
  };
}

export interface ReadinessView {
  assessment: Assessment | null;
  evidence: EvidenceResult | null;
  facts: EvidenceFacts;
  effectiveMode: Mode;
  reasons: string[];
}

export async function readinessOf(
  q: Queryable,
  agent: AgentConfig,
  tools: ToolRegistry,
): Promise<ReadinessView> {
  const [assessment, facts] = await Promise.all([
    latestAssessment(q, agent.id),
    gatherEvidenceFacts(q, agent, tools),
  ]);
  if (!assessment) {
    return {
      assessment: null,
      evidence: null,
      facts,
      effectiveMode: 'shadow',
      reasons: [
        'No readiness assessment yet: the agent runs in shadow mode (drafts only) until one is recorded.',
      ],
    };
  }
  const evidence = checkEvidence(assessment.scores, facts);
  return { assessment, evidence, facts, effectiveMode: evidence.effectiveMode, reasons: evidence.reasons };
}
