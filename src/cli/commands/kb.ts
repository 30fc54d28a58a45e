// `twelve kb import PATH --agent NAME [--create]`: imports a file or folder into a support agent's knowledge base,
// with a progress bar; re-importing only touches what changed. `twelve kb health --agent NAME`: the entries the engine
// takes for one another, and those whose own phrasings it misses.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { heldOutTotals, kbHealth, WEAK_SHARE, weakEntries } from '../../agents/support/health.ts';
import { kbImporter } from '../../agents/support/import.ts';
import { listFaqs, phrasingAdder } from '../../agents/support/kb.ts';
import {
  DEFAULT_SUGGESTIONS,
  MAX_SUGGESTIONS,
  type PhrasingSuggestion,
  phrasingSuggester,
} from '../../agents/support/suggest.ts';
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

/** Pairs and weak entries printed (the JSON has them all). */
const HEALTH_SHOWN = 10;

export const kbHealthCommand: CliCommand = {
  path: ['kb', 'health'],
  summary: "How well a support agent's engine tells its entries apart (measured while training, no test set)",
  usage: 'twelve kb health --agent NAME [--json]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { agent: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    if (!values.agent) throw new UsageError('--agent NAME is required');
    const db = await openDatabase(loadConfig(io.env));
    const app = createApp(db);
    try {
      const agent = await findAgent(db, values.agent);
      if (agent.kind !== 'support')
        throw new Error(`agent "${values.agent}" is a ${agent.kind} agent, not support`);
      const snap = await app.engines.get(db, agent.id);
      const health = kbHealth(snap);
      if (values.json) {
        io.out(JSON.stringify({ version: snap.version, health }));
        return 0;
      }
      if (!health) {
        io.out(
          `knowledge base version ${snap.version} is too small to measure: it needs at least 3 entries and 20 phrasings (titles count)`,
        );
        return 0;
      }
      const totals = heldOutTotals(health);
      io.out(
        `knowledge base version ${snap.version}: training held out ${totals.heldOut} phrasings and matched ${(100 * totals.share).toFixed(1)}% to their own entry`,
      );
      if (health.lookAlike.length > 0) {
        io.out('taken for one another (phrasings of → matched best: times):');
        for (const p of health.lookAlike.slice(0, HEALTH_SHOWN))
          io.out(`  ${p.entry.title} → ${p.other.title}: ${p.count}`);
      } else io.out('no held-out phrasing matched another entry best');
      const weak = weakEntries(health);
      if (weak.length > 0) {
        io.out(
          `own phrasings missed (under ${WEAK_SHARE * 100}% recognized; add phrasings in customers' words):`,
        );
        for (const e of weak.slice(0, HEALTH_SHOWN)) io.out(`  ${e.title}: ${e.recognized} of ${e.heldOut}`);
      }
      return 0;
    } finally {
      await app.close();
    }
  },
};

export const kbSuggestCommand: CliCommand = {
  path: ['kb', 'suggest'],
  summary: "Ask the configured LLM for new phrasings of an FAQ entry, with the engine's verdict on each",
  usage: [
    'twelve kb suggest --agent NAME --entry TITLE|ID [--count N] [--add new] [--json]',
    '',
    '  --count N  how many to ask for, 1 to 20 (default 8)',
    '  --add new  add the ones the engine does not answer with this entry yet (one new version); without it',
    '             nothing is added',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        agent: { type: 'string' },
        entry: { type: 'string' },
        count: { type: 'string' },
        add: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.agent) throw new UsageError('--agent NAME is required');
    if (!values.entry) throw new UsageError('--entry TITLE or ID is required');
    const count = values.count === undefined ? DEFAULT_SUGGESTIONS : Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_SUGGESTIONS)
      throw new UsageError(`--count: a whole number from 1 to ${MAX_SUGGESTIONS}`);
    if (values.add !== undefined && values.add !== 'new')
      throw new UsageError('--add: only "new" is supported');
    const config = loadConfig(io.env);
    const db = await openDatabase(config);
    const app = createApp(db, { llm: config.llm });
    try {
      const agent = await findAgent(db, values.agent);
      if (agent.kind !== 'support')
        throw new Error(`agent "${values.agent}" is a ${agent.kind} agent, not support`);
      const wanted = values.entry.trim().toLowerCase();
      const entry = (await listFaqs(db, agent.id)).find(
        (e) => e.id === values.entry || e.title.toLowerCase() === wanted,
      );
      if (!entry) throw new Error(`no FAQ entry "${values.entry}" in ${agent.name}`);
      io.err(`asking ${config.llm?.model ?? 'the LLM'} for ${count} phrasings of "${entry.title}"…`);
      const result = await phrasingSuggester(app, 'cli', entry.id, count);
      const fresh = result.suggestions.filter((s) => s.verdict === 'new').map((s) => s.text);
      const added =
        values.add === 'new' && fresh.length > 0 ? await phrasingAdder(app, 'cli', entry.id, fresh) : null;
      if (values.json) {
        io.out(
          JSON.stringify({
            entry: { id: entry.id, title: entry.title },
            ...result,
            added: added ? fresh : [],
          }),
        );
        return 0;
      }
      if (result.suggestions.length === 0) io.out('the model proposed nothing new');
      for (const s of result.suggestions) io.out(`${VERDICT_MARK[s.verdict]} ${s.text}${verdictNote(s)}`);
      io.out(
        `${result.model}: ${result.usage.inputTokens} + ${result.usage.outputTokens} tokens, ${result.cents}¢`,
      );
      if (added) io.out(`added ${fresh.length} to "${entry.title}" (entry version ${added.version})`);
      else if (values.add === 'new') io.out('nothing new to add');
      else if (fresh.length > 0) io.out('nothing added: pick in the dashboard, or run again with --add new');
      return 0;
    } finally {
      await app.close();
    }
  },
};

const VERDICT_MARK = { new: '+', known: '=', conflict: '!' } as const;

function verdictNote(s: PhrasingSuggestion): string {
  if (s.verdict === 'new') return '';
  if (s.verdict === 'known') return '   (already answered with this entry)';
  return `   (answered with "${s.match?.title}" at ${s.match?.confidence.toFixed(2)})`;
}
