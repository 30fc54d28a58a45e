// `twelve eval support`: measures the offline answer engine on labelled JSONL files.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type CliCommand, type CliIo, UsageError } from '../../../cli/command.ts';
import { type EvalReport, type Mistakes, parseJsonl, runEvaluation } from '../eval.ts';
import { type LearnReport, runLearning } from '../learn.ts';
import { MAX_OOS_SHARE, type ShareFigures } from '../oos-share.ts';

const USAGE = [
  'Usage: twelve eval support --train T.jsonl --test S.jsonl [--val V.jsonl] [--target-precision 0.95] [--oos-share 0.2] [--max-per-label N] [--exact-threshold-rule] [--validation-rounds R] [--opaque-labels] [--json]',
  '       twelve eval support --learn --train T.jsonl --test S.jsonl [--max-per-label N] [--batch 200] [--shuffle] [--target-precision 0.95] [--oos-share 0.2] [--json]',
  '',
  'Each file has one {"text": …, "label": …} per line; the label "oos" marks a question to leave to a person.',
  '',
  '  --train FILE              the questions the engine learns from (one label per FAQ entry)',
  '  --test FILE               the questions it is measured on (never seen while training)',
  '  --val FILE                questions that set the confidence threshold (default: held out of --train)',
  '  --target-precision P      the share of answers that must be right, in (0, 1] (default 0.95)',
  '  --oos-share X             the share of live questions assumed out of scope, 0 to 0.5 (default 0.2): the',
  '                            threshold holds the target up to that share, whatever the validation file has',
  '  --max-per-label N         train on at most N questions per label (how it does with fewer phrasings)',
  '  --exact-threshold-rule    set the threshold on the validation questions as given, without simulating',
  '                            out-of-scope questions by hiding labels',
  '  --validation-rounds R     pool R validation splits to set the threshold (default 1)',
  '  --opaque-labels           do not use the labels as entry titles',
  '  --learn                   play the test file in batches, adding what a person would after each hand-off, and',
  '                            print coverage and precision per batch on the questions not yet seen (the curve)',
  '  --batch N                 questions per batch with --learn (default 200)',
  '  --shuffle                 with --learn, play the test file in a seeded random order (banking77 is sorted)',
  '  --json                    print the report as JSON',
  '',
  'Example:',
  '  twelve eval support --train train.jsonl --test test.jsonl --target-precision 0.9',
  '  twelve eval support --learn --shuffle --train train.jsonl --test test.jsonl --max-per-label 5',
].join('\n');

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        train: { type: 'string' },
        test: { type: 'string' },
        val: { type: 'string' },
        'target-precision': { type: 'string' },
        'oos-share': { type: 'string' },
        'max-per-label': { type: 'string' },
        'exact-threshold-rule': { type: 'boolean', default: false },
        'validation-rounds': { type: 'string' },
        'opaque-labels': { type: 'boolean', default: false },
        learn: { type: 'boolean', default: false },
        batch: { type: 'string' },
        shuffle: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function load(file: string): Promise<ReturnType<typeof parseJsonl>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseJsonl(text, file);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The figures as an aligned two-column table. */
export function formatReport(r: EvalReport): string[] {
  const rows: [string, string][] = [
    ['train questions', `${r.trainSize}${r.maxPerLabel !== null ? ` (max ${r.maxPerLabel} per label)` : ''}`],
    ['test questions', `${r.testSize} (${r.oosTestSize} out of scope)`],
    ['entries (labels)', `${r.labels}${r.labelTitles ? ', titled with their labels' : ''}`],
    ...(r.negatives > 0
      ? [['questions to escalate (oos in train)', String(r.negatives)] as [string, string]]
      : []),
    [
      'validation',
      `${r.valSource}, ${r.valSize} questions${r.validationRounds > 1 ? ` (${r.validationRounds} rounds pooled)` : ''}${r.simulatedOosLabels > 0 ? `, ${r.simulatedOosLabels} labels hidden as oos per round` : ''}`,
    ],
    [
      'assumed out-of-scope share',
      `${pct(r.oosShare)} (validation ${pct(r.valOosShare)} out of scope${r.simulatedOosQuestions > 0 ? `, plus ${r.simulatedOosQuestions} simulated` : ''}${r.reweighted ? ', re-weighted' : ', not re-weighted: no out-of-scope question'})`,
    ],
    [
      'threshold rule',
      r.thresholdRule === 'simulated-oos'
        ? 'simulated oos (hidden labels play out-of-scope questions)'
        : 'exact (validation questions as given)',
    ],
    ['in-scope accuracy (top-1)', pct(r.inScopeAccuracy)],
    [
      'confidence threshold',
      `${r.threshold.toFixed(3)}${r.reachedTarget ? '' : ` (target ${pct(r.targetPrecision)} not reached on validation)`}`,
    ],
    ['answered', String(r.answered)],
    [`answered precision (target ${pct(r.targetPrecision)})`, pct(r.answeredPrecision)],
    ['coverage', pct(r.coverage)],
    ['oos recall', r.oosTestSize > 0 ? pct(r.oosRecall) : 'n/a'],
    ['training', `${Math.round(r.trainingMs)} ms`],
    ['latency p50 / p99', `${r.latencyP50Ms.toFixed(3)} / ${r.latencyP99Ms.toFixed(3)} ms`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

/** The learning curve as a table: one row per batch, figures on the questions not seen yet. */
export function formatLearning(r: LearnReport): string[] {
  const lines = [
    `learning from hand-offs: ${r.trainSize} training questions${r.maxPerLabel !== null ? ` (max ${r.maxPerLabel} per label)` : ''}, ${r.testSize} test questions played in ${r.shuffled ? 'a shuffled' : 'file'} order, ${r.batch} per batch`,
    `threshold ${r.threshold.toFixed(3)} (chosen at the start for ${pct(r.targetPrecision)} precision, ${pct(r.oosShare)} assumed out of scope); training ${Math.round(r.trainingMs / 1000)} s in all`,
    'batch   seen  phrasings  to-person  +phr  +neg  remaining  coverage  precision  oos recall',
  ];
  for (const p of r.curve) {
    lines.push(
      [
        String(p.batch).padStart(5),
        String(p.seen).padStart(6),
        String(p.phrasings).padStart(10),
        String(p.negatives).padStart(10),
        String(p.addedPhrasings).padStart(5),
        String(p.addedNegatives).padStart(5),
        String(p.remaining).padStart(10),
        pct(p.coverage).padStart(9),
        pct(p.precision).padStart(10),
        pct(p.oosRecall).padStart(11),
      ].join(' '),
    );
  }
  return lines;
}

/**
 * What the threshold delivers when live traffic has another out-of-scope share: the test file resampled to each
 * share (a row per share; the assumed one marked).
 */
export function formatByOosShare(rows: ShareFigures[], assumed: number): string[] {
  const lines = ['by out-of-scope share (test file resampled):', '  share  precision  coverage'];
  for (const r of rows) {
    const mark = Math.abs(r.share - assumed) < 1e-9 ? '  (assumed)' : '';
    lines.push(
      r.precision === null
        ? `  ${pct(r.share).padStart(5)}  n/a: the test file has no out-of-scope question`
        : `  ${pct(r.share).padStart(5)}  ${pct(r.precision).padStart(9)}  ${pct(r.coverage ?? 0).padStart(8)}${mark}`,
    );
  }
  return lines;
}

/**
 * The mistakes at the threshold, counted, and the labels most often taken for another (the pairs to work on: more
 * phrasings that tell them apart, or one entry where two say the same). `name` turns an id into what a person reads.
 */
export function formatMistakes(
  m: Mistakes,
  name: (id: string) => string = (id) => id,
  examples = 0,
): string[] {
  const lines = [
    `mistakes at the threshold: ${m.wrong} wrong answers, ${m.answeredOos} out-of-scope questions answered, ${m.missed} in-scope questions left to a person`,
  ];
  if (m.confusions.length > 0) {
    lines.push('most often taken for another (questions of → best match: count, whatever the confidence):');
    for (const c of m.confusions) lines.push(`  ${name(c.label)} → ${name(c.predicted)}: ${c.count}`);
  }
  const shown = m.examples.slice(0, examples);
  if (shown.length > 0) {
    lines.push(
      `questions (${shown.length} of ${m.wrong + m.answeredOos + m.missed}; worst first, then the closest):`,
    );
    for (const e of shown) {
      const best = e.predicted === null ? 'no match' : `${name(e.predicted)} at ${e.confidence.toFixed(2)}`;
      lines.push(
        `  ${EXAMPLE_KIND[e.kind]} ${JSON.stringify(e.text)}: should go to ${name(e.label)}; best match ${best}`,
      );
    }
  }
  return lines;
}

const EXAMPLE_KIND: Record<Mistakes['examples'][number]['kind'], string> = {
  wrong: 'wrong ',
  answered_oos: 'oos   ',
  missed: 'missed',
};

/**
 * Progress goes to stderr only: a single `\r`-rewritten line on a terminal, otherwise a line per phase
 * (plus one every ~25%), so logs stay short and stdout stays clean for --json.
 */
function progressReporter(io: CliIo): {
  onProgress: (phase: string, done: number, total: number) => void;
  end: () => void;
} {
  // io.err is line-oriented, so the rewritten line goes to the real stderr when that is a terminal.
  const tty = Boolean(process.stderr.isTTY);
  let lastPhase = '';
  let lastQuarter = -1;
  let drawn = false;
  return {
    onProgress(phase, done, total) {
      if (tty) {
        process.stderr.write(`\r\x1b[K${phase} ${done}/${total}`);
        drawn = true;
        return;
      }
      const quarter = total > 0 ? Math.floor((4 * done) / total) : 4;
      if (phase !== lastPhase || quarter > lastQuarter) io.err(`${phase}: ${done}/${total}`);
      if (phase !== lastPhase) lastQuarter = -1;
      lastPhase = phase;
      lastQuarter = Math.max(lastQuarter, quarter);
    },
    end() {
      if (tty && drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

export const evalSupportCommand: CliCommand = {
  path: ['eval', 'support'],
  summary: 'Measure the support answer engine on labelled JSONL (accuracy, precision, coverage, OOS recall)',
  usage: USAGE,
  async run(argv, io) {
    const v = parse(argv);
    if (!v.train) throw new UsageError('--train is required');
    if (!v.test) throw new UsageError('--test is required');
    let targetPrecision: number | undefined;
    if (v['target-precision'] !== undefined) {
      targetPrecision = Number(v['target-precision']);
      if (!Number.isFinite(targetPrecision) || targetPrecision <= 0 || targetPrecision > 1) {
        throw new UsageError('--target-precision must be a number in (0, 1]');
      }
    }
    let oosShare: number | undefined;
    if (v['oos-share'] !== undefined) {
      oosShare = Number(v['oos-share']);
      if (v['oos-share'].trim() === '' || !(oosShare >= 0 && oosShare <= MAX_OOS_SHARE)) {
        throw new UsageError(`--oos-share must be a number from 0 to ${MAX_OOS_SHARE}`);
      }
    }
    let maxPerLabel: number | undefined;
    if (v['max-per-label'] !== undefined) {
      maxPerLabel = Number(v['max-per-label']);
      if (!Number.isInteger(maxPerLabel) || maxPerLabel < 1) {
        throw new UsageError('--max-per-label must be a positive integer');
      }
    }
    let validationRounds: number | undefined;
    if (v['validation-rounds'] !== undefined) {
      validationRounds = Number(v['validation-rounds']);
      if (!Number.isInteger(validationRounds) || validationRounds < 1) {
        throw new UsageError('--validation-rounds must be a positive integer');
      }
    }
    if (!v.learn && (v.batch !== undefined || v.shuffle))
      throw new UsageError('--batch and --shuffle go with --learn');
    let batch: number | undefined;
    if (v.batch !== undefined) {
      batch = Number(v.batch);
      if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch must be a positive integer');
    }
    if (v.learn) {
      if (v.val) throw new UsageError('--learn chooses its threshold on the training file: leave out --val');
      const [train, test] = await Promise.all([load(v.train), load(v.test)]);
      if (train.length === 0) throw new Error(`${v.train}: no rows`);
      if (test.length === 0) throw new Error(`${v.test}: no rows`);
      const progress = progressReporter(io);
      let report: LearnReport;
      try {
        report = await runLearning({
          train,
          test,
          ...(maxPerLabel !== undefined ? { maxPerLabel } : {}),
          ...(batch !== undefined ? { batch } : {}),
          ...(v.shuffle ? { shuffle: true } : {}),
          ...(targetPrecision !== undefined ? { targetPrecision } : {}),
          ...(oosShare !== undefined ? { oosShare } : {}),
          onProgress: progress.onProgress,
        });
      } finally {
        progress.end();
      }
      if (v.json) io.out(JSON.stringify(report));
      else for (const line of formatLearning(report)) io.out(line);
      return 0;
    }
    // Every unreadable file is named at once, not only the first to fail.
    const loaded = await Promise.allSettled([
      load(v.train),
      load(v.test),
      v.val ? load(v.val) : Promise.resolve(undefined),
    ]);
    const failed = loaded.flatMap((r) =>
      r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [],
    );
    if (failed.length > 0) throw new Error(failed.join('; '));
    const [train, test, val] = loaded.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [
      ReturnType<typeof parseJsonl>,
      ReturnType<typeof parseJsonl>,
      ReturnType<typeof parseJsonl> | undefined,
    ];
    if (train.length === 0) throw new Error(`${v.train}: no rows`);
    if (test.length === 0) throw new Error(`${v.test}: no rows`);
    const progress = progressReporter(io);
    let report: EvalReport;
    try {
      report = await runEvaluation({
        train,
        test,
        ...(val ? { val } : {}),
        ...(targetPrecision !== undefined ? { targetPrecision } : {}),
        ...(oosShare !== undefined ? { oosShare } : {}),
        ...(maxPerLabel !== undefined ? { maxPerLabel } : {}),
        ...(validationRounds !== undefined ? { validationRounds } : {}),
        ...(v['exact-threshold-rule'] ? { simulateOos: false } : {}),
        ...(v['opaque-labels'] ? { labelTitles: false } : {}),
        onProgress: progress.onProgress,
      });
    } finally {
      progress.end();
    }
    if (v.json) {
      io.out(JSON.stringify(report));
    } else {
      for (const line of formatReport(report)) io.out(line);
      for (const line of formatByOosShare(report.byOosShare, report.oosShare)) io.out(line);
      for (const line of formatMistakes(report.mistakes)) io.out(line);
    }
    return 0;
  },
};
