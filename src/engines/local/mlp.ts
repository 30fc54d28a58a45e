// A one-hidden-layer network (ReLU, dropout) over the word and bigram features: the engine's one non-linear
// vote. The softmax classifier weighs each feature on its own; the hidden units learn combinations ("top up" with
// "failed", "card" with "arrive"), which is where near-duplicate intents differ. Character n-grams stay out: a text
// has about five times as many of them as words and bigrams, and the first layer's cost grows with them.
// Trained by seeded SGD, so the same input gives the same network bit for bit.
import { softmaxInPlace } from './classifier.ts';
import type { SparseVec } from './features.ts';
import { mulberry32, shuffleInPlace } from './random.ts';

export interface MlpOptions {
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  dropout?: number;
  seed?: number;
}

export interface Mlp {
  /** Row of w1 for each feature of the engine's space, -1 for features the network does not read. */
  input: Int32Array;
  hidden: number;
  classes: number;
  /** Row-major by input row: w1[input[f] * hidden + j]. */
  w1: Float32Array;
  b1: Float32Array;
  /** Row-major by hidden unit: w2[j * classes + c]. */
  w2: Float32Array;
  b2: Float32Array;
}

/** Gradient terms smaller than this are skipped (most classes have p ~ 0 after the first epoch). */
const SKIP_GRADIENT = 1e-4;

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Per-step buffers and the dropout generator's state, reused across every step of one training. */
interface StepScratch {
  h: Float32Array;
  gh: Float32Array;
  z: Float64Array;
  active: Int32Array;
  activeG: Float64Array;
  live: Int32Array;
  /** xorshift32 state for dropout: one draw per unit, inline, no call. */
  bits: number;
  keepScale: number;
  /** A unit is dropped when its 32-bit draw is below this. */
  dropCut: number;
}

/**
 * xs are the inputs (unit length); `input` maps each feature of their space to a row of the first layer (-1: not
 * read), so the layer holds only the features the network uses. Deterministic for a given seed.
 */
export function trainMlp(
  xs: SparseVec[],
  ys: Int32Array,
  input: Int32Array,
  classes: number,
  opts: MlpOptions = {},
): Mlp {
  const H = opts.hidden ?? 256;
  const C = classes;
  const epochs = opts.epochs ?? 10;
  const lr0 = opts.learningRate ?? 0.1;
  const dropout = opts.dropout ?? 0.3;
  const rand = mulberry32(opts.seed ?? 1);
  let rows = 0;
  for (let f = 0; f < input.length; f++) if (input[f]! >= 0) rows++;
  const w1 = new Float32Array(rows * H);
  for (let k = 0; k < w1.length; k++) w1[k] = 0.1 * gaussian(rand);
  const w2 = new Float32Array(H * C);
  const s2 = 0.5 * Math.sqrt(2 / H);
  for (let k = 0; k < w2.length; k++) w2[k] = s2 * gaussian(rand);
  const m: Mlp = { input, hidden: H, classes: C, w1, b1: new Float32Array(H), w2, b2: new Float32Array(C) };
  const scratch: StepScratch = {
    h: new Float32Array(H),
    gh: new Float32Array(H),
    z: new Float64Array(C),
    active: new Int32Array(C),
    activeG: new Float64Array(C),
    live: new Int32Array(H),
    bits: (Math.floor(rand() * 4294967296) | 1) >>> 0,
    keepScale: 1 / (1 - dropout),
    dropCut: Math.floor(dropout * 4294967296),
  };
  const order = Array.from({ length: xs.length }, (_, i) => i);
  const total = Math.max(1, epochs * xs.length);
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    shuffleInPlace(order, rand);
    for (const i of order) {
      // Linear decay to a small floor, as the classifier's.
      sgdStep(m, scratch, xs[i]!, ys[i]!, lr0 * Math.max(0.02, 1 - t / total));
      t++;
    }
  }
  return m;
}

/** One SGD step on one example: forward with dropout, then the gradient of the cross-entropy back to both layers. */
function sgdStep(m: Mlp, s: StepScratch, x: SparseVec, y: number, lr: number): void {
  const { input, w1, b1, w2, b2 } = m;
  const H = m.hidden;
  const C = m.classes;
  const { h, gh, z, active, activeG, live, keepScale, dropCut } = s;
  hiddenLayer(x, input, w1, b1, H, 1, h);
  // Live units: positive and not dropped. Only they carry signal forward and gradient back.
  let bits = s.bits;
  let nl = 0;
  for (let j = 0; j < H; j++) {
    bits ^= bits << 13;
    bits ^= bits >>> 17;
    bits ^= bits << 5;
    if (h[j]! <= 0 || bits >>> 0 < dropCut) {
      h[j] = 0;
      continue;
    }
    h[j] = h[j]! * keepScale;
    live[nl++] = j;
  }
  s.bits = bits;
  for (let c = 0; c < C; c++) z[c] = b2[c]!;
  // Two live units per pass over the classes: each logit is loaded and stored half as often.
  let u = 0;
  for (; u + 1 < nl; u += 2) {
    const j0 = live[u]!;
    const j1 = live[u + 1]!;
    const h0 = h[j0]!;
    const h1 = h[j1]!;
    const p0 = j0 * C;
    const p1 = j1 * C;
    for (let c = 0; c < C; c++) z[c] = z[c]! + h0 * w2[p0 + c]! + h1 * w2[p1 + c]!;
  }
  if (u < nl) {
    const j = live[u]!;
    const hj = h[j]!;
    const base = j * C;
    for (let c = 0; c < C; c++) z[c] = z[c]! + hj * w2[base + c]!;
  }
  softmaxInPlace(z);
  let na = 0;
  for (let c = 0; c < C; c++) {
    const g = z[c]! - (c === y ? 1 : 0);
    if (g > -SKIP_GRADIENT && g < SKIP_GRADIENT) continue;
    active[na] = c;
    activeG[na++] = g;
    b2[c] = b2[c]! - lr * g;
  }
  for (let a = 0; a < nl; a++) {
    const j = live[a]!;
    const base = j * C;
    const step = lr * h[j]!;
    let sum = 0;
    // The gradient to the unit reads each weight before this step changes it.
    for (let k = 0; k < na; k++) {
      const idx = base + active[k]!;
      const w = w2[idx]!;
      const g = activeG[k]!;
      sum += w * g;
      w2[idx] = w - step * g;
    }
    gh[j] = sum * keepScale;
    b1[j] = b1[j]! - lr * gh[j]!;
  }
  for (let q = 0; q < x.idx.length; q++) {
    const r = input[x.idx[q]!]!;
    if (r < 0) continue;
    const base = r * H;
    const step = lr * x.val[q]!;
    for (let a = 0; a < nl; a++) {
      const j = live[a]!;
      w1[base + j] = w1[base + j]! - step * gh[j]!;
    }
  }
}

/** h = b1 + scale * W1^T x (pre-activation). */
function hiddenLayer(
  x: SparseVec,
  input: Int32Array,
  w1: Float32Array,
  b1: Float32Array,
  H: number,
  scale: number,
  h: Float32Array,
) {
  h.fill(0);
  for (let q = 0; q < x.idx.length; q++) {
    const r = input[x.idx[q]!]!;
    if (r < 0) continue;
    const base = r * H;
    const v = x.val[q]!;
    for (let j = 0; j < H; j++) h[j] = h[j]! + v * w1[base + j]!;
  }
  for (let j = 0; j < H; j++) h[j] = h[j]! * scale + b1[j]!;
}

/**
 * Logits of x into out; `scale` multiplies x (so a caller can renormalize the read part of a vector without copying
 * it). h is scratch of size hidden.
 */
export function mlpLogits(m: Mlp, x: SparseVec, scale: number, h: Float32Array, out: Float64Array): void {
  const H = m.hidden;
  const C = m.classes;
  hiddenLayer(x, m.input, m.w1, m.b1, H, scale, h);
  for (let c = 0; c < C; c++) out[c] = m.b2[c]!;
  for (let j = 0; j < H; j++) {
    const hj = h[j]!;
    if (hj <= 0) continue;
    const base = j * C;
    for (let c = 0; c < C; c++) out[c] = out[c]! + hj * m.w2[base + c]!;
  }
}
