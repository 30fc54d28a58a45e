// Inverted lists (CSR) over sparse vectors: the index every part of the engine looks features up in.
import type { SparseVec } from './features.ts';

/** Inverted lists by feature (CSR): for feature f, rows start[f]..start[f+1] of (row, val). */
export interface Postings {
  start: Int32Array;
  row: Int32Array;
  val: Float32Array;
}

export function buildPostings(vectors: SparseVec[], features: number): Postings {
  const start = new Int32Array(features + 1);
  for (const v of vectors) for (let q = 0; q < v.idx.length; q++) start[v.idx[q]! + 1]!++;
  for (let f = 0; f < features; f++) start[f + 1] = start[f + 1]! + start[f]!;
  const fill = start.slice(0, features);
  const row = new Int32Array(start[features]!);
  const val = new Float32Array(start[features]!);
  vectors.forEach((v, r) => {
    for (let q = 0; q < v.idx.length; q++) {
      const at = fill[v.idx[q]!]!++;
      row[at] = r;
      val[at] = v.val[q]!;
    }
  });
  return { start, row, val };
}
