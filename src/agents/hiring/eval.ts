// `twelve eval hiring`: rank every resume for every job and measure the ranking against graded judgements (qrels):
// mean P@5, P@10 (relevant = grade ≥ 1), nDCG@10 (gain 2^grade − 1), MAP, and milliseconds per resume. The plain
// TF-IDF cosine of job text against resume text runs on the same set in the same run, as the baseline to beat.
import { redact } from './engine/redact.ts';
import { proposeRubric } from './engine/rubric.ts';
import { scoreResumeDetailed } from './engine/score.ts';

export interface EvalJob {
  id: string;
  title: string;
  text: string;
}
export interface EvalResume {
  id: string;
  text: string;
}
/** job id → resume id → grade (0, 1, 2). */
export type Qrels = Map<string, Map<string, number>>;

export class EvalInputError extends Error {
  override name = 'EvalInputError';
}

export interface RankingMetrics {
  p5: number;
  p10: number;
  ndcg10: number;
  map: number;
  msPerResume: number;
}

export interface HiringEvalReport extends RankingMetrics {
  jobs: number;
  resumes: number;
  judged: number;
  baseline: RankingMetrics;
  perJob: { id: string; p5: number; p10: number; ndcg10: number; map: number; baselineNdcg10: number }[];
}

function parseJsonl(text: string, file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new EvalInputError(`${file}:${i + 1}: not valid JSON`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v))
      throw new EvalInputError(`${file}:${i + 1}: not a JSON object`);
    out.push(v as Record<string, unknown>);
  });
  return out;
}

export function parseJobs(text: string, file = 'jobs.jsonl'): EvalJob[] {
  const jobs = parseJsonl(text, file).map((o, i) => {
    if (typeof o.id !== 'string' || !o.id)
      throw new EvalInputError(`${file}:${i + 1}: "id" must be a non-empty string`);
    if (typeof o.text !== 'string') throw new EvalInputError(`${file}:${i + 1}: "text" must be a string`);
    return { id: o.id, title: typeof o.title === 'string' ? o.title : o.id, text: o.text };
  });
  if (!jobs.length) throw new EvalInputError(`${file}: no jobs`);
  return jobs;
}

/** Resume lines: {"id","text"} or {"id","file"} (a PDF path relative to the JSONL, read by the caller). */
export function parseResumeLines(
  text: string,
  file = 'resumes.jsonl',
): ({ id: string; text: string } | { id: string; file: string })[] {
  const seen = new Set<string>();
  const out = parseJsonl(text, file).map((o, i) => {
    if (typeof o.id !== 'string' || !o.id)
      throw new EvalInputError(`${file}:${i + 1}: "id" must be a non-empty string`);
    if (seen.has(o.id)) throw new EvalInputError(`${file}:${i + 1}: duplicate id ${JSON.stringify(o.id)}`);
    seen.add(o.id);
    if (typeof o.text === 'string') return { id: o.id, text: o.text };
    if (typeof o.file === 'string' && o.file) return { id: o.id, file: o.file };
    throw new EvalInputError(`${file}:${i + 1}: needs "text" or "file"`);
  });
  if (!out.length) throw new EvalInputError(`${file}: no resumes`);
  return out;
}

export function parseQrels(text: string, file = 'qrels.tsv'): Qrels {
  const q: Qrels = new Map();
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const parts = line.split('\t');
    if (parts.length !== 3)
      throw new EvalInputError(`${file}:${i + 1}: expected job_id<TAB>resume_id<TAB>relevance`);
    const grade = Number(parts[2]);
    if (!Number.isInteger(grade) || grade < 0)
      throw new EvalInputError(`${file}:${i + 1}: relevance must be a whole number ≥ 0`);
    const [job, resume] = [parts[0]!.trim(), parts[1]!.trim()];
    if (!q.has(job)) q.set(job, new Map());
    q.get(job)!.set(resume, grade);
  });
  return q;
}

// ---- metrics over one ranked list ----

export function precisionAt(ranked: string[], grades: Map<string, number>, k: number): number {
  let hit = 0;
  for (const id of ranked.slice(0, k)) if ((grades.get(id) ?? 0) >= 1) hit++;
  return hit / k;
}

export function ndcgAt(ranked: string[], grades: Map<string, number>, k: number): number {
  const dcg = ranked
    .slice(0, k)
    .reduce((s, id, i) => s + (2 ** (grades.get(id) ?? 0) - 1) / Math.log2(i + 2), 0);
  const ideal = [...grades.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

export function averagePrecision(ranked: string[], grades: Map<string, number>): number {
  const relevant = [...grades.values()].filter((g) => g >= 1).length;
  if (!relevant) return 0;
  let hit = 0;
  let sum = 0;
  ranked.forEach((id, i) => {
    if ((grades.get(id) ?? 0) >= 1) {
      hit++;
      sum += hit / (i + 1);
    }
  });
  return sum / relevant;
}

// ---- the TF-IDF cosine baseline ----

const STOP = new Set(
  'a an and are as at be by for from has have i in is it of on or our the to we with you your will who what this that their they them was were my me'.split(
    ' ',
  ),
);

function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}+#.]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu) ?? []).filter(
    (t) => !STOP.has(t),
  );
}

/** Ranks documents by TF-IDF cosine similarity with a query (log tf, idf over the documents). */
export function tfidfRanker(
  docs: { id: string; text: string }[],
): (query: string) => { id: string; score: number }[] {
  const tfs = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of tokens(d.text)) tf.set(t, (tf.get(t) ?? 0) + 1);
    return tf;
  });
  const df = new Map<string, number>();
  for (const tf of tfs) for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const idf = (t: string) => Math.log((n + 1) / ((df.get(t) ?? 0) + 1)) + 1;
  const vec = (tf: Map<string, number>) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [t, c] of tf) {
      const w = (1 + Math.log(c)) * idf(t);
      v.set(t, w);
      norm += w * w;
    }
    return { v, norm: Math.sqrt(norm) };
  };
  const docVecs = tfs.map(vec);
  return (query: string) => {
    const qtf = new Map<string, number>();
    for (const t of tokens(query)) qtf.set(t, (qtf.get(t) ?? 0) + 1);
    const q = vec(qtf);
    return docs.map((d, i) => {
      const dv = docVecs[i]!;
      let dot = 0;
      for (const [t, w] of q.v) dot += w * (dv.v.get(t) ?? 0);
      return { id: d.id, score: q.norm && dv.norm ? dot / (q.norm * dv.norm) : 0 };
    });
  };
}

function ranked(scores: { id: string; score: number }[]): string[] {
  return [...scores].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).map((s) => s.id);
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/**
 * Ranks every resume for every job with the offline engine (redact → propose the job's rubric → score) and with
 * TF-IDF cosine, and measures both against the qrels. Jobs without judgements are ranked but not measured.
 */
export function evaluateHiring(
  jobs: EvalJob[],
  resumes: EvalResume[],
  qrels: Qrels,
  opts: { now?: Date; onProgress?: (done: number, total: number) => void } = {},
): HiringEvalReport {
  const now = opts.now ?? new Date();
  let engineMs = 0;
  let t0 = performance.now();
  const redacted = resumes.map((r) => ({ id: r.id, text: redact(r.text).text }));
  engineMs += performance.now() - t0;

  t0 = performance.now();
  const tfidf = tfidfRanker(resumes);
  let baselineMs = performance.now() - t0;

  const per: HiringEvalReport['perJob'] = [];
  const base: RankingMetrics[] = [];
  jobs.forEach((job, j) => {
    t0 = performance.now();
    const rubric = proposeRubric(job.text);
    const engineScores = redacted.map((r) => ({
      id: r.id,
      score: scoreResumeDetailed(rubric, r.text, { now }).rank,
    }));
    engineMs += performance.now() - t0;
    t0 = performance.now();
    const baseScores = tfidf(`${job.title}\n${job.text}`);
    baselineMs += performance.now() - t0;
    opts.onProgress?.(j + 1, jobs.length);
    const grades = qrels.get(job.id);
    if (!grades) return;
    const a = ranked(engineScores);
    const b = ranked(baseScores);
    const bm = {
      p5: precisionAt(b, grades, 5),
      p10: precisionAt(b, grades, 10),
      ndcg10: ndcgAt(b, grades, 10),
      map: averagePrecision(b, grades),
      msPerResume: 0,
    };
    base.push(bm);
    per.push({
      id: job.id,
      p5: precisionAt(a, grades, 5),
      p10: precisionAt(a, grades, 10),
      ndcg10: ndcgAt(a, grades, 10),
      map: averagePrecision(a, grades),
      baselineNdcg10: bm.ndcg10,
    });
  });
  const pairs = Math.max(1, jobs.length * resumes.length);
  return {
    jobs: jobs.length,
    resumes: resumes.length,
    judged: per.length,
    p5: mean(per.map((x) => x.p5)),
    p10: mean(per.map((x) => x.p10)),
    ndcg10: mean(per.map((x) => x.ndcg10)),
    map: mean(per.map((x) => x.map)),
    msPerResume: engineMs / pairs,
    baseline: {
      p5: mean(base.map((x) => x.p5)),
      p10: mean(base.map((x) => x.p10)),
      ndcg10: mean(base.map((x) => x.ndcg10)),
      map: mean(base.map((x) => x.map)),
      msPerResume: baselineMs / pairs,
    },
    perJob: per,
  };
}
