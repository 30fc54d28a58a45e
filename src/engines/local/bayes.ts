// A generative view of the same phrasings: multinomial naive Bayes over word and bigram presence, and each label's
// typical words. The discriminative classifier learns which words tell labels apart and can ignore a word no label
// needs; naive Bayes asks how well a label explains every word of the question. A question that joins a known
// topic with words its label never uses ("my disposable virtual card will not work") is explained badly by the
// label the classifier is sure of, and that is the out-of-scope case the classifier's confidence misses.

import { BLOCK_CHAR, BLOCK_WORD, type SparseVec } from './features.ts';
import { buildPostings, type Postings } from './postings.ts';

/** Additive smoothing of the per-label counts. */
const NB_ALPHA = 0.5;
/** A word is typical of a label when at least this share of the label's phrasings use it. */
const TYPICAL_SHARE = 0.3;

/**
 * log P(f | label) − log P(f | all phrasings) for word and bigram features f, stored sparsely: a label that never
 * used f gets log(α / total) − background, so only (feature, label) pairs that occur are kept, as
 * log((count + α) / α) in `lift`.
 */
export interface NaiveBayes {
  lift: Postings;
  /** Per label: log(α) − log(total count of the label + α·vocabulary). */
  base: Float64Array;
  /** Per feature: log P(f | all phrasings); 0 for character n-grams, which the model leaves out. */
  background: Float32Array;
  /** Per label, CSR by label: its typical word features and the share of its phrasings that use each. */
  typicalStart: Int32Array;
  typicalFeature: Int32Array;
  typicalShare: Float32Array;
}

export function fitNaiveBayes(
  xs: SparseVec[],
  ys: Int32Array,
  block: Uint8Array,
  classes: number,
): NaiveBayes {
  const F = block.length;
  const pairs = Array.from({ length: classes }, () => new Map<number, number>());
  const total = new Float64Array(classes);
  const phrasings = new Float64Array(classes);
  const all = new Float64Array(F);
  let grand = 0;
  xs.forEach((x, i) => {
    const c = ys[i]!;
    phrasings[c]! += 1;
    for (let q = 0; q < x.idx.length; q++) {
      const f = x.idx[q]!;
      if (block[f] === BLOCK_CHAR) continue;
      pairs[c]!.set(f, (pairs[c]!.get(f) ?? 0) + 1);
      total[c]! += 1;
      all[f]! += 1;
      grand += 1;
    }
  });
  let vocab = 0;
  for (let f = 0; f < F; f++) if (block[f] !== BLOCK_CHAR) vocab++;
  const background = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    if (block[f] !== BLOCK_CHAR) background[f] = Math.log((all[f]! + NB_ALPHA) / (grand + NB_ALPHA * vocab));
  }
  const base = new Float64Array(classes);
  for (let c = 0; c < classes; c++) base[c] = Math.log(NB_ALPHA) - Math.log(total[c]! + NB_ALPHA * vocab);
  // One sparse vector per label (feature → lift) turns into postings by feature, with the label as the row.
  const lift = buildPostings(
    pairs.map((m) => {
      const keys = [...m.keys()].sort((a, b) => a - b);
      return {
        idx: Int32Array.from(keys),
        val: Float32Array.from(keys.map((f) => Math.log((m.get(f)! + NB_ALPHA) / NB_ALPHA))),
      };
    }),
    F,
  );
  const typicalStart = new Int32Array(classes + 1);
  const feats: number[] = [];
  const shares: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (const [f, n] of [...pairs[c]!].sort((a, b) => a[0] - b[0])) {
      if (block[f] === BLOCK_WORD && n / phrasings[c]! >= TYPICAL_SHARE) {
        feats.push(f);
        shares.push(n / phrasings[c]!);
      }
    }
    typicalStart[c + 1] = feats.length;
  }
  return {
    lift,
    base,
    background,
    typicalStart,
    typicalFeature: Int32Array.from(feats),
    typicalShare: Float32Array.from(shares),
  };
}

/**
 * Per label, the mean over the query's word and bigram features of log P(f | label) − log P(f | all) (into out).
 * Returns how many features were counted.
 */
export function scoreNaiveBayes(nb: NaiveBayes, block: Uint8Array, x: SparseVec, out: Float64Array): number {
  out.fill(0);
  let n = 0;
  let background = 0;
  const { start, row, val } = nb.lift;
  for (let q = 0; q < x.idx.length; q++) {
    const f = x.idx[q]!;
    if (block[f] === BLOCK_CHAR) continue;
    n++;
    background += nb.background[f]!;
    for (let k = start[f]!; k < start[f + 1]!; k++) out[row[k]!] = out[row[k]!]! + val[k]!;
  }
  if (n === 0) return 0;
  for (let c = 0; c < out.length; c++) out[c] = nb.base[c]! + (out[c]! - background) / n;
  return n;
}

/** log P(f | label) − log P(f | all) of one feature for one label. */
function featureScore(nb: NaiveBayes, f: number, label: number): number {
  let lift = 0;
  for (let k = nb.lift.start[f]!; k < nb.lift.start[f + 1]!; k++) {
    if (nb.lift.row[k] === label) {
      lift = nb.lift.val[k]!;
      break;
    }
  }
  return nb.base[label]! + lift - nb.background[f]!;
}

/** The query word or bigram the label explains worst (most negative score; 0 when every one is explained). */
export function worstExplained(nb: NaiveBayes, block: Uint8Array, x: SparseVec, label: number): number {
  let worst = 0;
  for (let q = 0; q < x.idx.length; q++) {
    const f = x.idx[q]!;
    if (block[f] === BLOCK_CHAR) continue;
    const v = featureScore(nb, f, label);
    if (v < worst) worst = v;
  }
  return worst;
}

/** The share-weighted part of the label's typical words that the query does not use. */
export function typicalMissing(nb: NaiveBayes, x: SparseVec, label: number): number {
  let missing = 0;
  let all = 0;
  for (let t = nb.typicalStart[label]!; t < nb.typicalStart[label + 1]!; t++) {
    const f = nb.typicalFeature[t]!;
    all += nb.typicalShare[t]!;
    if (!x.idx.includes(f)) missing += nb.typicalShare[t]!;
  }
  return all > 0 ? missing / all : 0;
}
