// The Northwind Cycles support demo, set up in one go from examples/: the knowledge base imported, the agent's
// example settings (business hours for honest hand-off messages), its evaluation on the example test set (the
// evidence for task clarity), who takes escalations, a spend cap and a readiness assessment. `twelve demo support`
// and the empty overview's "Set up the demo" button (POST /api/demo/support) both run it; running it again changes
// nothing that is already there.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { handoffText } from '../../business/hours.schema.ts';
import type { Actor } from '../../context.ts';
import { type ImportReport, kbImporter } from '../../knowledge/import.ts';
import { assessmentRecorder, readinessOf } from '../../readiness/assessments.ts';
import { agentCreator, agentUpdater, findAgent } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { route } from '../../server/http.ts';
import type { AgentEvalReport } from './agent-eval.ts';
import { agentEvaluator } from './agent-eval.ts';
import { parseJsonl } from './eval.ts';
import type { SupportContext } from './kind.ts';

export const SUPPORT_EXAMPLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../examples/northwind-cycles',
);

export interface SupportDemo {
  agent: AgentConfig;
  kb: ImportReport;
  evaluation: AgentEvalReport | null;
  handoff: string;
  effectiveMode: string;
  reasons: string[];
}

export async function supportDemoSetter(
  app: SupportContext,
  actor: Actor,
  options: {
    name?: string;
    from?: string;
    onImport?: (done: number, total: number, file: string) => void;
  } = {},
): Promise<SupportDemo> {
  const name = options.name ?? 'northwind';
  const from = options.from ?? SUPPORT_EXAMPLE;
  let agent =
    (await findAgent(app.db, name).catch(() => null)) ??
    (await agentCreator(app, actor, { kind: 'support', name, displayName: 'Northwind Cycles support' }));
  const kb = await kbImporter(app, actor, agent.id, from, options.onImport);
  // The example's own agent settings (its business hours, for honest hand-off messages), over what is there.
  const configFile = join(from, 'agent-config.json');
  const exampleConfig = existsSync(configFile)
    ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>)
    : {};
  agent = await agentUpdater(app, actor, agent.id, {
    config: { ...agent.config, ...exampleConfig },
    confidenceThreshold: 0.5,
    escalationContacts: agent.escalationContacts.length
      ? agent.escalationContacts
      : ['support-team@northwind.example'],
    spendCapCents: agent.spendCapCents ?? 500,
  });
  const evalFile = join(from, 'eval.jsonl');
  const evaluation = existsSync(evalFile)
    ? (
        await agentEvaluator(app, actor, agent, parseJsonl(readFileSync(evalFile, 'utf8'), evalFile), {
          targetPrecision: 0.9,
        })
      ).report
    : null;
  await assessmentRecorder(app, actor, agent.id, {
    clarity: 4,
    tolerance: 4,
    fallback: 5,
    rationale: 'Demo: tier-1 answers from a small FAQ; people take everything else from the inbox.',
  });
  const view = await readinessOf(app.db, agent, app.toolsFor(agent));
  return {
    agent,
    kb,
    evaluation,
    handoff: handoffText(agent.config, app.clock.now()),
    effectiveMode: view.effectiveMode,
    reasons: view.reasons,
  };
}

/** POST /api/demo/support: the same demo from the dashboard (the CLI cannot open a PGlite folder Twelve holds). */
export function registerSupportDemoRoute(server: FastifyInstance, app: SupportContext): void {
  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/demo/support',
      summary: 'Set up the Northwind Cycles support demo agent (knowledge base, evaluation, readiness)',
      tags: ['agents'],
      permission: 'agents.write',
      body: z.object({}).strict(),
      status: 201,
    },
    async ({ principal }) => {
      const demo = await supportDemoSetter(app, principal.actor);
      return {
        agent: { id: demo.agent.id, name: demo.agent.name },
        faqEntries: demo.kb.faqCreated + demo.kb.faqUpdated + demo.kb.faqUnchanged,
        evaluationPassed: demo.evaluation?.passed ?? null,
        effectiveMode: demo.effectiveMode,
        demoPath: `/demo?agent=${encodeURIComponent(demo.agent.name)}`,
      };
    },
  );
}
