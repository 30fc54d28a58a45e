// `twelve kb import PATH --agent NAME [--create [--kind KIND]]`: imports a file or folder into an agent's knowledge
// base (any agent whose kind has one: support, the receptionist), with a progress bar; re-importing only touches what changed. `twelve kb health --agent NAME`: the entries the engine
// takes for one another, and those whose own phrasings it misses.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { type CliCommand, type CliIo, UsageError } from '../../cli/command.ts';
import { isAppError } from '../../errors.ts';
import type { KindAware } from '../../runtime/agents.ts';
import { agentCreator, findAgent } from '../../runtime/agents.ts';
import { heldOutTotals, kbHealth, WEAK_SHARE, weakEntries } from '../health.ts';
import { kbImporter } from '../import.ts';
import { type FaqEntry, listFaqs, phrasingAdder } from '../kb.ts';
import { assertHasKnowledge, type KnowledgeContext } from '../knowledge.ts';
import {
  DEFAULT_SUGGESTIONS,
  MAX_SUGGESTIONS,
  type PhrasingSuggestion,
  phrasingSuggester,
  type SuggestionResult,
} from '../suggest.ts';

/** Opens the configured database and assembles an app for a command; the caller closes it. */
export type KnowledgeAppOpener = (
  io: CliIo,
) => Promise<KnowledgeContext & KindAware & { close(): Promise<void> }>;

/** A command's agent: refused (with the kinds that have one) when its kind has no knowledge base. */
function mustHaveKnowledge<A extends Parameters<typeof assertHasKnowledge>[1]>(
  app: KnowledgeContext,
  agent: A,
): A {
  try {
    assertHasKnowledge(app.knowledge, agent);
  } catch {
    throw new Error(
      `agent "${agent.name}" is a ${agent.kind} agent; only ${[...app.knowledge.kinds].join(' and ')} agents have a knowledge base`,
    );
  }
  return agent;
}

export const kbImportCommand = (open: KnowledgeAppOpener): CliCommand => ({
  path: ['kb', 'import'],
  summary: "Import FAQ files and articles (Markdown, HTML, PDF, text) into an agent's knowledge base",
  usage: [
    'twelve kb import PATH --agent NAME [--create [--kind KIND]]',
    '',
    'PATH is a file or a folder: *faq.json (a list of {title, answer, phrasings}), Markdown, HTML, PDF, DOCX, text;',
    'escalate.txt lists questions that go to a person. Re-importing only touches what changed.',
    '',
    '  --agent NAME  the agent whose knowledge base it is',
    '  --create      create the agent if it does not exist',
    "  --kind KIND   with --create: the new agent's kind (support unless said)",
    '',
    'Example:',
    '  twelve kb import examples/northwind-cycles --agent northwind --create',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { agent: { type: 'string' }, create: { type: 'boolean' }, kind: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new UsageError('give exactly one file or folder');
    if (!values.agent) throw new UsageError('--agent NAME is required');
    const agentName = values.agent;
    const app = await open(io);
    const { db } = app;
    try {
      let agent = await findAgent(db, agentName).catch(() => null);
      if (!agent && values.create) {
        const kind = values.kind ?? [...app.knowledge.kinds][0] ?? 'support';
        if (!app.knowledge.kinds.has(kind))
          throw new UsageError(`--kind: one of ${[...app.knowledge.kinds].join(', ')}`);
        agent = await agentCreator(app, 'cli', { kind, name: agentName, displayName: agentName });
        io.out(`created ${kind} agent ${agentName}`);
      }
      if (!agent) throw new Error(`no agent "${agentName}" (add --create to create it)`);
      mustHaveKnowledge(app, agent);
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
        `${report.files} files: ${report.faqCreated} FAQ entries created, ${report.faqUpdated} updated, ${report.faqUnchanged} unchanged; ` +
          `${report.articlesChanged} articles imported, ${report.articlesUnchanged} unchanged` +
          (report.escalateAdded + report.escalateUnchanged > 0
            ? `; ${report.escalateAdded} questions that go to a person added, ${report.escalateUnchanged} listed already`
            : ''),
      );
      for (const d of report.decoded) io.out(`read ${d.file} as ${d.encoding} (it is not UTF-8)`);
      for (const s of report.skipped) io.err(`skipped ${s.file}: ${s.reason}`);
      return report.skipped.length ? 1 : 0;
    } finally {
      await app.close();
    }
  },
});

/** Pairs and weak entries printed (the JSON has them all). */
const HEALTH_SHOWN = 10;

export const kbHealthCommand = (open: KnowledgeAppOpener): CliCommand => ({
  path: ['kb', 'health'],
  summary: "How well an agent's engine tells its entries apart (measured while training, no test set)",
  usage: [
    'twelve kb health --agent NAME [--json]',
    '',
    '  --agent NAME  the agent whose knowledge base to measure',
    '  --json        print every pair and weak entry as JSON',
    '',
    'Example:',
    '  twelve kb health --agent northwind',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { agent: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    if (!values.agent) throw new UsageError('--agent NAME is required');
    const app = await open(io);
    const { db } = app;
    try {
      const agent = mustHaveKnowledge(app, await findAgent(db, values.agent));
      const snap = await app.knowledge.engines.get(db, agent.id);
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
});

export const kbSuggestCommand = (open: KnowledgeAppOpener): CliCommand => ({
  path: ['kb', 'suggest'],
  summary: "Ask the configured LLM for new phrasings of FAQ entries, with the engine's verdict on each",
  usage: [
    'twelve kb suggest --agent NAME (--entry TITLE|ID [--contrast TITLE|ID] | --thin N) [--count N] [--add new] [--json]',
    '',
    '  --agent NAME   the agent whose knowledge base it is',
    '  --entry TITLE  one entry, by title or id',
    "  --contrast TITLE  another entry its questions are mistaken for (kb health's pairs):",
    '                 phrasings that tell them apart',
    '  --thin N       every entry with fewer than N phrasings (one model call each, with progress)',
    '  --count N      how many to ask for per entry, 1 to 20 (default 8)',
    '  --add new      add the ones the engine does not answer with their entry yet (one new version per entry,',
    '                 once every entry was asked); without it nothing is added',
    '  --json         print the suggestions, verdicts and cost as JSON',
    '',
    'Needs an LLM provider (TWELVE_LLM_PROVIDER).',
    '',
    'Examples:',
    '  twelve kb suggest --agent northwind --entry "Opening hours" --count 5',
    '  twelve kb suggest --agent northwind --thin 4 --add new',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        agent: { type: 'string' },
        entry: { type: 'string' },
        contrast: { type: 'string' },
        thin: { type: 'string' },
        count: { type: 'string' },
        add: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.agent) throw new UsageError('--agent NAME is required');
    if ((values.entry === undefined) === (values.thin === undefined))
      throw new UsageError('give --entry TITLE or --thin N');
    if (values.contrast !== undefined && values.entry === undefined)
      throw new UsageError('--contrast goes with --entry');
    const thin = values.thin === undefined ? null : Number(values.thin);
    if (thin !== null && (!Number.isInteger(thin) || thin < 1 || thin > 1000))
      throw new UsageError('--thin: a whole number from 1 to 1000');
    const count = values.count === undefined ? DEFAULT_SUGGESTIONS : Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_SUGGESTIONS)
      throw new UsageError(`--count: a whole number from 1 to ${MAX_SUGGESTIONS}`);
    if (values.add !== undefined && values.add !== 'new')
      throw new UsageError('--add: only "new" is supported');
    const app = await open(io);
    const { db } = app;
    try {
      const agent = mustHaveKnowledge(app, await findAgent(db, values.agent));
      const all = await listFaqs(db, agent.id);
      const byTitleOrId = (key: string) => {
        const wanted = key.trim().toLowerCase();
        return all.find((e) => e.id === key || e.title.toLowerCase() === wanted);
      };
      let contrast: FaqEntry | undefined;
      if (values.contrast !== undefined) {
        contrast = byTitleOrId(values.contrast);
        if (!contrast) throw new Error(`no FAQ entry "${values.contrast}" in ${agent.name}`);
      }
      let entries: FaqEntry[];
      if (thin !== null) {
        entries = all.filter((e) => e.phrasings.length < thin);
        if (entries.length === 0) {
          io.out(`no entry of ${agent.name} has fewer than ${thin} phrasings`);
          return 0;
        }
      } else {
        const entry = byTitleOrId(values.entry!);
        if (!entry) throw new Error(`no FAQ entry "${values.entry}" in ${agent.name}`);
        entries = [entry];
      }
      // No provider (or unusable settings): say why before announcing a call that cannot be made.
      const model = llmModel(app);
      const progress = entries.length > 1 ? progressTo(io, entries.length, `asking ${model}`) : null;
      if (!progress) io.err(`asking ${model} for ${count} phrasings of "${entries[0]!.title}"…`);
      const asked: { entry: FaqEntry; result: SuggestionResult }[] = [];
      let stoppedBy: string | null = null;
      for (const [i, entry] of entries.entries()) {
        progress?.(i, entry.title);
        try {
          asked.push({
            entry,
            result: await phrasingSuggester(app, 'cli', entry.id, count, contrast?.id),
          });
        } catch (err) {
          // One entry's unusable reply is that entry's; anything else (no provider, provider down, cap reached) stops.
          if (entries.length > 1 && isAppError(err) && err.id === 'llm_bad_output') {
            io.err(`"${entry.title}": ${err.message}`);
            continue;
          }
          if (asked.length === 0) throw err;
          stoppedBy = err instanceof Error ? err.message : String(err);
          break;
        }
      }
      progress?.(entries.length, '');
      const added = new Map<string, number>();
      if (values.add === 'new') {
        for (const { entry, result } of asked) {
          const fresh = result.suggestions.filter((s) => s.verdict === 'new').map((s) => s.text);
          if (fresh.length === 0) continue;
          const saved = await phrasingAdder(app, 'cli', entry.id, fresh);
          added.set(entry.id, saved.version);
        }
      }
      const fresh = (r: SuggestionResult) =>
        r.suggestions.filter((s) => s.verdict === 'new').map((s) => s.text);
      const cents = asked.reduce((sum, a) => sum + a.result.cents, 0);
      if (values.json) {
        const results = asked.map(({ entry, result }) => ({
          entry: { id: entry.id, title: entry.title },
          ...result,
          added: added.has(entry.id) ? fresh(result) : [],
        }));
        io.out(JSON.stringify(thin === null ? results[0] : { results, cents, stoppedBy }));
        return stoppedBy ? 1 : 0;
      }
      for (const { entry, result } of asked) {
        if (entries.length > 1) io.out(`"${entry.title}" (${entry.phrasings.length} phrasings):`);
        const pad = entries.length > 1 ? '  ' : '';
        if (result.suggestions.length === 0) io.out(`${pad}the model proposed nothing new`);
        for (const s of result.suggestions)
          io.out(`${pad}${VERDICT_MARK[s.verdict]} ${s.text}${verdictNote(s)}`);
        const version = added.get(entry.id);
        if (version !== undefined) io.out(`${pad}added ${fresh(result).length} (entry version ${version})`);
      }
      const tokens = asked.reduce(
        (t, a) => [t[0]! + a.result.usage.inputTokens, t[1]! + a.result.usage.outputTokens],
        [0, 0],
      );
      io.out(
        `${asked[0]?.result.model ?? model}: ${asked.length} ${asked.length === 1 ? 'call' : 'calls'}, ${tokens[0]} + ${tokens[1]} tokens, ${cents}¢`,
      );
      const newCount = asked.reduce((n, a) => n + fresh(a.result).length, 0);
      if (values.add !== 'new') {
        if (newCount > 0) io.out('nothing added: pick in the dashboard, or run again with --add new');
      } else if (added.size === 0) io.out('nothing new to add');
      if (stoppedBy) {
        io.err(`stopped after ${asked.length} of ${entries.length} entries: ${stoppedBy}`);
        return 1;
      }
      return 0;
    } finally {
      await app.close();
    }
  },
});

/** A progress bar on a terminal, a line per step otherwise (stderr either way). */
function progressTo(io: CliIo, total: number, label: string): (done: number, item: string) => void {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} {item}`, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, 0, { item: '' });
  return (done, item) => {
    if (bar) {
      bar.update(done, { item });
      if (done >= total) bar.stop();
    } else if (done < total) io.err(`[${done + 1}/${total}] ${item}`);
  };
}

const VERDICT_MARK = { new: '+', known: '=', conflict: '!' } as const;

function verdictNote(s: PhrasingSuggestion): string {
  if (s.verdict === 'new') return '';
  if (s.verdict === 'known') return '   (already answered with this entry)';
  return `   (answered with "${s.match?.title}" at ${s.match?.confidence.toFixed(2)})`;
}

/** The configured model's name; throws why when no provider is configured. */
function llmModel(app: { llm: () => { client: { model: string } } }): string {
  return app.llm().client.model;
}
