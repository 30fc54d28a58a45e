// A support agent's evaluation on its own test set, over HTTP: upload a JSONL file of labelled questions, get the
// figures at the agent's threshold, the precision/coverage curve over thresholds and a suggested threshold; the
// result is recorded as the agent's readiness evidence for task clarity (the same agentEvaluator as
// `twelve eval agent`). The latest result is readable by anyone who can read readiness.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import { findAgent } from '../../../runtime/agents.ts';
import { AgentParam, route } from '../../../server/http.ts';
import { type AgentEvalReport, agentEvaluator } from '../agent-eval.ts';
import { type LabeledText, parseJsonl } from '../eval.ts';
import type { SupportContext } from '../kind.ts';

const EvalQuery = z
  .object({
    targetPrecision: z.coerce.number().gt(0).max(1).default(0.95),
  })
  .strict();

export const MAX_TEST_BYTES = 5 * 1024 * 1024;
export const MAX_TEST_QUESTIONS = 20_000;
const MAX_QUESTION_CHARS = 4000;
const TEST_MEDIA_TYPES = [
  'application/x-ndjson',
  'application/jsonl',
  'application/json',
  'text/plain',
  'application/octet-stream',
];

/** The uploaded test set: UTF-8 JSONL of {"text","label"}; every refusal names the line. */
export function parseTestSet(bytes: Uint8Array): LabeledText[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('unsupported_media_type', 'the test set is not UTF-8 text (JSON Lines are UTF-8)');
  }
  let rows: LabeledText[];
  try {
    rows = parseJsonl(text, 'test set');
  } catch (err) {
    throw new AppError('validation_failed', err instanceof Error ? err.message : String(err));
  }
  if (rows.length === 0)
    throw new AppError(
      'validation_failed',
      'the test set is empty: send one {"text","label"} object per line',
    );
  if (rows.length > MAX_TEST_QUESTIONS)
    throw new AppError('validation_failed', `a test set is limited to ${MAX_TEST_QUESTIONS} questions`);
  const long = rows.findIndex((r) => r.text.length > MAX_QUESTION_CHARS || r.text.trim() === '');
  if (long >= 0)
    throw new AppError(
      'validation_failed',
      `question ${long + 1}: the text must be 1 to ${MAX_QUESTION_CHARS} characters`,
    );
  return rows;
}

/**
 * An evaluation as the API shows it. Reports recorded before the curve existed (or by other means, without figures)
 * come back with an empty curve and no suggestion rather than missing fields; `report` is null when it holds no
 * figures at all.
 */
function present(e: { id: string; passed: boolean; createdAt: Date; report: unknown }) {
  const r = (e.report ?? {}) as Partial<AgentEvalReport>;
  return {
    evaluation: { id: e.id, passed: e.passed, createdAt: new Date(e.createdAt).toISOString() },
    report:
      typeof r.questions === 'number'
        ? ({
            ...r,
            curve: r.curve ?? [],
            suggestedThreshold: r.suggestedThreshold ?? null,
            oosShare: r.oosShare ?? null,
            byOosShare: r.byOosShare ?? [],
          } as AgentEvalReport)
        : null,
  };
}

export function registerEvaluationRoutes(server: FastifyInstance, app: SupportContext): void {
  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/evaluations',
      summary:
        'Evaluate a support agent on a labelled test set (JSONL body) at its threshold; records the result as its readiness evidence',
      tags: ['readiness'],
      permission: 'readiness.assess',
      params: AgentParam,
      query: EvalQuery,
      upload: {
        mediaTypes: TEST_MEDIA_TYPES,
        maxBytes: MAX_TEST_BYTES,
        description: `JSON Lines, UTF-8, at most ${MAX_TEST_QUESTIONS} lines: {"text": "a customer question", "label": "a FAQ entry's title or id, or oos for a question the agent must hand to a person"}.`,
      },
      status: 201,
    },
    async ({ params, query, raw, principal }) => {
      const agent = await findAgent(app.db, params.agent);
      if (agent.kind !== 'support')
        throw new AppError('validation_failed', `agent ${agent.name} is not a support agent`);
      const test = parseTestSet(raw!);
      const { evaluation } = await agentEvaluator(app, principal.actor, agent, test, {
        targetPrecision: query.targetPrecision,
      });
      return present(evaluation);
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/evaluations/latest',
      summary:
        "A support agent's latest evaluation: figures, the threshold curve and the suggested threshold",
      tags: ['readiness'],
      permission: 'readiness.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await findAgent(app.db, params.agent);
      const [row] = await app.db.query<{ id: string; passed: boolean; created_at: Date; report: unknown }>(
        `SELECT id, passed, created_at, report FROM evaluations WHERE agent_id = $1 AND kind = 'support'
         ORDER BY created_at DESC, id DESC LIMIT 1`,
        [agent.id],
      );
      // Not evaluated yet is a state, not an error: the dashboard asks on every visit.
      if (!row) return { evaluation: null, report: null };
      return present({
        id: String(row.id),
        passed: row.passed,
        createdAt: row.created_at,
        report: row.report,
      });
    },
  );
}
