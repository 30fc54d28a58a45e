// `twelve readiness`: score a use case on the 3-layer model before building it, from flags, a preset, or by
// answering the three questions in a terminal, and show what the resulting mode would let the agent do.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { describeLayer, LAYER_GUIDANCE } from '../../readiness/guidance.ts';
import {
  describeMode,
  isScore,
  LAYERS,
  type Layer,
  MODE_ALLOWS,
  type ReadinessResult,
  type ReadinessScores,
  type Score,
  scoreReadiness,
} from '../../readiness/model.ts';
import { findPreset, READINESS_PRESETS, type ReadinessPreset } from '../../readiness/presets.ts';
import { type CliCommand, type CliIo, UsageError } from '../command.ts';

/** Prints the question and returns the raw answer line. Injectable so the interactive flow is testable. */
export type AskFn = (question: string) => Promise<string>;

/** Invalid answers tolerated per question before giving up, so a script piping garbage cannot loop forever. */
export const MAX_ATTEMPTS = 5;

const USAGE = `Usage: twelve readiness [--clarity N] [--tolerance N] [--fallback N] [--json]
       twelve readiness --preset <id> [--json]
       twelve readiness --presets [--json]

Scores a use case on the readiness model (each score a whole number 1..5; total 12-15 ship, 8-11 pilot,
3-7 research) and prints what the resulting mode lets the agent do.

Options:
  --clarity N     task clarity: is the task specific, bounded, with a clear definition of done?
  --tolerance N   failure tolerance: what happens when the agent is wrong? (5 = mistakes are cheap)
  --fallback N    human fallback: is there a human who can take over quickly?
  --preset ID     use a reference case (see --presets)
  --presets       list the reference cases
  --json          print JSON instead of text

Missing scores are asked for in a terminal; elsewhere all three flags (or --preset) are required.

Examples:
  twelve readiness --clarity 4 --tolerance 3 --fallback 5
  twelve readiness --preset ${READINESS_PRESETS[0]?.id ?? 'support-faq'} --json
  twelve readiness --presets`;

function parseFlag(layer: Layer, raw: string | undefined): Score | undefined {
  if (raw === undefined) return undefined;
  // Digits only: Number('') is 0 and Number(' 4') is 4, neither is what someone meant to type.
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!isScore(value)) throw new UsageError(`--${layer} must be a whole number from 1 to 5 (got "${raw}")`);
  return value;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        clarity: { type: 'string' },
        tolerance: { type: 'string' },
        fallback: { type: 'string' },
        preset: { type: 'string' },
        presets: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    // parseArgs throws TypeError for unknown or malformed options: that is a usage problem, exit 2.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function listPresets(io: CliIo, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(READINESS_PRESETS, null, 2));
    return;
  }
  const width = Math.max(...READINESS_PRESETS.map((p) => p.id.length));
  for (const p of READINESS_PRESETS) {
    const { clarity, tolerance, fallback } = p.scores;
    // The scores add up exactly; an approximate source total is said in words after the name, not as "= ≈8".
    const note = p.approximate ? ` (the source gives about ${p.total}; the split into scores is ours)` : '';
    io.out(
      `${p.id.padEnd(width)}  ${clarity}/${tolerance}/${fallback} = ${clarity + tolerance + fallback} ${p.band}  ${p.name}${note}`,
    );
  }
}

/** Asks one layer until the answer is a valid score. */
async function askLayer(layer: Layer, ask: AskFn, show: (line: string) => void): Promise<Score> {
  for (const line of describeLayer(layer)) show(line);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = (await ask(`${LAYER_GUIDANCE[layer].title} score (1-5): `)).trim();
    const value = /^\d+$/.test(answer) ? Number(answer) : Number.NaN;
    if (isScore(value)) return value;
    show(`"${answer}" is not a score: answer with a whole number from 1 to 5.`);
  }
  throw new UsageError(`no valid ${layer} score after ${MAX_ATTEMPTS} attempts`);
}

/**
 * A readline-backed AskFn. It reads through the line iterator, which buffers, rather than `rl.question`, which
 * drops lines that arrive while no question is pending (piped answers); end of input rejects instead of hanging.
 */
function terminalAsk(output: NodeJS.WritableStream): { ask: AskFn; close: () => void } {
  const rl = createInterface({ input: process.stdin, output });
  const lines = rl[Symbol.asyncIterator]();
  return {
    ask: async (question) => {
      rl.setPrompt(question);
      rl.prompt();
      const next = await lines.next();
      if (next.done) throw new UsageError('input ended before every score was answered');
      return next.value;
    },
    close: () => rl.close(),
  };
}

function printResult(io: CliIo, result: ReadinessResult, json: boolean, preset: ReadinessPreset | undefined) {
  if (json) {
    const { scores, total, band, mode, verdict } = result;
    const { text, ...allows } = MODE_ALLOWS[mode];
    const body = {
      ...(preset ? { preset: preset.id } : {}),
      scores,
      total,
      band,
      mode,
      verdict,
      allows,
      allowsText: text,
    };
    io.out(JSON.stringify(body, null, 2));
    return;
  }
  const { clarity, tolerance, fallback } = result.scores;
  io.out(`Total ${result.total}/15 · band ${result.band} · mode ${result.mode}`);
  io.out(`Verdict: ${result.verdict}`);
  io.out(`Scores: clarity ${clarity} · tolerance ${tolerance} · fallback ${fallback}`);
  if (preset) {
    io.out(`Preset: ${preset.name}${preset.approximate ? ` (source total ≈${preset.total})` : ''}`);
    io.out(`  ${preset.note}`);
  }
  io.out(`In ${result.mode} mode:`);
  for (const line of describeMode(result.mode)) io.out(`  ${line}`);
}

export async function runReadiness(argv: string[], io: CliIo, ask?: AskFn): Promise<number> {
  const values = parse(argv);
  const json = values.json === true;
  if (values.presets === true) {
    listPresets(io, json);
    return 0;
  }

  const flags: Partial<Record<Layer, Score>> = {};
  for (const layer of LAYERS) {
    const score = parseFlag(layer, values[layer]);
    if (score !== undefined) flags[layer] = score;
  }

  let preset: ReadinessPreset | undefined;
  if (values.preset !== undefined) {
    if (Object.keys(flags).length > 0) {
      throw new UsageError('use either --preset or the score flags, not both');
    }
    preset = findPreset(values.preset);
    if (!preset) {
      const ids = READINESS_PRESETS.map((p) => p.id).join(', ');
      throw new UsageError(`unknown preset "${values.preset}"; known presets: ${ids}`);
    }
  }

  let scores: ReadinessScores;
  if (preset) {
    scores = preset.scores;
  } else {
    const missing = LAYERS.filter((layer) => flags[layer] === undefined);
    if (missing.length > 0 && !io.interactive) {
      const needed = missing.map((l) => `--${l} N`).join(' ');
      throw new UsageError(`missing ${needed} (each 1-5), or use --preset <id>; not asking: not a terminal`);
    }
    // With --json, stdout is for the JSON document only, so the questions go to stderr.
    const show = json ? io.err : io.out;
    const terminal =
      missing.length > 0 && !ask ? terminalAsk(json ? process.stderr : process.stdout) : undefined;
    const askFn: AskFn | undefined = ask ?? terminal?.ask;
    try {
      for (const layer of missing) {
        if (!askFn) break;
        flags[layer] = await askLayer(layer, askFn, show);
        show('');
      }
    } finally {
      terminal?.close();
    }
    const { clarity, tolerance, fallback } = flags;
    if (clarity === undefined || tolerance === undefined || fallback === undefined) {
      throw new UsageError('clarity, tolerance and fallback are all required');
    }
    scores = { clarity, tolerance, fallback };
  }

  printResult(io, scoreReadiness(scores), json, preset);
  return 0;
}

export const readinessCommand: CliCommand = {
  path: ['readiness'],
  summary: 'Score a use case on the readiness model (clarity, tolerance, fallback) and show its mode',
  usage: USAGE,
  run: (argv, io) => runReadiness(argv, io),
};
