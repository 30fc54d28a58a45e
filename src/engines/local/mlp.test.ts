import { describe, expect, it } from 'vitest';
import { forward, trainSoftmax } from './classifier.ts';
import type { SparseVec } from './features.ts';
import { mlpLogits, trainMlp } from './mlp.ts';

// Four words, two labels decided by which pair occurs together (an exclusive or): "top up" + "failed" and
// "transfer" + "pending" are label 0, the crossed pairs label 1. Every word is as common in both labels, so no
// weighting of single words can tell them apart; a hidden layer can.
const TOP_UP = 0;
const TRANSFER = 1;
const FAILED = 2;
const PENDING = 3;
const pair = (a: number, b: number): SparseVec => ({
  idx: Int32Array.from([a, b].sort((x, y) => x - y)),
  val: Float32Array.from([Math.SQRT1_2, Math.SQRT1_2]),
});
const xs = [pair(TOP_UP, FAILED), pair(TRANSFER, PENDING), pair(TOP_UP, PENDING), pair(TRANSFER, FAILED)];
const ys = Int32Array.from([0, 0, 1, 1]);
// Feature 4 exists in the space but is not read by the network.
const input = Int32Array.from([0, 1, 2, 3, -1]);

function argmax(a: Float64Array): number {
  return a[1]! > a[0]! ? 1 : 0;
}

describe('the hidden-layer network', () => {
  it('learns a combination of words that no single-word weighting can', () => {
    const reps = Array.from({ length: 25 }, () => xs).flat();
    const repYs = Int32Array.from(Array.from({ length: 25 }, () => [...ys]).flat());
    const mlp = trainMlp(reps, repYs, input, 2, {
      hidden: 16,
      epochs: 30,
      learningRate: 0.2,
      dropout: 0,
      seed: 3,
    });
    const h = new Float32Array(16);
    const out = new Float64Array(2);
    const mlpRight = xs.filter((x, i) => {
      mlpLogits(mlp, x, 1, h, out);
      return argmax(out) === ys[i];
    }).length;
    expect(mlpRight).toBe(4);
    // The linear classifier on the same data gets at most 3 of the 4 right (it cannot represent an exclusive or).
    const clf = trainSoftmax(reps, repYs, 5, 2, { epochs: 30, seed: 3 });
    const clfRight = xs.filter((x, i) => {
      forward(x, clf.w, clf.bias, 2, 1, out);
      return argmax(out) === ys[i];
    }).length;
    expect(clfRight).toBeLessThan(4);
  });

  it('is deterministic for a seed, ignores features it does not read, and scales its input', () => {
    const train = (seed: number) => trainMlp(xs, ys, input, 2, { hidden: 8, epochs: 5, seed });
    const a = train(7);
    const b = train(7);
    expect(a.w1).toEqual(b.w1);
    expect(a.w2).toEqual(b.w2);
    expect(train(8).w1).not.toEqual(a.w1);
    // Only the four read features have first-layer rows.
    expect(a.w1.length).toBe(4 * 8);
    const h = new Float32Array(8);
    const plain = new Float64Array(2);
    const withUnread = new Float64Array(2);
    mlpLogits(a, xs[0]!, 1, h, plain);
    mlpLogits(
      a,
      { idx: Int32Array.from([0, 2, 4]), val: Float32Array.from([0.5, 0.5, 0.7]) },
      Math.SQRT2,
      h,
      withUnread,
    );
    // [0.5, 0.5] scaled by sqrt(2) is the same input as xs[0]; feature 4 is skipped.
    expect(withUnread[0]).toBeCloseTo(plain[0]!, 5);
    expect(withUnread[1]).toBeCloseTo(plain[1]!, 5);
  });
});
