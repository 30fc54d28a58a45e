// Applications: intake (the career page, a recruiter's bulk upload, the demo), the candidate views, the people's
// decisions (a stage machine; the agent has no tool for them), a candidate's request for a human review, the
// voluntary self-identification (stored apart; scoring never reads it) and erasure (a person's request, or the
// retention job). One application per job and email: a second one merges into the first (its file replaces the
// old one and is scored once; the same file again is never scored twice).
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Actor, Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { type Queryable, sqlState } from '../../store/db.ts';
import type { ScoreResult } from './engine/index.ts';
import type { Job } from './jobs.ts';
import { acceptResume, type ResumeFile, readResume } from './resume.ts';
import { eraseScreens } from './screen/screens.ts';

export const STAGES = ['applied', 'screen', 'interview', 'offer', 'hired', 'rejected'] as const;
export type Stage = (typeof STAGES)[number];
export const STATUSES = ['queued', 'screening', 'scored', 'needs_person', 'failed'] as const;
export type ScreenStatus = (typeof STATUSES)[number];
export const DECISIONS = ['advance', 'reject', 'hire'] as const;
export type Decision = (typeof DECISIONS)[number];
export type Source = 'career_page' | 'recruiter' | 'demo';

export interface Application {
  id: string;
  agentId: string;
  jobId: string;
  reference: string;
  name: string;
  email: string;
  phone: string | null;
  stage: Stage;
  status: ScreenStatus;
  statusReason: string | null;
  score: number | null;
  qualified: boolean | null;
  result: ScoreResult | null;
  redactedText: string | null;
  fileId: string | null;
  fileSha256: string | null;
  reviewRequestedAt: Date | null;
  reviewNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, agent_id, job_id, reference, name, email, phone, stage, status, status_reason, score, qualified,
  result, redacted_text, file_id, file_sha256, human_review_requested_at, review_note, created_at, updated_at`;

function applicationOf(r: Record<string, unknown>): Application {
  return {
    id: r.id as string,
    agentId: r.agent_id as string,
    jobId: r.job_id as string,
    reference: r.reference as string,
    name: r.name as string,
    email: r.email as string,
    phone: (r.phone as string | null) ?? null,
    stage: r.stage as Stage,
    status: r.status as ScreenStatus,
    statusReason: (r.status_reason as string | null) ?? null,
    score: (r.score as number | null) ?? null,
    qualified: (r.qualified as boolean | null) ?? null,
    result: (r.result as ScoreResult | null) ?? null,
    redactedText: (r.redacted_text as string | null) ?? null,
    fileId: (r.file_id as string | null) ?? null,
    fileSha256: (r.file_sha256 as string | null) ?? null,
    reviewRequestedAt: (r.human_review_requested_at as Date | null) ?? null,
    reviewNote: (r.review_note as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export async function getApplication(q: Queryable, id: string): Promise<Application> {
  const [row] = await q.query(
    `SELECT ${COLUMNS} FROM hiring_applications WHERE id = $1 AND erased_at IS NULL`,
    [id],
  );
  if (!row) throw new AppError('not_found', 'no such application');
  return applicationOf(row);
}

/** A job's candidates, best score first (unscored last), optionally of one stage; erased ones are gone. */
export async function listCandidates(q: Queryable, jobId: string, stage?: Stage): Promise<Application[]> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM hiring_applications
     WHERE job_id = $1 AND erased_at IS NULL AND ($2::text IS NULL OR stage = $2)
     ORDER BY score DESC NULLS LAST, created_at, id`,
    [jobId, stage ?? null],
  );
  return rows.map(applicationOf);
}

export function presentCandidate(a: Application) {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    phone: a.phone,
    stage: a.stage,
    status: a.status,
    statusReason: a.statusReason,
    score: a.score,
    qualified: a.qualified,
    yearsOfExperience: a.result?.yearsOfExperience ?? null,
    reviewRequested: a.reviewRequestedAt !== null,
    createdAt: a.createdAt.toISOString(),
  };
}

export type CandidateView = ReturnType<typeof presentCandidate>;

export interface DecisionRecord {
  id: string;
  fromStage: Stage;
  toStage: Stage;
  decision: Decision;
  reason: string;
  userId: string;
  decidedAt: string;
}

export async function listDecisions(q: Queryable, applicationId: string): Promise<DecisionRecord[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT id, from_stage, to_stage, decision, reason, user_id, decided_at FROM hiring_decisions
     WHERE application_id = $1 ORDER BY decided_at, id`,
    [applicationId],
  );
  return rows.map((r) => ({
    id: r.id as string,
    fromStage: r.from_stage as Stage,
    toStage: r.to_stage as Stage,
    decision: r.decision as Decision,
    reason: r.reason as string,
    userId: r.user_id as string,
    decidedAt: (r.decided_at as Date).toISOString(),
  }));
}

export async function fileOf(
  q: Queryable,
  applicationId: string,
): Promise<{ name: string; mime: string; size: number; bytes: Buffer } | null> {
  const [row] = await q.query<{ name: string; mime: string; size: number; bytes: Uint8Array }>(
    `SELECT f.name, f.mime, f.size, f.bytes FROM hiring_applications a JOIN hiring_files f ON f.id = a.file_id
     WHERE a.id = $1 AND a.erased_at IS NULL`,
    [applicationId],
  );
  return row ? { ...row, bytes: Buffer.from(row.bytes) } : null;
}

export async function fileInfo(q: Queryable, applicationId: string) {
  const [row] = await q.query<{ name: string; mime: string; size: number }>(
    `SELECT f.name, f.mime, f.size FROM hiring_applications a JOIN hiring_files f ON f.id = a.file_id
     WHERE a.id = $1`,
    [applicationId],
  );
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// Intake

export const ApplicantSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().max(320).pipe(z.email()),
    phone: z
      .string()
      .trim()
      .max(40)
      .regex(/^[+()\d\s.-]{5,40}$/, 'a phone number')
      .optional()
      .or(z.literal('').transform(() => undefined)),
  })
  .strict();

const REFERENCE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
function newReference(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return s;
}
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IntakeInput {
  name: string;
  email: string;
  phone?: string | undefined;
  consent: boolean;
  source: Source;
  file: { name: string; bytes: Buffer; truncated?: boolean };
}

export interface IntakeResult {
  application: Application;
  reference: string;
  selfIdToken: string;
  merged: boolean;
  /** Set when the file was refused or unreadable: the application is kept (needs_person) and this is the answer. */
  fileError: AppError | null;
  /** True when the stored result already scored this file (a merge with the same file): nothing to screen. */
  queued: boolean;
}

/** What the file gives the application: the stored file, its text, the status and the reason. */
async function prepareFile(file: IntakeInput['file']): Promise<{
  file: ResumeFile | null;
  text: string | null;
  status: ScreenStatus;
  reason: string | null;
  error: AppError | null;
}> {
  let accepted: ResumeFile;
  try {
    if (file.truncated) throw new AppError('file_too_large', 'the resume is larger than 10 MB');
    accepted = acceptResume(file.name, file.bytes);
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError('file_type_unsupported');
    return {
      file: null,
      text: null,
      status: 'needs_person',
      reason: `no resume was kept: ${e.message}`,
      error: e,
    };
  }
  const read = await readResume(accepted);
  if (!read.ok) {
    const error = new AppError(
      'file_unreadable',
      `${read.reason}. Your application is kept and a person will look at it.`,
    );
    return { file: accepted, text: null, status: 'needs_person', reason: read.reason, error };
  }
  return { file: accepted, text: read.text, status: 'queued', reason: read.note, error: null };
}

/**
 * Takes an application for an open job (a recruiter's upload may be for a draft job too). The file is checked and
 * read first (outside the transaction: reading can take seconds); the application is written in one transaction
 * with its file and audited (no personal data in the audit). Throws job_not_open or consent_required before
 * anything is written; a file problem keeps the application and answers in `fileError`.
 */
export async function applicationTaker(
  svc: Services,
  actor: Actor,
  job: Job,
  input: IntakeInput,
): Promise<IntakeResult> {
  if (job.status === 'closed' || (input.source === 'career_page' && job.status !== 'open'))
    throw new AppError('job_not_open');
  if (!input.consent) throw new AppError('consent_required', 'tick the consent box to apply');
  const parsed = ApplicantSchema.safeParse({ name: input.name, email: input.email, phone: input.phone });
  if (!parsed.success)
    throw new AppError(
      'validation_failed',
      'the application is not valid',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const who = parsed.data;
  const prepared = await prepareFile(input.file);
  const selfIdToken = randomBytes(24).toString('base64url');
  for (let attempt = 0; ; attempt++) {
    try {
      return await svc.db.transaction(async (tx) => {
        const now = svc.clock.now();
        const fileId = prepared.file ? await insertFile(tx, prepared.file) : null;
        const [existing] = await tx.query(
          `SELECT ${COLUMNS}, scored_sha256 FROM hiring_applications
           WHERE job_id = $1 AND lower(email) = lower($2) AND erased_at IS NULL FOR UPDATE`,
          [job.id, who.email],
        );
        if (existing) {
          const current = applicationOf(existing);
          // Same file as the one scored: keep the result, nothing to screen again.
          const sameAsScored = prepared.file !== null && existing.scored_sha256 === prepared.file.sha256;
          const keepFile = prepared.file === null && current.fileId !== null;
          const status: ScreenStatus = keepFile
            ? current.status
            : sameAsScored && current.result
              ? 'scored'
              : prepared.status;
          // A refused file on a second application keeps the first one's file, text and result.
          const [row] = keepFile
            ? await tx.query(
                `UPDATE hiring_applications SET name = $2, phone = $3, consent_at = $4, self_id_hash = $5,
                   updated_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
                [current.id, who.name, who.phone ?? null, now, tokenHash(selfIdToken)],
              )
            : await tx.query(
                `UPDATE hiring_applications SET name = $2, phone = $3, consent_at = $4, self_id_hash = $5,
                   file_id = $6, file_sha256 = $7, text = $8, status = $9, status_reason = $10, updated_at = $4,
                   claimed_at = NULL
                 WHERE id = $1 RETURNING ${COLUMNS}`,
                [
                  current.id,
                  who.name,
                  who.phone ?? null,
                  now,
                  tokenHash(selfIdToken),
                  fileId,
                  prepared.file?.sha256 ?? null,
                  prepared.text,
                  status,
                  status === 'scored' ? null : prepared.reason,
                ],
              );
          if (!keepFile && current.fileId && current.fileId !== fileId)
            await tx.query('DELETE FROM hiring_files WHERE id = $1', [current.fileId]);
          await svc.audit.append(
            {
              stream: `agent:${job.agentId}`,
              actor,
              action: 'hiring.application_merged',
              subject: `application:${current.id}`,
              payload: { job: job.id, source: input.source, status, sameFile: sameAsScored },
            },
            tx,
          );
          return {
            application: applicationOf(row!),
            reference: current.reference,
            selfIdToken,
            merged: true,
            fileError: prepared.error,
            queued: status === 'queued',
          };
        }
        const [row] = await tx.query(
          `INSERT INTO hiring_applications (agent_id, job_id, reference, self_id_hash, name, email, phone, consent_at,
             source, status, status_reason, file_id, file_sha256, text, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $8, $8) RETURNING ${COLUMNS}`,
          [
            job.agentId,
            job.id,
            newReference(),
            tokenHash(selfIdToken),
            who.name,
            who.email,
            who.phone ?? null,
            now,
            input.source,
            prepared.status,
            prepared.reason,
            fileId,
            prepared.file?.sha256 ?? null,
            prepared.text,
          ],
        );
        const application = applicationOf(row!);
        await svc.audit.append(
          {
            stream: `agent:${job.agentId}`,
            actor,
            action: 'hiring.application_received',
            subject: `application:${application.id}`,
            payload: { job: job.id, source: input.source, status: application.status },
          },
          tx,
        );
        return {
          application,
          reference: application.reference,
          selfIdToken,
          merged: false,
          fileError: prepared.error,
          queued: application.status === 'queued',
        };
      });
    } catch (err) {
      // Two first applications with the same email at once (or a reference collision): the loser merges.
      if (sqlState(err) === '23505' && attempt < 3) continue;
      throw err;
    }
  }
}

async function insertFile(tx: Queryable, file: ResumeFile): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO hiring_files (name, mime, size, sha256, bytes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [file.name, file.mime, file.size, file.sha256, file.bytes],
  );
  return row!.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions: people only

/** Where each decision may go from each stage. */
export function nextStage(stage: Stage, decision: Decision): Stage | null {
  if (decision === 'reject') return stage === 'hired' || stage === 'rejected' ? null : 'rejected';
  if (decision === 'hire') return stage === 'offer' || stage === 'interview' ? 'hired' : null;
  const order: Partial<Record<Stage, Stage>> = { applied: 'screen', screen: 'interview', interview: 'offer' };
  return order[stage] ?? null;
}

export const DecisionSchema = z
  .object({
    decision: z.enum(DECISIONS),
    reason: z.string().trim().min(3).max(2000),
    /** The stage the person saw (optional): if the candidate has moved since, the decision is refused. */
    fromStage: z.enum(STAGES).optional(),
  })
  .strict();

/**
 * A person's decision on an application: a conditional update of its stage (two people deciding at once: one wins,
 * the other gets invalid_state), the decision row with its reason, and the audit event, in one transaction.
 */
export async function decisionMaker(
  svc: Services,
  actor: Actor,
  applicationId: string,
  input: z.input<typeof DecisionSchema>,
): Promise<Application> {
  const body = DecisionSchema.parse(input);
  if (!actor.startsWith('user:') && !actor.startsWith('token:') && actor !== 'cli')
    throw new AppError('forbidden', 'only a person decides on a candidate');
  return svc.db.transaction(async (tx) => {
    const current = await getApplication(tx, applicationId);
    if (body.fromStage && body.fromStage !== current.stage)
      throw new AppError(
        'invalid_state',
        `the candidate is in stage ${current.stage} now, not ${body.fromStage}; reload`,
        {
          stage: current.stage,
        },
      );
    const to = nextStage(current.stage, body.decision);
    if (!to)
      throw new AppError(
        'invalid_state',
        `a candidate in stage ${current.stage} cannot get "${body.decision}"`,
        {
          stage: current.stage,
        },
      );
    const now = svc.clock.now();
    const [row] = await tx.query(
      `UPDATE hiring_applications SET stage = $3, updated_at = $4 WHERE id = $1 AND stage = $2 AND erased_at IS NULL
       RETURNING ${COLUMNS}`,
      [applicationId, current.stage, to, now],
    );
    if (!row) throw new AppError('invalid_state', 'the candidate was just moved by someone else; reload');
    await tx.query(
      `INSERT INTO hiring_decisions (application_id, from_stage, to_stage, decision, reason, user_id, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [applicationId, current.stage, to, body.decision, body.reason, actor, now],
    );
    await svc.audit.append(
      {
        stream: `agent:${current.agentId}`,
        actor,
        action: 'hiring.decision',
        subject: `application:${applicationId}`,
        payload: {
          job: current.jobId,
          decision: body.decision,
          from: current.stage,
          to,
          // The reason stays in hiring_decisions (erased with the candidate); the audit keeps only its hash.
          reasonSha256: createHash('sha256').update(body.reason).digest('hex'),
        },
      },
      tx,
    );
    return applicationOf(row);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The candidate's rights: a human review, voluntary self-identification

export const ReviewRequestSchema = z
  .object({
    reference: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{8}$/, 'the 8-character reference'),
    email: z.string().trim().max(320),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();

/** A candidate asks for a person to review their application; unknown reference or email → not_found. */
export async function reviewRequester(
  svc: Services,
  agentId: string,
  input: z.input<typeof ReviewRequestSchema>,
): Promise<void> {
  const body = ReviewRequestSchema.parse(input);
  await svc.db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string; job_id: string }>(
      `UPDATE hiring_applications SET human_review_requested_at = $4, review_note = $5, updated_at = $4
       WHERE agent_id = $1 AND reference = $2 AND lower(email) = lower($3) AND erased_at IS NULL
       RETURNING id, job_id`,
      [agentId, body.reference, body.email, svc.clock.now(), body.note ?? null],
    );
    if (!row) throw new AppError('not_found', 'no application with that reference and email');
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor: 'candidate',
        action: 'hiring.review_requested',
        subject: `application:${row.id}`,
        payload: { job: row.job_id },
      },
      tx,
    );
  });
}

const Answer = z.string().trim().min(1).max(100);
export const SelfIdSchema = z
  .object({
    token: z.string().min(16).max(100),
    answers: z
      .object({
        gender: Answer.optional(),
        ethnicity: Answer.optional(),
        disability: Answer.optional(),
        veteran: Answer.optional(),
        age_band: Answer.optional(),
      })
      .strict(),
  })
  .strict();
export const SELF_ID_DIMENSIONS = ['gender', 'ethnicity', 'disability', 'veteran', 'age_band'] as const;

/** Stores (replaces) the voluntary answers of the application the token was given for. */
export async function selfIdSaver(svc: Services, agentId: string, input: z.input<typeof SelfIdSchema>) {
  const body = SelfIdSchema.parse(input);
  const [app] = await svc.db.query<{ id: string }>(
    `SELECT id FROM hiring_applications WHERE agent_id = $1 AND self_id_hash = $2 AND erased_at IS NULL`,
    [agentId, tokenHash(body.token)],
  );
  if (!app) throw new AppError('not_found', 'the self-identification link is not valid');
  await svc.db.query(
    `INSERT INTO hiring_self_id (application_id, answers, created_at) VALUES ($1, $2, $3)
     ON CONFLICT (application_id) DO UPDATE SET answers = EXCLUDED.answers, created_at = EXCLUDED.created_at`,
    [app.id, JSON.stringify(body.answers), svc.clock.now()],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Erasure

/**
 * Erases a candidate: the file, the text, the scores, the self-identification and the decisions' reasons are
 * deleted, the row stays as a tombstone (ids, stage, dates) so counts and the audit still add up; the audit event
 * names the application and the job, nothing personal. Erasing twice is a no-op (false).
 */
export async function applicationEraser(
  svc: Services,
  actor: Actor,
  applicationId: string,
  why: 'request' | 'retention',
): Promise<boolean> {
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query<{ agent_id: string; job_id: string; file_id: string | null }>(
      `SELECT agent_id, job_id, file_id FROM hiring_applications WHERE id = $1 AND erased_at IS NULL FOR UPDATE`,
      [applicationId],
    );
    if (!row) return false;
    const now = svc.clock.now();
    await tx.query(
      `UPDATE hiring_applications SET name = '[erased]', email = 'erased:' || id::text, phone = NULL, text = NULL,
         redacted_text = NULL, result = NULL, score = NULL, qualified = NULL, file_id = NULL, file_sha256 = NULL,
         scored_sha256 = NULL, self_id_hash = NULL, review_note = NULL, status_reason = 'erased', erased_at = $2,
         updated_at = $2
       WHERE id = $1`,
      [applicationId, now],
    );
    if (row.file_id) await tx.query('DELETE FROM hiring_files WHERE id = $1', [row.file_id]);
    await tx.query('DELETE FROM hiring_self_id WHERE application_id = $1', [applicationId]);
    // The phone screen: transcripts, assessments, invitations, and the contact on its booking.
    await eraseScreens(tx, applicationId, now);
    await tx.query(`UPDATE hiring_decisions SET reason = '[erased]' WHERE application_id = $1`, [
      applicationId,
    ]);
    await svc.audit.append(
      {
        stream: `agent:${row.agent_id}`,
        actor,
        action: 'hiring.application_erased',
        subject: `application:${applicationId}`,
        payload: { job: row.job_id, why },
      },
      tx,
    );
    return true;
  });
}

export const DEFAULT_RETENTION_DAYS = 180;

/**
 * Erases closed applications (hired, rejected, or of a closed job) untouched for longer than their agent's
 * retention period (agent.config.retentionDays, default 180). Safe on two nodes at once: erasure is conditional.
 */
export async function retentionSweeper(svc: Services, limit = 500): Promise<{ erased: number }> {
  const due = await svc.db.query<{ id: string }>(
    `SELECT a.id FROM hiring_applications a
     JOIN agents g ON g.id = a.agent_id JOIN hiring_jobs j ON j.id = a.job_id
     WHERE a.erased_at IS NULL AND (a.stage IN ('hired', 'rejected') OR j.status = 'closed')
       AND a.updated_at < $1::timestamptz - make_interval(days => COALESCE((g.config->>'retentionDays')::int, $2))
     ORDER BY a.updated_at LIMIT ${limit}`,
    [svc.clock.now(), DEFAULT_RETENTION_DAYS],
  );
  let erased = 0;
  for (const { id } of due) if (await applicationEraser(svc, 'system', id, 'retention')) erased++;
  return { erased };
}
