// Sparse TF-IDF features over three blocks (stemmed words, stemmed word bigrams, character n-grams).
import { stem, tokenize } from './normalize.ts';

/** A sparse vector: parallel arrays of feature indices and values. */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
  /**
   * Squared weight of the words that are not in the vocabulary. They are dropped from idx/val but still count
   * in the normalization, so a question full of words the KB never saw is far from everything, as it should be.
   */
  unseenWords?: number;
}

export const BLOCK_WORD = 0;
export const BLOCK_BIGRAM = 1;
export const BLOCK_CHAR = 2;

/**
 * Block weights. Each block is L2-normalized on its own before weighting, so the many character n-grams
 * of a sentence cannot drown the few word features (and vice versa); the blend is then renormalized.
 */
export const DEFAULT_BLOCK_WEIGHTS: readonly number[] = [1, 0.6, 1];

/**
 * Function words. They keep a (down-weighted) word feature, because phrasing still matters a little, but
 * emit no character n-grams: otherwise "do you ..." would look like every other "do you ..." question,
 * which dominates similarity in a small KB where IDF has too few documents to discount them. Question and
 * negation words (how, why, when, not, can, ...) are deliberately absent: they carry intent.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the i me my mine myself we us our ours you your yours it its itself he him his she her they them their ' +
    'is am are was were be been being do does did doing have has had having to of in on at for with by from ' +
    'and or but so as if than then this that these those there here please hi hello hey thanks thank would ' +
    'could should will shall just some any about into up out also too very'
  ).split(' '),
);
const STOP_STEMS: ReadonlySet<string> = new Set([...STOP_WORDS].map(stem));
/** IDF multiplier for a stop word's own feature. */
export const STOP_WEIGHT = 0.3;

const CHAR_MIN = 3;
const CHAR_MAX = 5;

/** Every raw feature key of a text, with its block (encoded as the key's first character). */
export function rawFeatures(text: string): string[] {
  const words = tokenize(text);
  const out: string[] = [];
  const stems = words.map(stem);
  for (const s of stems) out.push(`w${s}`);
  for (let i = 0; i + 1 < stems.length; i++) out.push(`b${stems[i]} ${stems[i + 1]}`);
  // Character n-grams stay inside word boundaries (with < > markers) so they model spelling variants and
  // typos of one word rather than accidental letter runs across words.
  for (const w of words) {
    if (STOP_WORDS.has(w)) continue;
    const padded = `<${w}>`;
    for (let n = CHAR_MIN; n <= CHAR_MAX; n++) {
      for (let i = 0; i + n <= padded.length; i++) out.push(`c${padded.slice(i, i + n)}`);
    }
  }
  return out;
}

function blockOf(key: string): number {
  const c = key.charCodeAt(0);
  return c === 119 ? BLOCK_WORD : c === 98 ? BLOCK_BIGRAM : BLOCK_CHAR; // 'w', 'b', else 'c'
}

export interface VectorizerSnapshot {
  terms: string[];
  idf: number[];
  blockWeights: number[];
  /** IDF given to unseen features (that of a term with document frequency 0). */
  unseenIdf: number;
}

export class Vectorizer {
  readonly terms: string[];
  readonly idf: Float32Array;
  readonly block: Uint8Array;
  readonly blockWeights: readonly number[];
  readonly unseenIdf: number;
  private readonly index: Map<string, number>;

  private constructor(
    terms: string[],
    idf: Float32Array,
    blockWeights: readonly number[],
    unseenIdf: number,
  ) {
    this.unseenIdf = unseenIdf;
    this.terms = terms;
    this.idf = idf;
    this.blockWeights = blockWeights;
    this.index = new Map();
    this.block = new Uint8Array(terms.length);
    terms.forEach((t, i) => {
      this.index.set(t, i);
      this.block[i] = blockOf(t);
    });
  }

  get size(): number {
    return this.terms.length;
  }

  /**
   * Learns the vocabulary and smoothed IDF from documents. Terms seen in only one document are dropped on
   * large corpora (they cannot generalize and would only bloat the weight matrix), kept on small ones where
   * a single phrasing may be all an entry has.
   */
  static fit(docs: string[], blockWeights: readonly number[] = DEFAULT_BLOCK_WEIGHTS): Vectorizer {
    const df = new Map<string, number>();
    for (const d of docs) {
      for (const k of new Set(rawFeatures(d))) df.set(k, (df.get(k) ?? 0) + 1);
    }
    const minDf = docs.length >= 2000 ? 2 : 1;
    // Sorted so the feature order (and so every float sum) is independent of Map insertion history.
    const terms = [...df.entries()]
      .filter(([, n]) => n >= minDf)
      .map(([k]) => k)
      .sort();
    const n = docs.length;
    const idf = new Float32Array(terms.length);
    terms.forEach((t, i) => {
      const base = Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1;
      idf[i] = t.charCodeAt(0) === 119 && STOP_STEMS.has(t.slice(1)) ? base * STOP_WEIGHT : base;
    });
    return new Vectorizer(terms, idf, blockWeights, Math.log(1 + n) + 1);
  }

  static fromSnapshot(s: VectorizerSnapshot): Vectorizer {
    return new Vectorizer(s.terms, Float32Array.from(s.idf), s.blockWeights, s.unseenIdf);
  }

  snapshot(): VectorizerSnapshot {
    return {
      terms: this.terms,
      idf: Array.from(this.idf),
      blockWeights: [...this.blockWeights],
      unseenIdf: this.unseenIdf,
    };
  }

  /** Sublinear-tf IDF vector, each block L2-normalized then weighted, whole vector unit length (or empty). */
  transform(text: string): SparseVec {
    const counts = new Map<number, number>();
    const unseen = new Map<string, number>();
    for (const k of rawFeatures(text)) {
      const i = this.index.get(k);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
      else unseen.set(k, (unseen.get(k) ?? 0) + 1);
    }
    const idx = new Int32Array(counts.size);
    const val = new Float32Array(counts.size);
    const norms = [0, 0, 0];
    let unseenWords = 0;
    for (const [k, c] of unseen) {
      const b = blockOf(k);
      const stop = b === BLOCK_WORD && STOP_STEMS.has(k.slice(1));
      const v = (1 + Math.log(c)) * this.unseenIdf * (stop ? STOP_WEIGHT : 1);
      norms[b]! += v * v;
      if (b === BLOCK_WORD) unseenWords += v * v;
    }
    let p = 0;
    for (const [i, c] of counts) {
      const v = (1 + Math.log(c)) * (this.idf[i] ?? 0);
      idx[p] = i;
      val[p] = v;
      norms[this.block[i] ?? 0]! += v * v;
      p++;
    }
    const scale = [0, 0, 0];
    let total = 0;
    for (let b = 0; b < 3; b++) {
      const n = Math.sqrt(norms[b]!);
      const w = this.blockWeights[b] ?? 0;
      if (n > 0) {
        scale[b] = w / n;
        total += w * w;
      }
    }
    const overall = total > 0 ? 1 / Math.sqrt(total) : 0;
    for (let q = 0; q < p; q++) val[q] = val[q]! * scale[this.block[idx[q]!] ?? 0]! * overall;
    // Known features only: a query made entirely of unseen words has no usable evidence at all.
    if (p === 0) return { idx, val, unseenWords: 0 };
    return { idx, val, unseenWords: unseenWords * (scale[BLOCK_WORD]! * overall) ** 2 };
  }
}
