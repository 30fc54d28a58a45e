// `twelve kb import PATH --agent NAME [--create]`: imports a file or folder into a support agent's knowledge base,
// with a progress bar; re-importing only touches what changed.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { kbImporter } from '../../agents/support/import.ts';
import { createApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { agentCreator, findAgent } from '../../runtime/agents.ts';
import { openDatabase } from '../../store/open.ts';
import { type CliCommand, UsageError } from '../command.ts';

export const kbImportCommand: CliCommand = {
  path: ['kb', 'import'],
  summary: 'Import FAQ files and articles (Markdown, HTML, PDF, text) into a support agent',
  usage:
    'twelve kb import PATH --agent NAME [--create]\n\n  --create  create the support agent if it does not exist',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { agent: { type: 'string' }, create: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new UsageError('give exactly one file or folder');
    if (!values.agent) throw new UsageError('--agent NAME is required');
    const agentName = values.agent;
    const db = await openDatabase(loadConfig(io.env));
    const app = createApp(db);
    try {
      let agent = await findAgent(db, agentName).catch(() => null);
      if (!agent && values.create) {
        agent = await agentCreator(app, 'cli', { kind: 'support', name: agentName, displayName: agentName });
        io.out(`created support agent ${agentName}`);
      }
      if (!agent) throw new Error(`no agent "${agentName}" (add --create to create it)`);
      if (agent.kind !== 'support')
        throw new Error(`agent "${agentName}" is a ${agent.kind} agent, not support`);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { format: 'importing [{bar}] {value}/{total} {file}', hideCursor: true, stream: process.stderr },
            cliProgress.Presets.shades_classic,
          )
        : null;
      let started = false;
      const report = await kbImporter(app, 'cli', agent.id, path, (done, total, file) => {
        if (bar) {
          if (!started) bar.start(total, 0, { file });
          bar.update(done, { file });
        } else if (file) io.err(`[${done + 1}/${total}] ${file}`);
        started = true;
      });
      bar?.stop();
      io.out(
        `${report.files} files: ${report.faqCreated} FAQ entries created, ${report.faqUpdated} updated; ` +
          `${report.articlesChanged} articles imported, ${report.articlesUnchanged} unchanged`,
      );
      for (const d of report.decoded) io.out(`read ${d.file} as ${d.encoding} (it is not UTF-8)`);
      for (const s of report.skipped) io.err(`skipped ${s.file}: ${s.reason}`);
      return report.skipped.length ? 1 : 0;
    } finally {
      await app.close();
    }
  },
};
