// Job postings: a title and description, a rubric the engine proposes from the description and people edit, and a
// qualification threshold. Every change is audited on the agent's stream in the same transaction.
import { z } from 'zod';
import type { Actor, Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../store/db.ts';
import { proposeRubric, type Rubric } from './engine/index.ts';
import { RubricSchema } from './rubric.ts';

export const JOB_STATUSES = ['draft', 'open', 'closed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const DEFAULT_THRESHOLD = 60;

export interface Job {
  id: string;
  agentId: string;
  title: string;
  description: string;
  location: string | null;
  employment: string | null;
  status: JobStatus;
  rubric: Rubric;
  threshold: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface JobCounts {
  applications: number;
  scored: number;
  qualified: number;
  needsPerson: number;
}

const Text = (max: number) => z.string().trim().min(1).max(max);
export const JobCreateSchema = z
  .object({
    title: Text(200),
    description: Text(50_000),
    location: z.string().trim().max(200).nullish(),
    employment: z.string().trim().max(100).nullish(),
    status: z.enum(JOB_STATUSES).optional(),
  })
  .strict();
export const JobPatchSchema = z
  .object({
    title: Text(200).optional(),
    description: Text(50_000).optional(),
    location: z.string().trim().max(200).nullish(),
    employment: z.string().trim().max(100).nullish(),
    status: z.enum(JOB_STATUSES).optional(),
    rubric: RubricSchema.optional(),
    threshold: z.number().int().min(0).max(100).optional(),
  })
  .strict();

const COLUMNS = `id, agent_id, title, description, location, employment, status, rubric, threshold, created_at, updated_at`;

function jobOf(r: Record<string, unknown>): Job {
  return {
    id: r.id as string,
    agentId: r.agent_id as string,
    title: r.title as string,
    description: r.description as string,
    location: (r.location as string | null) ?? null,
    employment: (r.employment as string | null) ?? null,
    status: r.status as JobStatus,
    rubric: { ...(r.rubric as Rubric), threshold: r.threshold as number },
    threshold: r.threshold as number,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export async function getJob(q: Queryable, id: string): Promise<Job> {
  const [row] = await q.query(`SELECT ${COLUMNS} FROM hiring_jobs WHERE id = $1`, [id]);
  if (!row) throw new AppError('not_found', 'no such job');
  return jobOf(row);
}

export async function listJobs(q: Queryable, agentId: string, status?: JobStatus): Promise<Job[]> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM hiring_jobs WHERE agent_id = $1 AND ($2::text IS NULL OR status = $2)
     ORDER BY created_at DESC, id`,
    [agentId, status ?? null],
  );
  return rows.map(jobOf);
}

/** Per job: applications (not erased), scored, qualified, waiting for a person. */
export async function jobCounts(q: Queryable, jobIds: string[]): Promise<Map<string, JobCounts>> {
  const rows = await q.query<Record<string, string | number>>(
    `SELECT job_id, count(*) AS applications, count(*) FILTER (WHERE status = 'scored') AS scored,
       count(*) FILTER (WHERE qualified) AS qualified, count(*) FILTER (WHERE status = 'needs_person') AS needs_person
     FROM hiring_applications WHERE job_id = ANY($1::uuid[]) AND erased_at IS NULL GROUP BY job_id`,
    [jobIds],
  );
  const counts = new Map<string, JobCounts>();
  for (const id of jobIds) counts.set(id, { applications: 0, scored: 0, qualified: 0, needsPerson: 0 });
  for (const r of rows)
    counts.set(r.job_id as string, {
      applications: Number(r.applications),
      scored: Number(r.scored),
      qualified: Number(r.qualified),
      needsPerson: Number(r.needs_person),
    });
  return counts;
}

export function presentJob(job: Job, counts?: JobCounts) {
  return {
    id: job.id,
    title: job.title,
    description: job.description,
    location: job.location,
    employment: job.employment,
    status: job.status,
    rubric: job.rubric,
    threshold: job.threshold,
    counts: counts ?? { applications: 0, scored: 0, qualified: 0, needsPerson: 0 },
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

export type JobView = ReturnType<typeof presentJob>;

export async function jobCreator(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: z.input<typeof JobCreateSchema>,
): Promise<Job> {
  const body = JobCreateSchema.parse(input);
  const rubric = proposeRubric(`${body.title}\n\n${body.description}`);
  const { threshold: _t, ...criteria } = rubric;
  return svc.db.transaction(async (tx) => {
    const now = svc.clock.now();
    const [row] = await tx.query(
      `INSERT INTO hiring_jobs (agent_id, title, description, location, employment, status, rubric, threshold,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ${COLUMNS}`,
      [
        agentId,
        body.title,
        body.description,
        body.location ?? null,
        body.employment ?? null,
        body.status ?? 'draft',
        JSON.stringify(criteria),
        DEFAULT_THRESHOLD,
        now,
      ],
    );
    const job = jobOf(row!);
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor,
        action: 'hiring.job_created',
        subject: `job:${job.id}`,
        payload: { title: job.title, status: job.status, criteria: job.rubric.criteria.length },
      },
      tx,
    );
    return job;
  });
}

export async function jobUpdater(
  svc: Services,
  actor: Actor,
  id: string,
  patch: z.input<typeof JobPatchSchema>,
): Promise<Job> {
  const body = JobPatchSchema.parse(patch);
  return svc.db.transaction(async (tx) => {
    const [locked] = await tx.query(`SELECT ${COLUMNS} FROM hiring_jobs WHERE id = $1 FOR UPDATE`, [id]);
    if (!locked) throw new AppError('not_found', 'no such job');
    const current = jobOf(locked);
    const threshold = body.threshold ?? body.rubric?.threshold ?? current.threshold;
    const criteria = body.rubric?.criteria ?? current.rubric.criteria;
    const next = {
      title: body.title ?? current.title,
      description: body.description ?? current.description,
      location: body.location === undefined ? current.location : body.location,
      employment: body.employment === undefined ? current.employment : body.employment,
      status: body.status ?? current.status,
    };
    const [row] = await tx.query(
      `UPDATE hiring_jobs SET title = $2, description = $3, location = $4, employment = $5, status = $6,
         rubric = $7, threshold = $8, updated_at = $9 WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        next.title,
        next.description,
        next.location,
        next.employment,
        next.status,
        JSON.stringify({ criteria }),
        threshold,
        svc.clock.now(),
      ],
    );
    const changed = Object.keys(body).filter((k) => (body as Record<string, unknown>)[k] !== undefined);
    await svc.audit.append(
      {
        stream: `agent:${current.agentId}`,
        actor,
        action: 'hiring.job_updated',
        subject: `job:${id}`,
        payload: {
          changed,
          ...(body.status && body.status !== current.status ? { status: [current.status, body.status] } : {}),
          ...(threshold !== current.threshold ? { threshold: [current.threshold, threshold] } : {}),
          ...(body.rubric ? { criteria: criteria.map((c) => c.id) } : {}),
        },
      },
      tx,
    );
    return jobOf(row!);
  });
}
