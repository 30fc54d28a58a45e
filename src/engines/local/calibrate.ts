// A small L2-regularized logistic regression (Newton's method) that turns match features into a confidence.

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Returns weights with the bias last. Newton is exact and deterministic for these few features. */
export function fitLogistic(xs: number[][], ys: number[], l2 = 1e-2, iterations = 25): number[] {
  const d = (xs[0]?.length ?? 0) + 1;
  const w = new Array<number>(d).fill(0);
  const n = xs.length;
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      let z = w[d - 1]!;
      for (let j = 0; j < d - 1; j++) z += w[j]! * x[j]!;
      const p = sigmoid(z);
      const r = p - ys[i]!;
      const s = Math.max(p * (1 - p), 1e-9);
      for (let a = 0; a < d; a++) {
        const xa = a === d - 1 ? 1 : x[a]!;
        grad[a] = grad[a]! + r * xa;
        const row = hess[a]!;
        for (let b = 0; b <= a; b++) row[b] = row[b]! + s * xa * (b === d - 1 ? 1 : x[b]!);
      }
    }
    // Ridge on everything but the bias keeps the fit sane with few or separable calibration rows.
    for (let a = 0; a < d; a++) {
      const row = hess[a]!;
      for (let b = 0; b < a; b++) hess[b]![a] = row[b]!;
      if (a < d - 1) {
        grad[a] = grad[a]! + l2 * n * w[a]!;
        row[a] = row[a]! + l2 * n;
      } else {
        row[a] = row[a]! + 1e-9 * n;
      }
    }
    const step = solve(hess, grad);
    let change = 0;
    for (let a = 0; a < d; a++) {
      w[a] = w[a]! - step[a]!;
      change = Math.max(change, Math.abs(step[a]!));
    }
    if (change < 1e-8) break;
  }
  return w;
}

export function applyLogistic(w: readonly number[], x: readonly number[]): number {
  let z = w[w.length - 1] ?? 0;
  for (let j = 0; j < x.length; j++) z += (w[j] ?? 0) * x[j]!;
  return sigmoid(z);
}

/** Gaussian elimination with partial pivoting; the matrix is small (a dozen rows). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    const tmp = m[col]!;
    m[col] = m[piv]!;
    m[piv] = tmp;
    const p = m[col]![col]!;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r]![c] = m[r]![c]! - f * m[col]![c]!;
    }
  }
  return m.map((row, i) => {
    const p = row[i]!;
    return Math.abs(p) < 1e-12 ? 0 : row[n]! / p;
  });
}
