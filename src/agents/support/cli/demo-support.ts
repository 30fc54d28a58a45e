// `twelve demo support`: sets up the Northwind Cycles support agent from examples/ in one command: imports the
// knowledge base, measures it on the example test set (the evidence for task clarity), names who takes
// escalations, caps spend, and records a readiness assessment, so the demo page answers at once.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { handoffText } from '../../../business/hours.schema.ts';
import type { CliCommand } from '../../../cli/command.ts';
import { loadConfig } from '../../../config.ts';
import { kbImporter } from '../../../knowledge/import.ts';
import { assessmentRecorder, readinessOf } from '../../../readiness/assessments.ts';
import { agentCreator, agentUpdater, findAgent } from '../../../runtime/agents.ts';
import type { CliAppOpener } from '../../kind.ts';
import { agentEvaluator } from '../agent-eval.ts';
import { parseJsonl } from '../eval.ts';
import { supportContext } from '../kind.ts';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/northwind-cycles');

export const demoSupportCommand = (open: CliAppOpener): CliCommand => ({
  path: ['demo', 'support'],
  summary: 'Set up the Northwind Cycles support agent from examples/ (KB, evaluation, readiness)',
  usage: [
    'twelve demo support [--name northwind] [--from FOLDER]',
    '',
    "  --name NAME    the agent's name (default northwind)",
    '  --from FOLDER  the example folder: faq.json, articles, eval.jsonl, agent-config.json',
    '                 (default examples/northwind-cycles)',
    '',
    'Example:',
    '  npx twelve demo support',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { name: { type: 'string', default: 'northwind' }, from: { type: 'string', default: EXAMPLE } },
      strict: true,
    });
    const config = loadConfig(io.env);
    const opened = await open(io);
    const app = supportContext(opened);
    const { db } = app;
    try {
      let agent =
        (await findAgent(db, values.name).catch(() => null)) ??
        (await agentCreator(app, 'cli', {
          kind: 'support',
          name: values.name,
          displayName: 'Northwind Cycles support',
        }));
      const report = await kbImporter(app, 'cli', agent.id, values.from, (done, total, file) => {
        if (file) io.err(`importing [${done + 1}/${total}] ${file}`);
      });
      io.out(
        `knowledge base: ${report.faqCreated} FAQ entries created, ${report.faqUpdated} updated, ${report.articlesChanged} articles imported, ${report.escalateAdded} questions that go to a person added`,
      );
      // The example's own agent settings (its business hours, for honest hand-off messages), over what is there.
      const configFile = join(values.from, 'agent-config.json');
      const exampleConfig = existsSync(configFile)
        ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>)
        : {};
      agent = await agentUpdater(app, 'cli', agent.id, {
        config: { ...agent.config, ...exampleConfig },
        confidenceThreshold: 0.5,
        escalationContacts: agent.escalationContacts.length
          ? agent.escalationContacts
          : ['support-team@northwind.example'],
        spendCapCents: agent.spendCapCents ?? 500,
      });
      const evalFile = join(values.from, 'eval.jsonl');
      if (existsSync(evalFile)) {
        const { report: r } = await agentEvaluator(
          app,
          'cli',
          agent,
          parseJsonl(readFileSync(evalFile, 'utf8'), evalFile),
          {
            targetPrecision: 0.9,
          },
        );
        io.out(
          `evaluation: precision ${(r.answeredPrecision * 100).toFixed(1)}%, coverage ${(r.coverage * 100).toFixed(1)}%, ` +
            `out-of-scope recall ${(r.oosRecall * 100).toFixed(1)}% → ${r.passed ? 'passed' : 'failed'}`,
        );
      }
      await assessmentRecorder(app, 'cli', agent.id, {
        clarity: 4,
        tolerance: 4,
        fallback: 5,
        rationale: 'Demo: tier-1 answers from a small FAQ; people take everything else from the inbox.',
      });
      io.out(`hand-off message now: "${handoffText(agent.config, app.clock.now())}"`);
      const view = await readinessOf(db, agent, app.toolsFor(agent));
      io.out(`readiness: effective mode ${view.effectiveMode}`);
      for (const reason of view.reasons) io.out(`  ${reason}`);
      const base = (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
      io.out(`\nStart Twelve (npm start) and open ${base}/demo?agent=${agent.name}`);
      return 0;
    } finally {
      await opened.close();
    }
  },
});
