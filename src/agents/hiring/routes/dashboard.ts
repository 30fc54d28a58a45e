// The hiring agent's dashboard API (hiring-api.md): jobs and their rubric, ranked candidates, one application with
// its evidence, the original file, people's decisions, a rescore, erasure, the fairness report (JSON and CSV) and a
// recruiter's bulk upload. Permissions: hiring.read, hiring.write, hiring.decide, hiring.erase (admin).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import { findAgent } from '../../../runtime/agents.ts';
import { AgentParam, route, UuidParam } from '../../../server/http.ts';
import type { KindContext } from '../../kind.ts';
import {
  applicationEraser,
  applicationTaker,
  DecisionSchema,
  decisionMaker,
  fileInfo,
  fileOf,
  getApplication,
  listCandidates,
  listDecisions,
  presentCandidate,
  STAGES,
} from '../applications.ts';
import { proposeRubric } from '../engine/index.ts';
import { fairnessCsv, fairnessReport } from '../fairness.ts';
import { parseForm } from '../form.ts';
import {
  getJob,
  JOB_STATUSES,
  JobCreateSchema,
  JobPatchSchema,
  jobCounts,
  jobCreator,
  jobUpdater,
  listJobs,
  presentJob,
} from '../jobs.ts';
import { RESUME_MAX_BYTES } from '../resume.ts';
import { screenView } from '../screen/screens.ts';
import { rescoreRequester } from '../screening.ts';

export const HIRING = 'hiring';

/** What the routes need of the kind's live part: starting a screening in the background. */
export interface Kicker {
  kick(applicationId: string): void;
}

export async function hiringAgent(app: KindContext, name: string) {
  const agent = await findAgent(app.db, name);
  if (agent.kind !== HIRING) throw new AppError('not_found', `${agent.name} is not a hiring agent`);
  return agent;
}

async function jobView(app: KindContext, id: string) {
  const job = await getJob(app.db, id);
  return presentJob(job, (await jobCounts(app.db, [job.id])).get(job.id));
}

export async function applicationView(app: KindContext, id: string) {
  const a = await getApplication(app.db, id);
  const [decisions, file] = await Promise.all([listDecisions(app.db, id), fileInfo(app.db, id)]);
  return {
    ...presentCandidate(a),
    jobId: a.jobId,
    reference: a.reference,
    redactedText: a.redactedText,
    result: a.result,
    reviewNote: a.reviewNote,
    decisions,
    // The phone screen: invitation, time, per-question assessment with quotes, transcript (screen/screens.ts).
    screen: await screenView(app.db, id),
    file: file && { name: file.name, mime: file.mime, size: file.size },
  };
}

const CandidatesQuery = z
  .object({ stage: z.enum(STAGES).optional(), sort: z.enum(['score']).default('score') })
  .strict();
const JobsQuery = z.object({ status: z.enum(JOB_STATUSES).optional() }).strict();
const BULK_MAX_FILES = 50;

export function registerHiringRoutes(server: FastifyInstance, app: KindContext, kind: Kicker): void {
  const tags = ['hiring'];

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/jobs',
      summary: "A hiring agent's jobs with their counts (?status=draft|open|closed to filter)",
      tags,
      permission: 'hiring.read',
      params: AgentParam,
      query: JobsQuery,
    },
    async ({ params, query }) => {
      const agent = await hiringAgent(app, params.agent);
      const jobs = await listJobs(app.db, agent.id, query.status);
      const counts = await jobCounts(
        app.db,
        jobs.map((j) => j.id),
      );
      return { jobs: jobs.map((j) => presentJob(j, counts.get(j.id))) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/jobs',
      summary: 'Creates a job; the engine proposes its rubric from the description (threshold 60)',
      tags,
      permission: 'hiring.write',
      params: AgentParam,
      body: JobCreateSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await hiringAgent(app, params.agent);
      const job = await jobCreator(app, principal.actor, agent.id, body);
      return presentJob(job);
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/jobs/:id',
      summary: 'One job',
      tags,
      permission: 'hiring.read',
      params: UuidParam,
    },
    async ({ params }) => jobView(app, params.id),
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/jobs/:id',
      summary:
        'Changes a job: text, status, rubric (ids unique, weights 1..5, at least one criterion), threshold',
      tags,
      permission: 'hiring.write',
      params: UuidParam,
      body: JobPatchSchema,
    },
    async ({ params, body, principal }) => {
      await jobUpdater(app, principal.actor, params.id, body);
      return jobView(app, params.id);
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/jobs/:id/rubric/propose',
      summary: "The engine's rubric for the job's current description (a proposal: nothing is saved)",
      tags,
      permission: 'hiring.write',
      params: UuidParam,
    },
    async ({ params }) => {
      const job = await getJob(app.db, params.id);
      const rubric = proposeRubric(`${job.title}\n\n${job.description}`);
      return { rubric: { ...rubric, threshold: job.threshold } };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/jobs/:id/candidates',
      summary: "A job's candidates ranked by score (unscored last), optionally of one stage",
      tags,
      permission: 'hiring.read',
      params: UuidParam,
      query: CandidatesQuery,
    },
    async ({ params, query }) => {
      await getJob(app.db, params.id);
      return { candidates: (await listCandidates(app.db, params.id, query.stage)).map(presentCandidate) };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/applications/:id',
      summary:
        'One application: the candidate, the redacted resume, the scored criteria with evidence, decisions',
      tags,
      permission: 'hiring.read',
      params: UuidParam,
    },
    async ({ params }) => applicationView(app, params.id),
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/applications/:id/file',
      summary: 'The original resume file, as an attachment',
      tags,
      permission: 'hiring.read',
      params: UuidParam,
    },
    async ({ params, reply }) => {
      const file = await fileOf(app.db, params.id);
      if (!file) throw new AppError('not_found', 'this application has no file');
      const ascii = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
      reply.header(
        'content-disposition',
        `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      );
      reply.header('x-content-type-options', 'nosniff');
      reply.type(file.mime).send(file.bytes);
      return reply;
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/applications/:id/decisions',
      summary: 'A person advances, rejects or hires a candidate, with a reason (the agent never can)',
      tags,
      permission: 'hiring.decide',
      params: UuidParam,
      body: DecisionSchema,
    },
    async ({ params, body, principal }) =>
      presentCandidate(await decisionMaker(app, principal.actor, params.id, body)),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/applications/:id/rescore',
      summary: 'Screens the application again with the current rubric',
      tags,
      permission: 'hiring.write',
      params: UuidParam,
      status: 202,
    },
    async ({ params, principal }) => {
      await getApplication(app.db, params.id);
      if (!(await rescoreRequester(app, principal.actor, params.id)))
        throw new AppError('invalid_state', 'the application has no text to score, or is being screened now');
      kind.kick(params.id);
      return { queued: true };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/applications/:id/erase',
      summary:
        "Erases a candidate's data (file, text, scores, self-identification); the audit keeps a tombstone",
      tags,
      permission: 'hiring.erase',
      params: UuidParam,
      status: 204,
    },
    async ({ params, principal, reply }) => {
      await getApplication(app.db, params.id);
      await applicationEraser(app, principal.actor, params.id, 'request');
      reply.code(204).send();
      return reply;
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/jobs/:id/fairness',
      summary:
        'Adverse-impact report per stage: selection rate per group, four-fifths ratio, small groups flagged',
      tags,
      permission: 'hiring.read',
      params: UuidParam,
    },
    async ({ params }) => {
      await getJob(app.db, params.id);
      return fairnessReport(app.db, params.id);
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/jobs/:id/fairness.csv',
      summary: 'The adverse-impact report as CSV',
      tags,
      permission: 'hiring.read',
      params: UuidParam,
    },
    async ({ params, reply }) => {
      const job = await getJob(app.db, params.id);
      reply.header('content-disposition', `attachment; filename="fairness-${job.id.slice(0, 8)}.csv"`);
      reply.type('text/csv; charset=utf-8').send(fairnessCsv(await fairnessReport(app.db, params.id)));
      return reply;
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/hiring/screen',
      summary:
        'A recruiter uploads resumes in bulk (multipart: jobId, files named resume; each name/email optional)',
      tags,
      permission: 'hiring.write',
      params: AgentParam,
      status: 201,
      upload: {
        mediaTypes: ['multipart/form-data'],
        maxBytes: BULK_MAX_FILES * RESUME_MAX_BYTES,
        description: 'multipart/form-data: jobId, and up to 50 files (PDF or DOCX, 10 MB each)',
      },
    },
    async ({ params, raw, req, principal }) => {
      const agent = await hiringAgent(app, params.agent);
      const form = await parseForm(raw!, req.headers['content-type'] ?? '', {
        maxFileBytes: RESUME_MAX_BYTES,
        maxFiles: BULK_MAX_FILES,
      });
      const jobId = z.string().uuid().safeParse(form.fields.jobId);
      if (!jobId.success)
        throw new AppError('validation_failed', 'the form needs a jobId', [
          { path: 'jobId', message: 'a job id' },
        ]);
      const job = await getJob(app.db, jobId.data);
      if (job.agentId !== agent.id) throw new AppError('not_found', 'no such job');
      if (form.files.length === 0) throw new AppError('validation_failed', 'attach at least one file');
      const results = [];
      for (const [i, file] of form.files.entries()) {
        const stem =
          file.name
            .replace(/\.[^.]*$/, '')
            .replace(/[^\w.-]+/g, '-')
            .slice(0, 60) || `resume-${i + 1}`;
        const taken = await applicationTaker(app, principal.actor, job, {
          name: stem,
          email: `${stem.toLowerCase()}-${file.bytes.length}@bulk.invalid`,
          consent: true,
          source: 'recruiter',
          file,
        });
        if (taken.queued) kind.kick(taken.application.id);
        results.push({
          file: file.name,
          applicationId: taken.application.id,
          status: taken.application.status,
          error: taken.fileError ? { id: taken.fileError.id, message: taken.fileError.message } : null,
        });
      }
      return { applications: results };
    },
  );
}
