// The learning curve's bookkeeping on a tiny set: batches, what is seen and left, what people add for hand-offs
// (in-scope questions as phrasings, out-of-scope ones as questions to a person), and that the added questions are
// learned; and the command's options.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/command.ts';
import { evalSupportCommand } from './cli/eval.ts';
import type { LabeledText, Prediction } from './eval.ts';
import { handOffsOf, runLearning } from './learn.ts';

const train: LabeledText[] = [
  { text: 'how do I reset my password', label: 'password' },
  { text: 'I forgot my password', label: 'password' },
  { text: 'where is my parcel', label: 'shipping' },
  { text: 'when will my delivery arrive', label: 'shipping' },
  { text: 'can I get a refund', label: 'refund' },
  { text: 'I want my money back', label: 'refund' },
];
// Questions in words the training file does not have, each asked twice, in different batches of 2.
const test: LabeledText[] = [
  { text: 'locked out of the login screen', label: 'password' },
  { text: 'recommend a pizza place nearby', label: 'oos' },
  { text: 'the courier lost the box', label: 'shipping' },
  { text: 'locked out of the login screen', label: 'password' },
  { text: 'recommend a pizza place nearby', label: 'oos' },
  { text: 'the courier lost the box', label: 'shipping' },
  { text: 'reimburse the charge', label: 'refund' },
];

describe('handOffsOf', () => {
  it('adds the questions below the threshold (or with no match): in scope as phrasings, out of scope as negatives', () => {
    const p = (label: string, predicted: string | null, confidence: number): Prediction => ({
      label,
      predicted,
      confidence,
    });
    const batch = [
      { text: 'a1', label: 'a' },
      { text: 'a2', label: 'a' },
      { text: 'o1', label: 'oos' },
      { text: 'o2', label: 'oos' },
      { text: 'b1', label: 'b' },
    ];
    const preds = [
      p('a', 'a', 0.9),
      p('a', 'b', 0.2),
      p('oos', 'a', 0.3),
      p('oos', 'a', 0.95),
      p('b', null, 0),
    ];
    expect(handOffsOf(batch, preds, 0.5)).toEqual({
      phrasings: [
        { text: 'a2', label: 'a' },
        { text: 'b1', label: 'b' },
      ],
      // The answered out-of-scope question (o2) reached nobody: nothing is learned from it.
      negatives: ['o1'],
    });
  });
});

describe('runLearning', () => {
  it('keeps the books: a point per batch, on the questions not seen yet, with what people added', async () => {
    // Above every confidence: everything is handed over, so every played question is added.
    const r = await runLearning({ train, test, batch: 2, threshold: 1.01 });
    expect(r).toMatchObject({ trainSize: 6, testSize: 7, batch: 2, threshold: 1.01, shuffled: false });
    expect(r.curve.map((p) => [p.batch, p.seen, p.remaining])).toEqual([
      [0, 0, 7],
      [1, 2, 5],
      [2, 4, 3],
      [3, 6, 1],
    ]);
    expect(r.curve.map((p) => [p.phrasings, p.negatives, p.addedPhrasings, p.addedNegatives])).toEqual([
      [6, 0, 0, 0],
      [7, 1, 1, 1],
      [9, 1, 2, 0],
      [10, 2, 1, 1],
    ]);
    for (const p of r.curve) {
      expect(p.answered).toBe(0);
      expect(p.coverage).toBe(0);
    }
  });

  it('learns the questions people answered: the second time, they are answered', async () => {
    const r = await runLearning({ train, test, batch: 3, threshold: 0.5 });
    const [first, second] = r.curve;
    // Point 1 is measured on questions 4–7: three of them were handed over (and added) in the first batch.
    expect(first!.coverage).toBeLessThan(second!.coverage);
    expect(second!.addedPhrasings + second!.addedNegatives).toBeGreaterThan(0);
    expect(second!.oosRecall).toBe(1);
  });

  it('plays a seeded shuffle with --shuffle', async () => {
    const a = await runLearning({ train, test, batch: 2, threshold: 1.01, shuffle: true, seed: 3 });
    const b = await runLearning({ train, test, batch: 2, threshold: 1.01, shuffle: true, seed: 3 });
    expect(a.curve).toEqual(b.curve);
    expect(a.shuffled).toBe(true);
  });
});

describe('twelve eval support --learn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twelve-learn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const trainFile = join(dir, 'train.jsonl');
  const testFile = join(dir, 'test.jsonl');
  writeFileSync(trainFile, train.map((r) => JSON.stringify(r)).join('\n'));
  writeFileSync(testFile, test.map((r) => JSON.stringify(r)).join('\n'));
  const io = () => {
    const out: string[] = [];
    return { out, io: { out: (l: string) => void out.push(l), err: () => {}, interactive: false, env: {} } };
  };

  it('prints the curve as JSON', async () => {
    const { out, io: cli } = io();
    await evalSupportCommand.run(
      ['--learn', '--train', trainFile, '--test', testFile, '--batch', '3', '--json'],
      cli,
    );
    const report = JSON.parse(out.join('\n'));
    expect(report.curve).toHaveLength(3);
    expect(report.curve[0]).toMatchObject({ batch: 0, seen: 0, remaining: 7 });
    expect(report.threshold).toBeGreaterThan(0);
  }, 120_000);

  it('refuses options that do not go together', async () => {
    const { io: cli } = io();
    await expect(
      evalSupportCommand.run(['--train', trainFile, '--test', testFile, '--batch', '3'], cli),
    ).rejects.toThrow(UsageError);
    await expect(
      evalSupportCommand.run(['--learn', '--train', trainFile, '--test', testFile, '--batch', '0'], cli),
    ).rejects.toThrow('--batch must be a positive integer');
    await expect(
      evalSupportCommand.run(['--learn', '--train', trainFile, '--test', testFile, '--val', testFile], cli),
    ).rejects.toThrow(/leave out --val/);
    await expect(
      evalSupportCommand.run(['--train', trainFile, '--test', testFile, '--oos-share', '0.6'], cli),
    ).rejects.toThrow('--oos-share must be a number from 0 to 0.5');
  });
});
