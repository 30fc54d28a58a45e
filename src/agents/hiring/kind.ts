// The hiring agent as a member of the agent family (agents/kind.ts): one agent is one company's career site (its
// name is the URL segment). It serves no chat channel (the career page is its own surface). Its live part: the read
// tools and the screening request (no tool decides on a candidate: people do), the jobs, applications, decisions
// and data-rights routes (dashboard and public), the screening and retention jobs, the card's counts, its CLI.
import { z } from 'zod';
import type { AgentConfig, Brain } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import type { AgentKind, KindContext, KindInstance } from '../kind.ts';
import { DEFAULT_RETENTION_DAYS, retentionSweeper } from './applications.ts';
import { hiringCliCommands } from './cli/index.ts';
import { mailerFromEnv, sendConfirmations } from './email.ts';
import { HIRING_TASK_DEFAULT, screeningOutcomes } from './outcomes.ts';
import { registerCareersPage } from './routes/careers-page.ts';
import { registerHiringRoutes } from './routes/dashboard.ts';
import { registerPublicCareerRoutes } from './routes/public.ts';
import { registerScreenRoutes } from './routes/screens.ts';
import { inviteByRule, screenCallPlacer } from './screen/screens.ts';
import { screenCallConfigFromEnv } from './screen/vapi.ts';
import { screenApplication, screenWaiting } from './screening.ts';
import { hiringTools } from './tools.ts';

export const HIRING_KIND = 'hiring';

/** The hiring agent takes no turns: it screens through its queue. A run started on it ends at once. */
const idleBrain: Brain = {
  decide: async () => ({ type: 'done', outcome: 'the hiring agent screens through its queue, not in runs' }),
};

export async function hiringSummary(q: Queryable, agentId: string) {
  const [row] = await q.query<Record<string, string | number>>(
    `SELECT (SELECT count(*) FROM hiring_jobs WHERE agent_id = $1 AND status = 'open') AS open_jobs,
       count(*) FILTER (WHERE a.erased_at IS NULL) AS applications,
       count(*) FILTER (WHERE a.status IN ('queued', 'screening')) AS screening,
       count(*) FILTER (WHERE a.status = 'needs_person' AND a.erased_at IS NULL) AS needs_person,
       count(*) FILTER (WHERE a.human_review_requested_at IS NOT NULL AND a.erased_at IS NULL) AS reviews,
       count(*) FILTER (WHERE a.erased_at IS NULL AND a.stage IN ('applied', 'screen', 'interview', 'offer')
         AND a.status IN ('scored', 'needs_person', 'failed')) AS awaiting
     FROM hiring_applications a WHERE a.agent_id = $1`,
    [agentId],
  );
  return {
    openJobs: Number(row?.open_jobs ?? 0),
    applications: Number(row?.applications ?? 0),
    screening: Number(row?.screening ?? 0),
    needsPerson: Number(row?.needs_person ?? 0),
    reviewRequests: Number(row?.reviews ?? 0),
    /** Screened (or left for a person) and in an open stage: a person's decision is next. */
    awaitingDecision: Number(row?.awaiting ?? 0),
  };
}

export interface HiringInstance extends KindInstance {
  /** Screens one application now, in the background (the public route after an upload); the cron job sweeps too. */
  kick(applicationId: string): void;
  /** Resolves when the background work started by kick has finished (tests, shutdown). */
  settle(): Promise<void>;
}

export const hiringKind: AgentKind = {
  kind: HIRING_KIND,
  label: 'Hiring (career site and screening)',
  description:
    'Publishes jobs on a career page, screens resumes against a rubric with quoted evidence, and ranks candidates: people make every decision.',
  channels: [],
  config: z
    .object({
      /** Applications closed (hired, rejected, job closed) longer than this are erased by the retention job. */
      retentionDays: z.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS).optional(),
      /** Applications, self-id answers and review requests per address per minute on the career site (default 10). */
      publicWritesPerMinute: z.number().int().min(1).max(10_000).optional(),
      /** The scoring engine: the offline one (default) or the configured LLM. */
      engine: z.enum(['local', 'llm']).optional(),
      /** The AI phone screen: `autoInvite` invites qualified candidates (never below the threshold) by itself. */
      screen: z.object({ autoInvite: z.boolean().optional() }).strict().optional(),
    })
    .passthrough(),
  create(ctx: KindContext): KindInstance {
    const tools = hiringTools(ctx);
    const mailer = mailerFromEnv();
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      const done = p.catch(() => undefined).finally(() => pending.delete(done));
      pending.add(done);
    };
    const settle = async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    };
    const instance: HiringInstance = {
      tools: () => tools,
      brain: (_agent: AgentConfig): Brain => idleBrain,
      summary: (q, agent) => hiringSummary(q, agent.id),
      outcomes: screeningOutcomes,
      routes: (server) => {
        registerHiringRoutes(server, ctx, instance);
        registerPublicCareerRoutes(server, ctx, instance);
        registerCareersPage(server);
        registerScreenRoutes(server, ctx, mailer);
      },
      kick: (id) =>
        track(
          (async () => {
            await sendConfirmations(ctx, mailer(), { applicationId: id });
            await screenApplication(ctx, id);
          })(),
        ),
      settle,
      jobs: [
        {
          name: 'hiring.screen',
          cron: '* * * * *',
          expireInSeconds: 900,
          run: async () => {
            const outcomes = await screenWaiting(ctx, { limit: 500 });
            const mail = await sendConfirmations(ctx, mailer());
            return { screened: outcomes.filter((o) => o.outcome === 'scored').length, ...mail };
          },
        },
        {
          // The phone screen: calls at their booked time (one claim each), and the recruiter's invite rule.
          name: 'hiring.screen-calls',
          cron: '* * * * *',
          expireInSeconds: 300,
          run: async () => {
            const calls = await screenCallPlacer(ctx, screenCallConfigFromEnv());
            const base = process.env.TWELVE_PUBLIC_URL || `http://localhost:${process.env.PORT ?? '8787'}`;
            const rule = await inviteByRule(ctx, { base, mailer: mailer() });
            return { ...calls, ...rule };
          },
        },
        {
          name: 'hiring.retention',
          cron: '17 3 * * *',
          expireInSeconds: 3600,
          run: async () => ({ ...(await retentionSweeper(ctx)) }),
        },
      ],
      close: async () => {
        await settle();
        mailer()?.close();
      },
    };
    return instance;
  },
  measurement: HIRING_TASK_DEFAULT,
  cli: (open) => hiringCliCommands(open),
};
