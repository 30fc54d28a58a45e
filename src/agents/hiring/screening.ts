// Screening, as a queue: an application with text waits as `queued`; a screener claims it (a conditional update:
// one node wins), redacts the text (names, contacts, addresses, ages, gender words… go before scoring), scores it
// against the job's rubric with the engine (the local one, or the LLM one when the agent's config says
// `engine: 'llm'`; its quotes are checked against the redacted text), and stores the result. A file whose sha256
// the stored result already scored is never scored again. A claim older than the lease is taken over (a node died
// mid-screen). Each screened application emits `hiring.screened` (the dashboard's progress).
//
// This module reads the application's text, its job and the agent: never the candidate's voluntary demographic
// answers (applications.test.ts greps this file and the engine for that table's name).
import type { Services } from '../../context.ts';
import type { LlmBackend } from '../../engines/llm/backend.ts';
import { emitEvent } from '../../events/emit.ts';
import {
  checkQuotes,
  llmScoreResume,
  type Rubric,
  redact,
  type ScoreResult,
  scoreResume,
} from './engine/index.ts';

/** A claim older than this is taken over by the next screener. */
export const SCREEN_LEASE_MS = 5 * 60_000;

export interface ScreeningDeps extends Services {
  llm?: () => LlmBackend;
}

export type ScreenOutcome =
  | { id: string; outcome: 'scored'; score: number; qualified: boolean }
  | { id: string; outcome: 'skipped' }
  | { id: string; outcome: 'failed'; reason: string };

interface Claimed {
  id: string;
  agent_id: string;
  job_id: string;
  name: string;
  email: string;
  phone: string | null;
  text: string | null;
  file_sha256: string | null;
  scored_sha256: string | null;
  rubric: Omit<Rubric, 'threshold'>;
  threshold: number;
  config: Record<string, unknown>;
}

/** Claims one application for screening (queued, or a screening claim past its lease); null if another has it. */
async function claim(svc: Services, id: string): Promise<Claimed | null> {
  const now = svc.clock.now();
  const [row] = await svc.db.query<Claimed>(
    `UPDATE hiring_applications a SET status = 'screening', claimed_at = $2, updated_at = $2
     FROM hiring_jobs j, agents g
     WHERE a.id = $1 AND j.id = a.job_id AND g.id = a.agent_id AND a.erased_at IS NULL
       AND (a.status = 'queued' OR (a.status = 'screening' AND a.claimed_at < $3))
     RETURNING a.id, a.agent_id, a.job_id, a.name, a.email, a.phone, a.text, a.file_sha256, a.scored_sha256,
       j.rubric, j.threshold, g.config`,
    [id, now, new Date(now.getTime() - SCREEN_LEASE_MS)],
  );
  return row ?? null;
}

/** Scores one text against a rubric: redaction first, then the engine the agent's config names. */
export async function scoreText(
  deps: ScreeningDeps,
  rubric: Rubric,
  text: string,
  known: { name?: string; email?: string; phone?: string },
  engine: 'local' | 'llm' = 'local',
): Promise<{ redactedText: string; result: ScoreResult }> {
  const { text: redactedText } = redact(text, known);
  if (engine === 'llm' && deps.llm) {
    const result = await llmScoreResume(deps.llm(), rubric, { redactedText });
    return { redactedText, result: checkQuotes(redactedText, result) };
  }
  return { redactedText, result: scoreResume(rubric, redactedText, { now: deps.clock.now() }) };
}

/** Screens one application if it is waiting (or its claim expired); answers what happened. */
export async function screenApplication(deps: ScreeningDeps, id: string): Promise<ScreenOutcome> {
  const row = await claim(deps, id);
  if (!row) return { id, outcome: 'skipped' };
  const now = () => deps.clock.now();
  try {
    if (row.text === null) {
      await deps.db.query(
        `UPDATE hiring_applications SET status = 'needs_person', status_reason = COALESCE(status_reason, $2),
           claimed_at = NULL, updated_at = $3 WHERE id = $1`,
        [id, 'there is no resume text to score', now()],
      );
      return { id, outcome: 'failed', reason: 'no text' };
    }
    if (row.file_sha256 !== null && row.scored_sha256 === row.file_sha256) {
      // This very file was scored already (a merge with the same file): the result stands.
      await deps.db.query(
        `UPDATE hiring_applications SET status = 'scored', claimed_at = NULL WHERE id = $1 AND result IS NOT NULL`,
        [id],
      );
      return { id, outcome: 'skipped' };
    }
    const rubric: Rubric = { criteria: row.rubric.criteria, threshold: row.threshold };
    const engine = row.config?.engine === 'llm' ? 'llm' : 'local';
    const known = { name: row.name, email: row.email, ...(row.phone ? { phone: row.phone } : {}) };
    const { redactedText, result } = await scoreText(deps, rubric, row.text, known, engine);
    const [done] = await deps.db.transaction(async (tx) => {
      const updated = await tx.query<{ id: string }>(
        `UPDATE hiring_applications SET status = 'scored', status_reason = NULL, redacted_text = $2, result = $3,
           score = $4, qualified = $5, scored_sha256 = file_sha256, claimed_at = NULL, updated_at = $6, scored_at = $6
         WHERE id = $1 AND status = 'screening' AND erased_at IS NULL AND file_sha256 IS NOT DISTINCT FROM $7
         RETURNING id`,
        [id, redactedText, JSON.stringify(result), result.score, result.qualified, now(), row.file_sha256],
      );
      if (updated.length > 0)
        await emitEvent(tx, {
          type: 'hiring.screened',
          agentId: row.agent_id,
          jobId: row.job_id,
          applicationId: id,
          score: result.score,
        });
      return updated;
    });
    // Erased or replaced by a merge meanwhile: the merge queued the new file, which is screened on its own.
    if (!done) return { id, outcome: 'skipped' };
    return { id, outcome: 'scored', score: result.score, qualified: result.qualified };
  } catch (err) {
    const reason = `screening failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
    await deps.db.query(
      `UPDATE hiring_applications SET status = 'failed', status_reason = $2, claimed_at = NULL, updated_at = $3
       WHERE id = $1 AND status = 'screening'`,
      [id, reason, now()],
    );
    return { id, outcome: 'failed', reason };
  }
}

/** Screens what is waiting (oldest first, at most `limit`), optionally of one job. */
export async function screenWaiting(
  deps: ScreeningDeps,
  options: { jobId?: string; limit?: number; onProgress?: (o: ScreenOutcome) => void } = {},
): Promise<ScreenOutcome[]> {
  const now = deps.clock.now();
  const rows = await deps.db.query<{ id: string }>(
    `SELECT id FROM hiring_applications
     WHERE erased_at IS NULL AND ($1::uuid IS NULL OR job_id = $1)
       AND (status = 'queued' OR (status = 'screening' AND claimed_at < $2))
     ORDER BY created_at, id LIMIT $3`,
    [options.jobId ?? null, new Date(now.getTime() - SCREEN_LEASE_MS), options.limit ?? 200],
  );
  const outcomes: ScreenOutcome[] = [];
  for (const { id } of rows) {
    const o = await screenApplication(deps, id);
    outcomes.push(o);
    options.onProgress?.(o);
  }
  return outcomes;
}

/** Puts an application back in the queue to be scored again (a changed rubric): the file's last score is forgotten. */
export async function rescoreRequester(svc: Services, actor: string, id: string): Promise<boolean> {
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query<{ agent_id: string; job_id: string }>(
      `UPDATE hiring_applications SET status = 'queued', scored_sha256 = NULL, claimed_at = NULL, updated_at = $2
       WHERE id = $1 AND erased_at IS NULL AND text IS NOT NULL AND status <> 'screening'
       RETURNING agent_id, job_id`,
      [id, svc.clock.now()],
    );
    if (!row) return false;
    await svc.audit.append(
      {
        stream: `agent:${row.agent_id}`,
        actor,
        action: 'hiring.rescore_requested',
        subject: `application:${id}`,
        payload: { job: row.job_id },
      },
      tx,
    );
    return true;
  });
}
