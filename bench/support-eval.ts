// Development harness for the support engine, on TRAINING data only: hides a seeded set of whole labels as
// out-of-scope (like a near-domain oos test set) and splits the rest 80/20 per label into dev-train and
// dev-test, then runs the standard evaluation on that pair. The real test file is never read, so choices made
// while iterating on the engine cannot leak it.
//   node --import tsx bench/support-eval.ts --train data/train.jsonl [--splits 2] [--max-per-label N] [--exact]
//     [--oos-share 0.12] [--train-oos N [--train-oos-from same|other]]
// --train-oos N puts N rows of the hidden labels into dev-train as oos rows (questions to escalate, as CLINC150's
// training file has): drawn from the same hidden labels as the test's oos questions (half of each label's rows on
// either side), or from other hidden labels than the test's (`other`: every second hidden label).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type LabeledText, OOS_LABEL, parseJsonl, runEvaluation } from '../src/agents/support/eval.ts';
import { mulberry32, shuffleInPlace } from '../src/engines/local/random.ts';

const { values: v } = parseArgs({
  options: {
    train: { type: 'string' },
    splits: { type: 'string', default: '2' },
    'max-per-label': { type: 'string' },
    'oos-share': { type: 'string', default: '0.12' },
    exact: { type: 'boolean', default: false },
    target: { type: 'string', default: '0.95' },
    'train-oos': { type: 'string', default: '0' },
    'train-oos-from': { type: 'string', default: 'same' },
  },
});
const trainOos = Number(v['train-oos']);
if (!['same', 'other'].includes(v['train-oos-from'] ?? ''))
  throw new Error('--train-oos-from: same or other');
if (!v.train) throw new Error('--train is required');
const rows = parseJsonl(readFileSync(v.train, 'utf8'), v.train).filter((r) => r.label !== OOS_LABEL);

function devSplit(all: LabeledText[], seed: number): { train: LabeledText[]; test: LabeledText[] } {
  const rand = mulberry32(seed * 9973 + 7);
  const labels = [...new Set(all.map((r) => r.label))].sort();
  shuffleInPlace(labels, rand);
  const hidden = new Set(labels.slice(0, Math.round(labels.length * Number(v['oos-share']))));
  const train: LabeledText[] = [];
  const test: LabeledText[] = [];
  const byLabel = new Map<string, LabeledText[]>();
  for (const r of all) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const oosPool: LabeledText[] = [];
  const negPool: LabeledText[] = [];
  let hiddenSeen = 0;
  for (const l of [...byLabel.keys()].sort()) {
    const list = [...byLabel.get(l)!];
    shuffleInPlace(list, rand);
    if (hidden.has(l)) {
      if (trainOos === 0) oosPool.push(...list);
      else if (v['train-oos-from'] === 'same') {
        const half = Math.floor(list.length / 2);
        negPool.push(...list.slice(0, half));
        oosPool.push(...list.slice(half));
      } else (hiddenSeen++ % 2 === 0 ? negPool : oosPool).push(...list);
      continue;
    }
    const cut = Math.round(list.length * 0.2);
    test.push(...list.slice(0, cut));
    train.push(...list.slice(cut));
  }
  shuffleInPlace(oosPool, rand);
  shuffleInPlace(negPool, rand);
  train.push(...negPool.slice(0, trainOos).map((r) => ({ text: r.text, label: OOS_LABEL })));
  // About one test question in seven is out of scope, like the BANKING77-OOS test set.
  const nOos = Math.min(oosPool.length, Math.round(test.length * 0.15));
  test.push(...oosPool.slice(0, nOos).map((r) => ({ text: r.text, label: OOS_LABEL })));
  return { train, test };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}`;
const sums = { acc: 0, prec: 0, cov: 0, oos: 0, ms: 0 };
const n = Number(v.splits);
for (let s = 1; s <= n; s++) {
  const { train, test } = devSplit(rows, s);
  const r = await runEvaluation({
    train,
    test,
    targetPrecision: Number(v.target),
    ...(v['max-per-label'] ? { maxPerLabel: Number(v['max-per-label']) } : {}),
    ...(v.exact ? { simulateOos: false } : {}),
  });
  sums.acc += r.inScopeAccuracy;
  sums.prec += r.answeredPrecision;
  sums.cov += r.coverage;
  sums.oos += r.oosRecall;
  sums.ms += r.trainingMs;
  console.log(
    `split ${s}: acc ${pct(r.inScopeAccuracy)} thr ${r.threshold.toFixed(3)} prec ${pct(r.answeredPrecision)} cov ${pct(r.coverage)} oosRec ${pct(r.oosRecall)} train ${Math.round(r.trainingMs)}ms p50 ${r.latencyP50Ms.toFixed(3)} p99 ${r.latencyP99Ms.toFixed(3)} (test ${r.testSize}, oos ${r.oosTestSize}, train oos ${r.negatives})`,
  );
}
console.log(
  `mean: acc ${pct(sums.acc / n)} prec ${pct(sums.prec / n)} cov ${pct(sums.cov / n)} oosRec ${pct(sums.oos / n)} train ${Math.round(sums.ms / n)}ms`,
);
