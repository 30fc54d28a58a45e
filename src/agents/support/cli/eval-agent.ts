// `twelve eval agent NAME --test FILE`: evaluates a live support agent on its own knowledge base at its own threshold
// and records the result (the readiness evidence for task clarity).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type CliCommand, UsageError } from '../../../cli/command.ts';
import { findAgent } from '../../../runtime/agents.ts';
import type { CliAppOpener } from '../../kind.ts';
import { agentEvaluator } from '../agent-eval.ts';
import { OOS_LABEL, parseJsonl } from '../eval.ts';
import { supportContext } from '../kind.ts';
import { formatByOosShare, formatMistakes } from './eval.ts';

/** Mistaken questions printed (the JSON report has up to MAX_MISTAKE_EXAMPLES of each kind). */
const CLI_EXAMPLES = 10;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const evalAgentCommand = (open: CliAppOpener): CliCommand => ({
  path: ['eval', 'agent'],
  summary: 'Evaluate a support agent on its own KB; records the result as readiness evidence',
  usage:
    'twelve eval agent NAME --test FILE.jsonl [--target-precision 0.95] [--json]\n\n' +
    [
      'FILE holds {"text","label"} lines; label = a FAQ entry title or id, or "oos" for questions that must be escalated.',
      '',
      '  --test FILE             the labelled questions (JSONL)',
      '  --target-precision P    the share of answers that must be right, in (0, 1] (default 0.95)',
      '  --json                  print the report as JSON',
      '',
      'Example:',
      '  twelve eval agent northwind --test examples/northwind-cycles/eval.jsonl',
    ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        test: { type: 'string' },
        'target-precision': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UsageError('give the agent name');
    if (!values.test) throw new UsageError('--test FILE is required');
    const target = values['target-precision'] === undefined ? 0.95 : Number(values['target-precision']);
    if (!(target > 0 && target <= 1)) throw new UsageError('--target-precision must be in (0, 1]');
    const test = parseJsonl(await readFile(values.test, 'utf8'), values.test);
    const opened = await open(io);
    const app = supportContext(opened);
    const { db } = app;
    try {
      const agent = await findAgent(db, name);
      const { report } = await agentEvaluator(app, 'cli', agent, test, {
        targetPrecision: target,
        onProgress: (done, total) => {
          if (done % 200 === 0 || done === total) io.err(`evaluated ${done}/${total}`);
        },
      });
      if (values.json) io.out(JSON.stringify(report));
      else {
        io.out(
          `Agent ${report.agent}: ${report.questions} questions at threshold ${report.threshold.toFixed(2)}`,
        );
        io.out(`  answered precision  ${pct(report.answeredPrecision)} (target ${pct(target)})`);
        io.out(`  coverage            ${pct(report.coverage)}`);
        io.out(`  out-of-scope recall ${pct(report.oosRecall)}`);
        io.out(`  in-scope accuracy   ${pct(report.inScopeAccuracy)}`);
        io.out(
          report.suggestedThreshold === null
            ? `  no threshold reaches ${pct(target)} precision on this set`
            : `  suggested threshold ${report.suggestedThreshold.toFixed(3)} (reaches the target on this set, with a margin below; check it on fresh questions)`,
        );
        for (const line of formatByOosShare(report.byOosShare, report.oosShare)) io.out(`  ${line}`);
        const name = (id: string) =>
          id === OOS_LABEL ? 'out of scope' : (report.titles[id] ?? id.replace(/^unknown:/, ''));
        for (const line of formatMistakes(report.mistakes, name, CLI_EXAMPLES)) io.out(`  ${line}`);
        if (report.unknownLabels.length)
          io.err(`labels matching no FAQ entry: ${report.unknownLabels.join(', ')}`);
        io.out(
          report.passed
            ? 'PASSED: recorded as evidence for task clarity.'
            : 'FAILED: recorded; task clarity ≥ 4 is not evidenced.',
        );
      }
      return report.passed ? 0 : 1;
    } finally {
      await opened.close();
    }
  },
});
