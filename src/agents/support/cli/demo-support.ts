// `twelve demo support`: sets up the Northwind Cycles support agent from examples/ in one command (support/demo.ts:
// the knowledge base, its evaluation, who takes escalations, a spend cap, a readiness assessment), so the demo page
// answers at once. While Twelve runs on a PGlite folder, the overview's "Set up the demo" button does the same.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../../../cli/command.ts';
import { loadConfig } from '../../../config.ts';
import type { CliAppOpener } from '../../kind.ts';
import { SUPPORT_EXAMPLE, supportDemoSetter } from '../demo.ts';
import { supportContext } from '../kind.ts';

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
      options: {
        name: { type: 'string', default: 'northwind' },
        from: { type: 'string', default: SUPPORT_EXAMPLE },
      },
      strict: true,
    });
    const config = loadConfig(io.env);
    const opened = await open(io);
    const app = supportContext(opened);
    try {
      const demo = await supportDemoSetter(app, 'cli', {
        name: values.name,
        from: values.from,
        onImport: (done, total, file) => {
          if (file) io.err(`importing [${done + 1}/${total}] ${file}`);
        },
      });
      const { agent, kb: report, evaluation: r } = demo;
      io.out(
        `knowledge base: ${report.faqCreated} FAQ entries created, ${report.faqUpdated} updated, ${report.faqUnchanged} unchanged, ${report.articlesChanged} articles imported, ${report.escalateAdded} questions that go to a person added`,
      );
      if (r)
        io.out(
          `evaluation: precision ${(r.answeredPrecision * 100).toFixed(1)}%, coverage ${(r.coverage * 100).toFixed(1)}%, ` +
            `out-of-scope recall ${(r.oosRecall * 100).toFixed(1)}% → ${r.passed ? 'passed' : 'failed'}`,
        );
      io.out(`hand-off message now: "${demo.handoff}"`);
      io.out(`readiness: effective mode ${demo.effectiveMode}`);
      for (const reason of demo.reasons) io.out(`  ${reason}`);
      const base = (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
      io.out(`\nStart Twelve (npm start) and open ${base}/demo?agent=${agent.name}`);
      return 0;
    } finally {
      await opened.close();
    }
  },
});
