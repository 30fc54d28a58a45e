// `twelve eval receptionist --test FILE.jsonl [--agent NAME] [--json]`: how well the dialogue understands messages:
// intent accuracy and each slot's (service, date, time, qualifier, …), overall and per intent, and the mistakes.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type CliCommand, type CliIo, UsageError } from '../../../cli/command.ts';
import type { CliAppOpener, KindContext } from '../../kind.ts';
import { chronoUnderstand } from '../dialogue/baseline.ts';
import {
  EvalInputError,
  type EvalLine,
  evaluateLines,
  FIELDS,
  INTENTS,
  parseEvalLines,
  type ReceptionistEvalReport,
  type Understander,
} from '../dialogue/eval.ts';
import { understand } from '../dialogue/parse.ts';

/** What the dialogue needs to know of a business: its services, its time zone and opening hours. */
export interface EvalBusiness {
  services: string[];
  tz: string;
  hours?: { open: string; close: string };
  locale?: string;
}

/** Reads an agent's business (services, tz, hours) by the agent's name; null when there is no such agent. */
export type EvalBusinessReader = (ctx: KindContext, agentName: string) => Promise<EvalBusiness | null>;

/** Without --agent, a line's services and tz with these hours stand for the business. */
export const DEFAULT_HOURS = { open: '09:00', close: '18:00' };

const USAGE =
  'twelve eval receptionist --test FILE.jsonl [--agent NAME] [--json] [--mistakes N] [--parser rules|chrono]\n\n' +
  'FILE holds one JSON object a line: {"now": "2026-03-27T16:05:00", "tz": "Europe/London", "services": [...],\n' +
  '"text": "...", "expect": {"intent": "book", "service": ..., "date": "YYYY-MM-DD", "time": "HH:MM",\n' +
  '"timeQualifier": ...}}; now is local wall-clock time in tz; every expect field but intent is optional (absent: not\n' +
  "scored; null: must not be read). Without --agent, the line's services and tz with hours 09:00-18:00 stand for\n" +
  'the business.\n\n' +
  '  --test FILE       the labelled lines (JSONL)\n' +
  "  --agent NAME      read with this receptionist's services, hours and time zone\n" +
  '  --mistakes N      print up to N misread lines\n' +
  "  --parser P        rules (default: the receptionist's understanding) or chrono (chrono-node alone: its date\n" +
  '                    and time figures only, for comparison)\n' +
  '  --json            print the figures as JSON\n\n' +
  'Example:\n' +
  '  twelve eval receptionist --test examples/receptionist/test.jsonl --mistakes 10';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const show = (v: string | boolean | null): string => (v === null ? '(none)' : JSON.stringify(v));

export function formatEvalReport(r: ReceptionistEvalReport, mistakes: number): string[] {
  const out = [`${r.lines} lines; every scored field right on ${pct(r.lineAccuracy)}`];
  const scored = FIELDS.filter((f) => r.fields[f].scored > 0);
  const width = Math.max(...scored.map((f) => f.length)) + 10;
  for (const f of scored) {
    const a = r.fields[f];
    out.push(`  ${`${f} accuracy`.padEnd(width)} ${pct(a.accuracy).padStart(6)}  (${a.correct}/${a.scored})`);
  }
  out.push('per intent (expected):');
  for (const intent of INTENTS) {
    const b = r.perIntent[intent];
    if (!b) continue;
    const parts = FIELDS.filter((f) => b.fields[f].scored > 0).map(
      (f) => `${f} ${pct(b.fields[f].accuracy)} (${b.fields[f].correct}/${b.fields[f].scored})`,
    );
    out.push(`  ${intent.padEnd(12)} ${String(b.lines).padStart(5)} lines  ${parts.join(', ')}`);
  }
  const shown = r.mistakes.slice(0, mistakes);
  if (shown.length > 0) {
    out.push(`mistakes (first ${shown.length} of ${r.mistakes.length}):`);
    for (const m of shown)
      out.push(
        `  line ${m.line} ${JSON.stringify(m.text)}: ${m.field} expected ${show(m.expected)}, got ${show(m.got)}`,
      );
  } else out.push('no mistakes');
  return out;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        test: { type: 'string' },
        agent: { type: 'string' },
        json: { type: 'boolean', default: false },
        mistakes: { type: 'string' },
        parser: { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function withBusiness(
  open: CliAppOpener,
  readBusiness: EvalBusinessReader | undefined,
  agent: string,
  io: CliIo,
): Promise<EvalBusiness> {
  if (!readBusiness)
    throw new UsageError(
      "--agent is not available until the receptionist kind is registered (it reads the agent's business profile); evaluate without --agent",
    );
  const ctx = await open(io);
  try {
    const business = await readBusiness(ctx, agent);
    if (!business) throw new UsageError(`no receptionist agent named ${JSON.stringify(agent)}`);
    return business;
  } finally {
    await ctx.close();
  }
}

/**
 * The command. `readBusiness` reads an agent's services, tz and hours from its business profile (wired by the
 * receptionist kind); without it `--agent` is refused with a usage error saying why.
 */
export const evalReceptionistCommand = (
  open: CliAppOpener,
  readBusiness?: EvalBusinessReader,
): CliCommand => ({
  path: ['eval', 'receptionist'],
  summary: "Measure the receptionist's understanding (intent, service, date, time) on labelled JSONL",
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const v = parse(argv);
    if (!v.test) throw new UsageError('--test FILE.jsonl is required');
    const mistakes = v.mistakes === undefined ? 20 : Number(v.mistakes);
    if (!Number.isInteger(mistakes) || mistakes < 0)
      throw new UsageError('--mistakes must be a whole number ≥ 0');
    const parser = v.parser ?? 'rules';
    if (parser !== 'rules' && parser !== 'chrono') throw new UsageError('--parser must be rules or chrono');
    let text: string;
    try {
      text = await readFile(v.test, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${v.test}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let lines: EvalLine[];
    try {
      lines = parseEvalLines(text, v.test);
    } catch (err) {
      if (err instanceof EvalInputError) throw new UsageError(err.message);
      throw err;
    }
    const business = v.agent ? await withBusiness(open, readBusiness, v.agent, io) : null;
    const run: Understander =
      parser === 'chrono'
        ? (l) => chronoUnderstand(l.text, { now: l.now, tz: business?.tz ?? l.tz })
        : (l) =>
            understand(l.text, {
              now: l.now,
              tz: business?.tz ?? l.tz,
              services: business?.services ?? l.services,
              hours: business?.hours ?? DEFAULT_HOURS,
              locale: business?.locale,
            });
    const big = lines.length >= 2000;
    const report = evaluateLines(lines, run, {
      progressEvery: 1000,
      ...(big ? { onProgress: (done: number, total: number) => io.err(`understood ${done}/${total}`) } : {}),
    });
    if (v.json)
      io.out(JSON.stringify({ ...report, mistakes: report.mistakes.slice(0, Math.max(mistakes, 100)) }));
    else for (const line of formatEvalReport(report, mistakes)) io.out(line);
    return 0;
  },
});
