// Pins the support evaluation: JSONL validation, metric and threshold definitions, splits, the CLI command's output.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/command.ts';
import { LocalEngine } from '../../engines/local/index.ts';
import { evalSupportCommand } from './cli/eval.ts';
import {
  buildEntries,
  buildNegatives,
  capPerLabel,
  carveValidation,
  chooseThreshold,
  computeFigures,
  type LabeledText,
  labelTitle,
  MAX_CONFUSIONS,
  MAX_MISTAKE_CHARS,
  MAX_MISTAKE_EXAMPLES,
  mistakesAt,
  type Prediction,
  parseJsonl,
  runEvaluation,
  simulateOosSplit,
} from './eval.ts';

describe('parseJsonl', () => {
  it('parses rows and skips blank lines', () => {
    expect(parseJsonl('{"text":"a","label":"x"}\n\n{"text":"b","label":"oos"}\n')).toEqual([
      { text: 'a', label: 'x' },
      { text: 'b', label: 'oos' },
    ]);
  });

  it('names file:line on a bad line', () => {
    expect(() => parseJsonl('{"text":"a","label":"x"}\nnot json', 'T.jsonl')).toThrow(
      /^T\.jsonl:2: invalid JSON/,
    );
    expect(() => parseJsonl('{"text":1,"label":"x"}', 'f')).toThrow('f:1: "text" must be a string');
    expect(() => parseJsonl('\n{"text":"a"}', 'f')).toThrow('f:2: "label" must be a non-empty string');
    expect(() => parseJsonl('[1]', 'f')).toThrow('f:1: expected a JSON object');
  });
});

const p = (label: string, predicted: string | null, confidence: number): Prediction => ({
  label,
  predicted,
  confidence,
});

describe('metric definitions', () => {
  // 4 in-scope (3 top-1 right), 2 oos; threshold 0.5 answers the 0.9, 0.8, 0.7 and 0.6 rows.
  const preds = [
    p('a', 'a', 0.9), // answered, correct
    p('b', 'b', 0.8), // answered, correct
    p('c', 'x', 0.7), // answered, wrong
    p('d', 'd', 0.2), // right but not answered
    p('oos', 'a', 0.6), // oos answered: wrong
    p('oos', 'b', 0.1), // oos rejected
  ];

  it('computes accuracy without threshold and precision / coverage / oos recall at it', () => {
    const f = computeFigures(preds, 0.5);
    expect(f.inScopeAccuracy).toBe(3 / 4);
    expect(f.answered).toBe(4);
    expect(f.answeredPrecision).toBe(2 / 4);
    expect(f.coverage).toBe(2 / 4);
    expect(f.oosRecall).toBe(1 / 2);
    expect(f.oosCount).toBe(2);
  });

  it('never answers a question without a match, and uses conventions for empty sets', () => {
    const f = computeFigures([p('a', null, 0), p('a', 'a', 0.9)], 0);
    expect(f.answered).toBe(1);
    expect(computeFigures([p('a', 'a', 0.1)], 0.5)).toMatchObject({
      answered: 0,
      answeredPrecision: 1,
      oosRecall: 1,
    });
  });

  it('lists the mistakes at the threshold by kind, worst first, and counts confusions whatever the confidence', () => {
    const more = [...preds, p('c', 'x', 0.3), p('c', 'y', 0.95), p('e', null, 0), p('oos', 'c', 0.99)];
    const texts = more.map((_, i) => `q${i}`);
    const m = mistakesAt(more, texts, 0.5);
    expect(m).toMatchObject({ wrong: 2, answeredOos: 2, missed: 3 });
    expect(m.examples.map((e) => [e.kind, e.text, e.confidence])).toEqual([
      ['wrong', 'q7', 0.95],
      ['wrong', 'q2', 0.7],
      ['answered_oos', 'q9', 0.99],
      ['answered_oos', 'q4', 0.6],
      // Missed: the closest to the threshold first, then what matched nothing.
      ['missed', 'q6', 0.3],
      ['missed', 'q3', 0.2],
      ['missed', 'q8', 0],
    ]);
    expect(m.examples[0]).toEqual({
      text: 'q7',
      label: 'c',
      predicted: 'y',
      confidence: 0.95,
      kind: 'wrong',
    });
    // c → x twice (once answered, once below the threshold), c → y once; oos questions and no-match are no confusion.
    expect(m.confusions).toEqual([
      { label: 'c', predicted: 'x', count: 2 },
      { label: 'c', predicted: 'y', count: 1 },
    ]);
  });

  it('keeps at most MAX_MISTAKE_EXAMPLES of each kind and MAX_CONFUSIONS pairs', () => {
    const many = Array.from({ length: 200 }, (_, i) => p(`l${i % 40}`, `m${i % 40}`, (i % 100) / 100));
    const m = mistakesAt(
      many,
      many.map(() => 'q'),
      0.5,
    );
    expect(m.wrong + m.missed).toBe(200);
    expect(m.examples.filter((e) => e.kind === 'wrong')).toHaveLength(MAX_MISTAKE_EXAMPLES);
    expect(m.examples.filter((e) => e.kind === 'missed')).toHaveLength(MAX_MISTAKE_EXAMPLES);
    expect(m.confusions).toHaveLength(MAX_CONFUSIONS);
    expect(m.confusions.every((c) => c.count === 5)).toBe(true);
    // A long question is kept cut, and says so.
    const long = mistakesAt([p('a', 'b', 0.9)], ['x'.repeat(MAX_MISTAKE_CHARS + 5)], 0.5).examples[0]!;
    expect(long.text).toHaveLength(MAX_MISTAKE_CHARS);
    expect(long.truncated).toBe(true);
    expect(m.examples[0]!.truncated).toBeUndefined();
  });

  it('chooses the lowest threshold reaching the target, else the most precise one', () => {
    // Sorted by confidence: a(ok) b(ok) c(wrong) oos(wrong) d(ok) oos: precision 1, 1, 2/3, 1/2, 3/5, 3/6.
    expect(chooseThreshold(preds, 0.95)).toEqual({ threshold: 0.8, precision: 1, reachedTarget: true });
    expect(chooseThreshold(preds, 0.6)).toEqual({ threshold: 0.2, precision: 0.6, reachedTarget: true });
    const hard = [p('a', 'x', 0.9), p('a', 'a', 0.5), p('a', 'x', 0.4)];
    expect(chooseThreshold(hard, 0.95)).toEqual({ threshold: 0.5, precision: 0.5, reachedTarget: false });
    // Equal confidences are answered together.
    expect(chooseThreshold([p('a', 'a', 0.7), p('b', 'x', 0.7)], 0.9).reachedTarget).toBe(false);
    // Nothing right at any threshold (only out-of-scope validation questions): the strictest, not the loosest.
    const allWrong = [p('oos', 'a', 0.9), p('oos', 'b', 0.6), p('oos', 'c', 0.2)];
    expect(chooseThreshold(allWrong, 0.95)).toEqual({ threshold: 0.9, precision: 0, reachedTarget: false });
  });
});

describe('splits', () => {
  const rows: LabeledText[] = [];
  for (const label of ['a', 'b', 'c', 'd'])
    for (let i = 0; i < 20; i++) rows.push({ text: `${label} ${i}`, label });
  rows.push({ text: 'nope', label: 'oos' });

  it('keeps the first N rows per label', () => {
    const capped = capPerLabel(rows, 2);
    expect(capped.map((r) => r.text)).toEqual([
      'a 0',
      'a 1',
      'b 0',
      'b 1',
      'c 0',
      'c 1',
      'd 0',
      'd 1',
      'nope',
    ]);
  });

  it('carves ~10% per label deterministically, disjoint from the KB', () => {
    const one = carveValidation(rows, 1);
    expect(carveValidation(rows, 1)).toEqual(one);
    expect(one.val).toHaveLength(8);
    expect(one.kb.length + one.val.length).toBe(rows.length);
    for (const l of ['a', 'b', 'c', 'd']) expect(one.val.filter((r) => r.label === l)).toHaveLength(2);
  });

  it('simulates oos by hiding whole labels from the KB', () => {
    const { kb, val } = carveValidation(rows, 1);
    const sim = simulateOosSplit(kb, val, 1);
    expect(sim.hiddenLabels).toBe(1);
    const hidden = ['a', 'b', 'c', 'd'].find((l) => !sim.kb.some((r) => r.label === l));
    expect(hidden).toBeDefined();
    expect(sim.val.some((r) => r.label === hidden)).toBe(false);
    expect(sim.val.filter((r) => r.label === 'oos').length).toBe(1); // 20% of the 6 in-scope rows, rounded
  });

  it('adds simulated oos at half the share beside oos rows of the training file', () => {
    const withOos = [
      ...rows,
      ...Array.from({ length: 20 }, (_, i) => ({ text: `unrelated ${i}`, label: 'oos' })),
    ];
    const big = withOos.flatMap((r) =>
      Array.from({ length: 5 }, (_, k) => ({ ...r, text: `${r.text} ${k}` })),
    );
    const { kb, val } = carveValidation(big, 1);
    const real = val.filter((r) => r.label === 'oos').length;
    const inScope = val.length - real;
    const sim = simulateOosSplit(kb, val, 1);
    const keptInScope = sim.val.filter((r) => r.label !== 'oos').length;
    expect(real).toBeGreaterThan(0);
    expect(sim.val.filter((r) => r.label === 'oos').length).toBe(real + Math.round(keptInScope * 0.1));
    expect(keptInScope).toBeLessThan(inScope);
    expect(buildNegatives(withOos)).toEqual([
      'nope',
      ...Array.from({ length: 20 }, (_, i) => `unrelated ${i}`),
    ]);
  });

  it('builds one entry per in-scope label, never one for oos', () => {
    expect(buildEntries(rows).map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(buildEntries(rows)[0]).toMatchObject({ id: 'a', answer: 'Answer for a', title: 'a' });
    expect(buildEntries(rows, { titles: false })[0]).not.toHaveProperty('title');
  });

  it('titles entries with their labels in words', () => {
    expect(labelTitle('card_arrival')).toBe('card arrival');
    expect(labelTitle('lost-or-stolen.card')).toBe('lost or stolen card');
    expect(labelTitle('CardPaymentFeeCharged')).toBe('card payment fee charged');
    expect(labelTitle('travel/alert:update')).toBe('travel alert update');
    expect(labelTitle('__')).toBe('');
    expect(buildEntries([{ text: 'x', label: '__' }])[0]).not.toHaveProperty('title');
  });

  it('matches on the label title: an entry with one unrelated phrasing is still found by its name', () => {
    const few: LabeledText[] = [
      { text: 'where is the new plastic you posted', label: 'card_arrival' },
      { text: 'someone took my wallet', label: 'lost_or_stolen_phone' },
      { text: 'what does it cost to send money', label: 'transfer_fee_charged' },
    ];
    const top = (titles: boolean) =>
      LocalEngine.train({ entries: buildEntries(few, { titles }) }).match('card arrival', 1).top?.id ?? null;
    expect(top(true)).toBe('card_arrival');
    expect(top(false)).not.toBe('card_arrival');
  });
});

// A small synthetic intent set: 6 topics, 15 phrasings each, plus out-of-scope questions in the test.
const TOPICS: Record<string, string[]> = {
  password: ['password', 'log in', 'sign in', 'locked out'],
  refund: ['refund', 'money back', 'reimburse', 'return payment'],
  shipping: ['shipping', 'delivery', 'parcel', 'package'],
  invoice: ['invoice', 'receipt', 'bill', 'vat document'],
  address: ['address', 'move house', 'new street', 'postal code'],
  cancel: ['cancel', 'stop order', 'undo purchase', 'abort order'],
};
const FRAMES = [
  'how do I fix my {k}',
  'question about {k}',
  'help with {k} please',
  'problem with the {k}',
  '{k}?',
];

function synthetic(): { train: LabeledText[]; test: LabeledText[] } {
  const train: LabeledText[] = [];
  const test: LabeledText[] = [];
  for (const [label, keys] of Object.entries(TOPICS)) {
    keys.slice(0, 3).forEach((k) => {
      for (const f of FRAMES) train.push({ text: f.replace('{k}', k), label });
    });
    test.push({ text: `I have an issue with my ${keys[3]}`, label });
    test.push({ text: `${keys[0]} not ok`, label });
  }
  for (const q of [
    'what is the weather tomorrow',
    'recommend a good pizza place',
    'who won the football match',
  ]) {
    test.push({ text: q, label: 'oos' });
  }
  return { train, test };
}

describe('runEvaluation', () => {
  it('reports consistent figures on a small synthetic set', async () => {
    const { train, test } = synthetic();
    const phases = new Set<string>();
    const r = await runEvaluation({ train, test, onProgress: (phase) => phases.add(phase) });
    expect(r).toMatchObject({
      trainSize: 90,
      testSize: 15,
      labels: 6,
      valSource: 'carved',
      maxPerLabel: null,
    });
    expect(r.oosTestSize).toBe(3);
    expect(r.inScopeAccuracy).toBeGreaterThanOrEqual(0.75);
    for (const k of ['inScopeAccuracy', 'answeredPrecision', 'coverage', 'oosRecall', 'threshold'] as const) {
      expect(r[k]).toBeGreaterThanOrEqual(0);
      expect(r[k]).toBeLessThanOrEqual(1);
    }
    expect(r.answered).toBeLessThanOrEqual(r.testSize);
    expect(r.coverage).toBeLessThanOrEqual(r.inScopeAccuracy);
    expect(r.latencyP99Ms).toBeGreaterThanOrEqual(r.latencyP50Ms);
    expect(phases.has('test')).toBe(true);
    // Deterministic apart from timings.
    const again = await runEvaluation({ train, test });
    const strip = (x: typeof r) => ({ ...x, trainingMs: 0, latencyP50Ms: 0, latencyP99Ms: 0 });
    expect(strip(again)).toEqual(strip(r));
  });

  it('uses a given validation set as is when it holds the assumed share, with simulated oos when not', async () => {
    const { train, test } = synthetic();
    // No out-of-scope question in it: labels hidden from validation models play them, at the assumed 20%.
    const r = await runEvaluation({ train, test, val: test.slice(0, 6), maxPerLabel: 4 });
    expect(r).toMatchObject({
      valSource: 'val',
      valSize: 6,
      valOosShare: 0,
      simulatedOosLabels: 1,
      trainSize: 24,
      maxPerLabel: 4,
      validationRounds: 3,
      thresholdRule: 'simulated-oos',
      oosShare: 0.2,
      reweighted: true,
    });
    expect(r.simulatedOosQuestions).toBeGreaterThan(0);
    expect(r.byOosShare.map((s) => s.share)).toEqual([0, 0.1, 0.2, 0.3]);
    // Assuming no out-of-scope traffic, the file is used as it is.
    const asIs = await runEvaluation({ train, test, val: test.slice(0, 6), maxPerLabel: 4, oosShare: 0 });
    expect(asIs).toMatchObject({
      simulatedOosLabels: 0,
      validationRounds: 1,
      thresholdRule: 'exact',
      oosShare: 0,
    });
    await expect(runEvaluation({ train, test, oosShare: 0.6 })).rejects.toThrow(/oosShare/);
  });

  it('pools several carve rounds for the threshold, and says which rule it used', async () => {
    const { train, test } = synthetic();
    const one = await runEvaluation({ train, test, validationRounds: 1 });
    const three = await runEvaluation({ train, test, validationRounds: 3 });
    expect(one).toMatchObject({ validationRounds: 1, thresholdRule: 'simulated-oos' });
    expect(three).toMatchObject({ validationRounds: 3, thresholdRule: 'simulated-oos' });
    expect(three.simulatedOosLabels).toBeGreaterThan(0);
    expect(three.valSize).toBeGreaterThan(2 * one.valSize);
    const exact = await runEvaluation({ train, test, simulateOos: false, validationRounds: 3 });
    expect(exact).toMatchObject({ thresholdRule: 'exact', simulatedOosLabels: 0, validationRounds: 3 });
  });

  it('learns the oos rows of the training file as questions to escalate', async () => {
    const { train, test } = synthetic();
    // Out-of-scope questions in the words of the in-scope ones ("help with … please"), and training oos rows like them.
    const nearTest = [
      ...test.filter((r) => r.label !== 'oos'),
      ...[
        'help with the weather please',
        'question about pizza',
        'problem with the football',
        'how do I fix my golf swing',
      ].map((text) => ({ text, label: 'oos' })),
    ];
    const negatives = [
      'question about the weather',
      'how do I fix my weather app',
      'help with rain please',
      'problem with pizza',
      'question about pizza toppings',
      'help with football please',
      'how do I fix my football',
      'question about golf',
      'problem with golf',
      'help with my garden please',
    ].map((text) => ({ text, label: 'oos' }));
    const plain = await runEvaluation({ train, test: nearTest, validationRounds: 3 });
    const taught = await runEvaluation({
      train: [...train, ...negatives],
      test: nearTest,
      validationRounds: 3,
    });
    expect(plain.negatives).toBe(0);
    expect(taught).toMatchObject({ negatives: 10, labels: 6, thresholdRule: 'simulated-oos' });
    // The threshold chosen for 20% out-of-scope traffic already keeps these out without the oos rows (it did not
    // before the assumed share); with them, the engine itself sends them to a person, and answers no worse.
    expect(taught.oosRecall).toBe(1);
    expect(taught.answeredPrecision).toBeGreaterThanOrEqual(plain.answeredPrecision);
    expect(taught.coverage).toBeGreaterThanOrEqual(plain.coverage);
  });

  it('pools more rounds by default when a round validates on few questions (up to 10)', async () => {
    const { train, test } = synthetic();
    const one = await runEvaluation({ train, test, validationRounds: 1 });
    const auto = await runEvaluation({ train, test });
    // The synthetic set carves only a handful of questions per round: far from 1,000 pooled, so the cap applies.
    expect(one.valSize).toBeLessThan(100);
    expect(auto.validationRounds).toBe(10);
    expect(auto.valSize).toBeGreaterThan(5 * one.valSize);
  });

  const DATA = '/work/shared/data/banking77-oos';
  it.skipIf(!existsSync(`${DATA}/train.jsonl`))(
    'runs on banking77-oos with 5 phrasings per label',
    async () => {
      const train = parseJsonl(readFileSync(`${DATA}/train.jsonl`, 'utf8'), 'train.jsonl');
      const test = parseJsonl(readFileSync(`${DATA}/test.jsonl`, 'utf8'), 'test.jsonl');
      const r = await runEvaluation({ train, test, maxPerLabel: 5 });
      expect(r).toMatchObject({ trainSize: 335, labels: 67, testSize: 3080, oosTestSize: 400 });
      expect(r.inScopeAccuracy).toBeGreaterThan(0.55);
      // Latency is reported by `twelve eval support`, not asserted here: timings in tests flake on a busy machine.
      expect(r.latencyP99Ms).toBeGreaterThan(0);
    },
    // Up to 10 validation models and the final one: 16 s alone on 2 cores, past 30 s when the machine is shared.
    120_000,
  );

  // The promise of issue 23: a target precision holds on live traffic with up to the assumed out-of-scope share,
  // even when the validation file has no out-of-scope question at all (before: 0.97 on such a file delivered 94.3%
  // at 20% out of scope). The test file resampled to 0, 10 and 20% out of scope (report.byOosShare).
  it.skipIf(!existsSync(`${DATA}/train.jsonl`))(
    'holds the target within a point on banking77-oos resampled to 0/10/20% out of scope, with an OOS-free validation file',
    async () => {
      const all = parseJsonl(readFileSync(`${DATA}/train.jsonl`, 'utf8'), 'train.jsonl');
      const test = parseJsonl(readFileSync(`${DATA}/test.jsonl`, 'utf8'), 'test.jsonl');
      // Training: the first 50 rows of each label; validation: the next 10 (in scope only, as many real files are).
      const seen = new Map<string, number>();
      const val = all.filter((r) => {
        const k = seen.get(r.label) ?? 0;
        seen.set(r.label, k + 1);
        return k >= 50 && k < 60;
      });
      const target = 0.95;
      const r = await runEvaluation({ train: all, val, test, maxPerLabel: 50, targetPrecision: target });
      expect(r).toMatchObject({
        oosShare: 0.2,
        valOosShare: 0,
        reweighted: true,
        thresholdRule: 'simulated-oos',
      });
      expect(r.simulatedOosQuestions).toBeGreaterThan(0);
      const at = (share: number) => r.byOosShare.find((s) => s.share === share)!;
      for (const share of [0, 0.1, 0.2])
        expect(at(share).precision!, `at ${share}`).toBeGreaterThanOrEqual(target - 0.01);
      // Past the assumed share the promise is not made, and precision falls.
      expect(at(0.3).precision!).toBeLessThan(at(0.2).precision!);
      expect(at(0.2).coverage!).toBeGreaterThan(0.4);
    },
    // Three validation models and the final one, 50 phrasings per label: under a minute alone on 2 cores, past five
    // when the machine is shared.
    600_000,
  );
});

describe('twelve eval support', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twelve-eval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { train, test } = synthetic();
  const trainFile = join(dir, 'train.jsonl');
  const testFile = join(dir, 'test.jsonl');
  writeFileSync(trainFile, train.map((r) => JSON.stringify(r)).join('\n'));
  writeFileSync(testFile, test.map((r) => JSON.stringify(r)).join('\n'));

  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false, env: {} },
    };
  }

  it('prints exactly one JSON report on stdout with --json', async () => {
    const c = io();
    const code = await evalSupportCommand.run(['--train', trainFile, '--test', testFile, '--json'], c.io);
    expect(code).toBe(0);
    expect(c.out).toHaveLength(1);
    const report = JSON.parse(c.out[0]!) as Record<string, unknown>;
    expect(report).toMatchObject({ trainSize: 90, testSize: 15, targetPrecision: 0.95, labelTitles: true });
  });

  it('leaves labels out of the entries with --opaque-labels', async () => {
    const c = io();
    await evalSupportCommand.run(
      ['--train', trainFile, '--test', testFile, '--opaque-labels', '--json'],
      c.io,
    );
    expect(JSON.parse(c.out[0]!)).toMatchObject({ labelTitles: false });
    const table = io();
    await evalSupportCommand.run(['--train', trainFile, '--test', testFile], table.io);
    expect(table.out.join('\n')).toMatch(/entries \(labels\)\s+6, titled with their labels/);
  });

  it('prints a readable table with one-decimal percentages', async () => {
    const c = io();
    await evalSupportCommand.run(
      ['--train', trainFile, '--test', testFile, '--target-precision', '0.9', '--max-per-label', '10'],
      c.io,
    );
    const text = c.out.join('\n');
    expect(text).toMatch(/in-scope accuracy \(top-1\)\s+\d+\.\d%/);
    expect(text).toMatch(/answered precision \(target 90\.0%\)/);
    expect(text).toContain('(max 10 per label)');
    expect(text).toMatch(/threshold rule\s+simulated oos/);
    expect(text).toContain('(10 rounds pooled)');
    expect(text).toMatch(
      /^mistakes at the threshold: \d+ wrong answers, \d+ out-of-scope questions answered, \d+ in-scope/m,
    );
  });

  it('switches to the exact threshold rule with --exact-threshold-rule', async () => {
    const c = io();
    await evalSupportCommand.run(
      ['--train', trainFile, '--test', testFile, '--exact-threshold-rule', '--validation-rounds', '1'],
      c.io,
    );
    const text = c.out.join('\n');
    expect(text).toMatch(/threshold rule\s+exact/);
    expect(text).not.toContain('labels hidden as oos');
    expect(text).not.toContain('rounds pooled');
  });

  it('rejects unknown flags, missing files arguments and bad numbers as usage errors', async () => {
    await expect(
      evalSupportCommand.run(['--train', trainFile, '--test', testFile, '--nope'], io().io),
    ).rejects.toThrow(UsageError);
    await expect(evalSupportCommand.run(['--test', testFile], io().io)).rejects.toThrow(UsageError);
    await expect(
      evalSupportCommand.run(['--train', trainFile, '--test', testFile, '--validation-rounds', '0'], io().io),
    ).rejects.toThrow(UsageError);
    await expect(
      evalSupportCommand.run(['--train', trainFile, '--test', testFile, '--max-per-label', '0'], io().io),
    ).rejects.toThrow(UsageError);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text":"a","label":"x"}\n{oops');
    await expect(evalSupportCommand.run(['--train', bad, '--test', testFile], io().io)).rejects.toThrow(
      /bad\.jsonl:2/,
    );
  });

  it('names every file it cannot read, not only the first', async () => {
    const missing = [join(dir, 'no-train.jsonl'), join(dir, 'no-test.jsonl')];
    const err = await evalSupportCommand
      .run(['--train', missing[0]!, '--test', missing[1]!], io().io)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    for (const file of missing) expect((err as Error).message).toContain(`cannot read ${file}`);
  });
});
