// The hiring agent's tools, as the runtime calls them: reading candidates (read) and asking for a screening again
// (write). There is deliberately no tool that advances, rejects or hires: those are people's decisions, made in the
// dashboard (applications.ts decisionMaker); the runtime also denies the names candidate.advance, candidate.reject
// and candidate.hire to every agent in every mode (app.ts HUMAN_ONLY_TOOLS; kind.test.ts proves both).
import { z } from 'zod';
import type { Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { defineTool, ToolRegistry } from '../../runtime/tools.ts';
import { getApplication, listCandidates, presentCandidate, STAGES } from './applications.ts';
import { getJob } from './jobs.ts';
import { rescoreRequester } from './screening.ts';

async function ownJob(svc: Services, agentId: string, jobId: string) {
  const job = await getJob(svc.db, jobId);
  if (job.agentId !== agentId) throw new AppError('not_found', 'no such job');
  return job;
}

async function ownApplication(svc: Services, agentId: string, id: string) {
  const a = await getApplication(svc.db, id);
  if (a.agentId !== agentId) throw new AppError('not_found', 'no such application');
  return a;
}

export function hiringTools(svc: Services): ToolRegistry {
  return new ToolRegistry([
    defineTool({
      name: 'hiring.candidates.list',
      description: "Lists a job's candidates ranked by score (unscored last), optionally of one stage",
      risk: 'read',
      input: z
        .object({
          jobId: z.string().uuid(),
          stage: z.enum(STAGES).optional(),
          limit: z.number().int().min(1).max(100).default(20),
        })
        .strict(),
      handler: async (args, ctx) => {
        await ownJob(svc, ctx.agentId, args.jobId);
        const list = await listCandidates(svc.db, args.jobId, args.stage);
        return { candidates: list.slice(0, args.limit).map(presentCandidate) };
      },
    }),
    defineTool({
      name: 'hiring.candidate.read',
      description:
        "One candidate's screening result: score, the criteria with their evidence (redacted text)",
      risk: 'read',
      input: z.object({ applicationId: z.string().uuid() }).strict(),
      handler: async (args, ctx) => {
        const a = await ownApplication(svc, ctx.agentId, args.applicationId);
        return { candidate: presentCandidate(a), result: a.result };
      },
    }),
    defineTool({
      name: 'hiring.screen.request',
      description: 'Puts a candidate back in the screening queue (scored again with the current rubric)',
      risk: 'write',
      input: z.object({ applicationId: z.string().uuid() }).strict(),
      handler: async (args, ctx) => {
        await ownApplication(svc, ctx.agentId, args.applicationId);
        return { queued: await rescoreRequester(svc, `agent:${ctx.agentId}`, args.applicationId) };
      },
    }),
  ]);
}
