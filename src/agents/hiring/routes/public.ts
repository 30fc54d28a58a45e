// The career site's public API (no sign-in), under /api/public/careers/:agent: open jobs, one job with the notice
// that AI helps screen, the application (multipart, PDF or DOCX up to 10 MB; the application is kept whatever the
// file), the voluntary self-identification (a separate table scoring never reads) and a candidate's request for a
// human review. Every answer allows any origin (CORS: the API holds no credentials, so embedding sites may call
// it); requests are limited per address and agent. Unknown or non-hiring agents and draft or closed jobs are 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import type { AgentConfig } from '../../../runtime/types.ts';
import { route } from '../../../server/http.ts';
import type { KindContext } from '../../kind.ts';
import {
  applicationTaker,
  ReviewRequestSchema,
  reviewRequester,
  SelfIdSchema,
  selfIdSaver,
} from '../applications.ts';
import { parseForm } from '../form.ts';
import { getJob, listJobs } from '../jobs.ts';
import { RESUME_MAX_BYTES } from '../resume.ts';
import { hiringAgent, type Kicker } from './dashboard.ts';

export const PUBLIC_PREFIX = '/api/public/careers';

export const AI_NOTICE =
  'An AI system helps screen applications: it compares your resume with this job’s requirements after removing your ' +
  'name, contact details and other personal details. It never rejects anyone: people make every decision. You can ' +
  'ask for a person to review your application at any time with the reference you get after applying (the form ' +
  'below, or a reply to the confirmation email). Answering the voluntary self-identification questions is optional ' +
  'and never affects your application: those answers are kept apart and only used for fairness reports.';

/**
 * Requests per address and agent per minute: reading pages, and writing (applications, self-id, review requests;
 * an agent's config.publicWritesPerMinute changes the latter, e.g. for a career fair behind one address).
 */
export const PUBLIC_LIMITS = { read: { max: 120, windowMs: 60_000 }, write: { max: 10, windowMs: 60_000 } };

/** A fixed-window count per key (one node's memory: a limit per address against floods, not an exact quota). */
export class PublicLimiter {
  private readonly hits = new Map<string, { start: number; n: number }>();
  constructor(
    private readonly limit: { max: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}
  take(key: string, max = this.limit.max): boolean {
    const t = this.now();
    const w = this.hits.get(key);
    if (!w || t - w.start >= this.limit.windowMs) {
      if (this.hits.size > 50_000) this.sweep(t);
      this.hits.set(key, { start: t, n: 1 });
      return true;
    }
    if (w.n >= max) return false;
    w.n++;
    return true;
  }
  private sweep(t: number) {
    for (const [k, w] of this.hits) if (t - w.start >= this.limit.windowMs) this.hits.delete(k);
  }
}

const CareerParam = z.object({ agent: z.string().min(1).max(100) }).strict();
const JobParams = CareerParam.extend({ jobId: z.string().uuid() }).strict();

function cors(reply: FastifyReply) {
  reply.header('access-control-allow-origin', '*');
  reply.header('vary', 'origin');
}

export function excerpt(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 40))}…`;
}

export function registerPublicCareerRoutes(
  server: FastifyInstance,
  app: KindContext,
  kind: Kicker,
  limits = PUBLIC_LIMITS,
): void {
  const tags = ['hiring', 'public'];
  const readLimiter = new PublicLimiter(limits.read);
  const writeLimiter = new PublicLimiter(limits.write);
  const limit = (req: FastifyRequest, reply: FastifyReply, agent: AgentConfig | string, write: boolean) => {
    cors(reply);
    const id = typeof agent === 'string' ? agent : agent.id;
    const own = typeof agent === 'string' ? undefined : agent.config.publicWritesPerMinute;
    const max = write && typeof own === 'number' ? own : undefined;
    if (!(write ? writeLimiter : readLimiter).take(`${req.ip} ${id}`, max))
      throw new AppError('rate_limited', 'too many requests from this address; try again in a minute');
  };
  const openJob = async (agentId: string, jobId: string) => {
    const job = await getJob(app.db, jobId).catch(() => null);
    if (!job || job.agentId !== agentId || job.status !== 'open')
      throw new AppError('not_found', 'this job is not open');
    return job;
  };

  // The CORS preflight of the JSON posts (self-id, review request) from an embedding site.
  server.route({
    method: 'OPTIONS',
    url: `${PUBLIC_PREFIX}/*`,
    handler: async (_req, reply) => {
      cors(reply);
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type');
      reply.header('access-control-max-age', '600');
      reply.code(204).send();
    },
  });

  route(
    server,
    app,
    {
      method: 'GET',
      url: `${PUBLIC_PREFIX}/:agent`,
      summary: "A career site: the company's name and its open jobs",
      tags,
      permission: null,
      params: CareerParam,
    },
    async ({ params, req, reply }) => {
      limit(req, reply, params.agent, false);
      const agent = await hiringAgent(app, params.agent);
      const jobs = await listJobs(app.db, agent.id, 'open');
      return {
        company: agent.displayName,
        jobs: jobs.map((j) => ({
          id: j.id,
          title: j.title,
          location: j.location,
          employment: j.employment,
          excerpt: excerpt(j.description),
        })),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: `${PUBLIC_PREFIX}/:agent/jobs/:jobId`,
      summary: 'One open job, with the notice that AI helps screen and how to ask for a human review',
      tags,
      permission: null,
      params: JobParams,
    },
    async ({ params, req, reply }) => {
      limit(req, reply, params.agent, false);
      const agent = await hiringAgent(app, params.agent);
      const job = await openJob(agent.id, params.jobId);
      return {
        id: job.id,
        title: job.title,
        description: job.description,
        location: job.location,
        employment: job.employment,
        company: agent.displayName,
        notice: AI_NOTICE,
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: `${PUBLIC_PREFIX}/:agent/jobs/:jobId/applications`,
      summary:
        'Applies for an open job (multipart: name, email, phone?, consent=yes, resume: PDF or DOCX up to 10 MB)',
      tags,
      permission: null,
      params: JobParams,
      status: 201,
      upload: {
        mediaTypes: ['multipart/form-data'],
        // The form's fields and the multipart framing on top of the largest resume; a larger file is still read up
        // to here, so the candidate hears file_too_large and the application is kept.
        maxBytes: RESUME_MAX_BYTES + 2 * 1024 * 1024,
        description: 'multipart/form-data: name, email, phone (optional), consent ("yes"), resume (the file)',
      },
    },
    async ({ params, raw, req, reply }) => {
      cors(reply);
      const agent = await hiringAgent(app, params.agent);
      limit(req, reply, agent, true);
      const job = await getJob(app.db, params.jobId).catch(() => null);
      if (!job || job.agentId !== agent.id || job.status === 'draft')
        throw new AppError('not_found', 'no such job');
      const form = await parseForm(raw!, req.headers['content-type'] ?? '', {
        maxFileBytes: RESUME_MAX_BYTES,
        maxFiles: 1,
      });
      const file = form.files.find((f) => f.field === 'resume');
      if (!file)
        throw new AppError('validation_failed', 'attach your resume', [
          { path: 'resume', message: 'a PDF or DOCX file is required' },
        ]);
      const taken = await applicationTaker(app, 'candidate', job, {
        name: form.fields.name ?? '',
        email: form.fields.email ?? '',
        phone: form.fields.phone,
        consent: ['yes', 'true', 'on'].includes((form.fields.consent ?? '').toLowerCase()),
        source: 'career_page',
        file,
      }).catch((err: unknown) => {
        if (err instanceof z.ZodError)
          throw new AppError(
            'validation_failed',
            'the form is not valid',
            err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          );
        throw err;
      });
      kind.kick(taken.application.id);
      const answer = {
        applicationId: taken.application.id,
        reference: taken.reference,
        selfIdToken: taken.selfIdToken,
      };
      // A file problem keeps the application (a person reads it): the candidate hears what went wrong, and gets the
      // reference and the self-identification token all the same.
      if (taken.fileError) throw new AppError(taken.fileError.id, taken.fileError.message, answer);
      return answer;
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: `${PUBLIC_PREFIX}/:agent/self-id`,
      summary:
        'Voluntary self-identification (kept apart; never used for scoring; only for fairness reports)',
      tags,
      permission: null,
      params: CareerParam,
      body: SelfIdSchema,
      status: 204,
    },
    async ({ params, body, req, reply }) => {
      cors(reply);
      const agent = await hiringAgent(app, params.agent);
      limit(req, reply, agent, true);
      await selfIdSaver(app, agent.id, body);
      reply.code(204).send();
      return reply;
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: `${PUBLIC_PREFIX}/:agent/review-request`,
      summary: 'A candidate asks for a person to review their application (reference and email)',
      tags,
      permission: null,
      params: CareerParam,
      body: ReviewRequestSchema,
      status: 204,
    },
    async ({ params, body, req, reply }) => {
      cors(reply);
      const agent = await hiringAgent(app, params.agent);
      limit(req, reply, agent, true);
      await reviewRequester(app, agent.id, body);
      reply.code(204).send();
      return reply;
    },
  );
}
