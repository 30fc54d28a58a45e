// The support agent as a member of the agent family (agents/kind.ts): tier-1 answers from a knowledge base, on web
// chat, email and WhatsApp. The knowledge base itself (entries, articles, the trained engines, their start hook, the
// KB routes and commands) is the platform's (src/knowledge, `knowledge: true`); this wing holds its brains (local,
// and LLM over the same retrieval), its one tool, its evaluation routes and its card summary.
import { z } from 'zod';
import type { EngineCache } from '../../knowledge/engine-cache.ts';
import { conversationCounts } from '../../metrics/conversations.ts';
import { weeklyAnswerFigures } from '../../metrics/weekly.ts';
import { draftAgreementSummary } from '../../runtime/agreement.ts';
import { defineTool, ToolRegistry } from '../../runtime/tools.ts';
import type { AgentConfig, Brain } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import type { AgentKind, KindContext, KindInstance } from '../kind.ts';
import { supportLlmBrainFactory } from './brain.llm.ts';
import { answerFrom, SupportLocalBrain } from './brain.ts';
import { SUPPORT_BRAIN_INPUTS } from './brain-inputs.ts';
import { supportCliCommands } from './cli/index.ts';
import { registerSupportDemoRoute } from './demo.ts';
import { OosShareSchema } from './oos-share.ts';
import { registerEvaluationRoutes } from './routes/evaluations.ts';

export const SUPPORT_KIND = 'support';

/** The wing's own context: the platform's, plus the trained engines (the app's one cache, ctx.knowledge.engines). */
export interface SupportContext extends KindContext {
  engines: EngineCache;
}

export interface SupportInstance extends KindInstance {
  engines: EngineCache;
}

/** The support wing of an assembled app (its engines, for the CLI, the bench and tests). */
export function supportOf(app: Pick<KindContext, 'kinds'>): SupportInstance {
  const instance = app.kinds.get(SUPPORT_KIND);
  if (!instance) throw new Error('the support kind is not registered');
  return instance as SupportInstance;
}

/** The support wing's context of an assembled app. */
export function supportContext(app: KindContext): SupportContext {
  return { ...app, engines: app.knowledge.engines };
}

export function supportTools(db: Queryable, cache: EngineCache): ToolRegistry {
  return new ToolRegistry([
    defineTool({
      name: 'kb.search',
      description: "Searches the agent's knowledge base; returns the best matching entries and passages",
      risk: 'read',
      input: z
        .object({ query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(10).default(5) })
        .strict(),
      handler: async ({ query, limit }, ctx) => {
        const answer = answerFrom(await cache.answering(db, ctx.agentId), query, limit);
        return { confidence: answer.confidence, results: answer.candidates };
      },
    }),
  ]);
}

/** The card's weekly chart: coverage and precision over the last 12 weeks (metrics/weekly.ts). */
const SUMMARY_WEEKS = 12;

/** The card's window: a support agent's last 30 days. */
const SUMMARY_WINDOW_MS = 30 * 86_400_000;

export const supportKind: AgentKind = {
  kind: SUPPORT_KIND,
  label: 'Support (tier-1 answers)',
  description:
    'Answers customers from a knowledge base on web chat, email and WhatsApp; hands the rest to people.',
  channels: ['webchat', 'email', 'whatsapp'],
  measurement: {
    minutesPerTask: 10,
    source:
      'Twelve default for support: 10 minutes per tier-1 conversation ($7.50 at $45/h, inside the $6–15 reference cost of a human one)',
  },
  knowledge: true,
  // Its own keys of agent.config: the assumed out-of-scope share of live traffic (oos-share.ts), which evaluations
  // choose the suggested threshold for. The platform's and the channels' keys pass through.
  config: z.object({ oosShare: OosShareSchema.optional() }).passthrough(),
  create(ctx: KindContext): SupportInstance {
    const engines = ctx.knowledge.engines;
    const tools = supportTools(ctx.db, engines);
    const local = new SupportLocalBrain(ctx.db, engines, ctx.clock);
    const llmBrain = supportLlmBrainFactory(ctx.db, engines, { clock: ctx.clock, backend: ctx.llm });
    const wing = (): SupportContext => ({ ...ctx, engines });
    return {
      engines,
      tools: () => tools,
      brainInputs: SUPPORT_BRAIN_INPUTS,
      brain: (agent: AgentConfig): Brain => (agent.brain === 'llm' ? llmBrain(agent) : local),
      sources: ctx.knowledge.sources,
      async summary(q, agent) {
        const since = new Date(ctx.clock.now().getTime() - SUMMARY_WINDOW_MS);
        const [counts, agreement, weekly] = await Promise.all([
          conversationCounts(q, agent.id, since, ctx.clock.now()),
          draftAgreementSummary(q, agent.id, since),
          weeklyAnswerFigures(q, agent.id, ctx.clock.now(), SUMMARY_WEEKS),
        ]);
        return {
          since: since.toISOString(),
          ...counts,
          draftAgreement: agreement.average,
          draftsCompared: agreement.compared,
          weekly,
        };
      },
      routes(server) {
        registerEvaluationRoutes(server, wing());
        registerSupportDemoRoute(server, wing());
      },
    };
  },
  cli: (open) => supportCliCommands(open),
};
