// `twelve eval hiring --jobs jobs.jsonl --resumes resumes.jsonl --qrels qrels.tsv [--json]`: ranks every resume
// for every job with the offline engine and measures mean P@5, P@10, nDCG@10, MAP and ms per resume, beside the
// plain TF-IDF cosine baseline on the same set in the same run. Resumes given as {"id","file"} are PDFs (or other
// documents) read through src/documents, with paths relative to the JSONL.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliCommand, type CliIo, UsageError } from '../../../cli/command.ts';
import { readDocument } from '../../../documents/read.ts';
import { AppError } from '../../../errors.ts';
import {
  EvalInputError,
  type EvalResume,
  evaluateHiring,
  type HiringEvalReport,
  parseJobs,
  parseQrels,
  parseResumeLines,
} from '../eval.ts';

const USAGE =
  'twelve eval hiring --jobs jobs.jsonl --resumes resumes.jsonl --qrels qrels.tsv [--json]\n\n' +
  'jobs.jsonl: {"id","title","text"} a line; resumes.jsonl: {"id","text"} or {"id","file"} (a PDF path relative to\n' +
  'the JSONL); qrels.tsv: job_id<TAB>resume_id<TAB>relevance (0, 1, 2; unlisted pairs are 0). Every resume is ranked\n' +
  'for every job by the offline engine (redact, the rubric proposed from the job text, the score) and by TF-IDF\n' +
  'cosine (job text vs resume text); both are printed.\n\n' +
  '  --jobs FILE     the jobs (JSONL)\n' +
  '  --resumes FILE  the resumes (JSONL)\n' +
  '  --qrels FILE    the graded judgements (TSV)\n' +
  '  --json          print the figures as JSON (keys: p5, p10, ndcg10, map, msPerResume, baseline)\n\n' +
  'Example:\n' +
  '  twelve eval hiring --jobs examples/hiring/eval/jobs.jsonl --resumes examples/hiring/eval/resumes.jsonl --qrels examples/hiring/eval/qrels.tsv';

const f3 = (x: number) => x.toFixed(3);

export function formatHiringReport(r: HiringEvalReport): string[] {
  const row = (
    name: string,
    m: { p5: number; p10: number; ndcg10: number; map: number; msPerResume: number },
  ) =>
    `  ${name.padEnd(16)} ${f3(m.p5).padStart(6)} ${f3(m.p10).padStart(6)} ${f3(m.ndcg10).padStart(8)} ${f3(m.map).padStart(6)} ${m.msPerResume.toFixed(2).padStart(10)}`;
  return [
    `${r.jobs} jobs × ${r.resumes} resumes; ${r.judged} jobs judged`,
    `  ${'ranker'.padEnd(16)} ${'P@5'.padStart(6)} ${'P@10'.padStart(6)} ${'nDCG@10'.padStart(8)} ${'MAP'.padStart(6)} ${'ms/resume'.padStart(10)}`,
    row('offline engine', r),
    row('TF-IDF cosine', r.baseline),
    'per job (nDCG@10: engine / TF-IDF):',
    ...r.perJob.map((j) => `  ${j.id.padEnd(20)} ${f3(j.ndcg10)} / ${f3(j.baselineNdcg10)}`),
  ];
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function loadResumes(path: string): Promise<EvalResume[]> {
  const lines = parseResumeLines(await readText(path, '--resumes'), basename(path));
  const base = dirname(resolve(path));
  const out: EvalResume[] = [];
  for (const l of lines) {
    if ('text' in l) {
      out.push(l);
      continue;
    }
    const file = resolve(base, l.file);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (err) {
      throw new UsageError(
        `resume ${l.id}: cannot read ${l.file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    try {
      const doc = await readDocument({ name: basename(file), data });
      out.push({ id: l.id, text: doc.text });
    } catch (err) {
      if (err instanceof AppError) throw new UsageError(`resume ${l.id}: ${l.file}: ${err.message}`);
      throw err;
    }
  }
  return out;
}

export const evalHiringCommand: CliCommand = {
  path: ['eval', 'hiring'],
  summary: 'Measure resume ranking (P@5, P@10, nDCG@10, MAP) against graded judgements, beside TF-IDF',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    let v: { jobs?: string; resumes?: string; qrels?: string; json?: boolean };
    try {
      v = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
          jobs: { type: 'string' },
          resumes: { type: 'string' },
          qrels: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      }).values;
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (!v.jobs || !v.resumes || !v.qrels)
      throw new UsageError('--jobs, --resumes and --qrels are all required');
    let report: HiringEvalReport;
    try {
      const jobs = parseJobs(await readText(v.jobs, '--jobs'), basename(v.jobs));
      const resumes = await loadResumes(v.resumes);
      const qrels = parseQrels(await readText(v.qrels, '--qrels'), basename(v.qrels));
      const known = new Set(jobs.map((j) => j.id));
      const unknown = [...qrels.keys()].filter((id) => !known.has(id));
      if (unknown.length)
        throw new UsageError(`qrels name jobs not in --jobs: ${unknown.slice(0, 5).join(', ')}`);
      report = evaluateHiring(jobs, resumes, qrels, {
        ...(jobs.length * resumes.length >= 20_000
          ? { onProgress: (done: number, total: number) => io.err(`ranked for ${done}/${total} jobs`) }
          : {}),
      });
    } catch (err) {
      if (err instanceof EvalInputError) throw new UsageError(err.message);
      throw err;
    }
    if (v.json) io.out(JSON.stringify(report));
    else for (const line of formatHiringReport(report)) io.out(line);
    return 0;
  },
};
