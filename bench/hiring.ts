// Hiring suite: bulk screening of PDF resumes with the offline engine against text extraction alone.
//   - N PDF resumes (default 1,000) are generated with pdfkit into a temporary folder, from the development set's
//     resumes (examples/hiring/eval), each one varied (a numbered line, its lines in another order) so no two match;
//   - baseline: text extraction alone through src/documents (readDocument: a worker thread per PDF, as intake does),
//     CONCURRENCY files at a time; then the same files through extraction + redact + score against a job's rubric at
//     the same concurrency. Throughput (files/s) of each and their ratio (target ≥ 80%);
//   - the latency of one resume's redact + score after extraction, p50/p99 over every extracted text, measured on its
//     own after the passes (target p99 ≤ 50 ms); the same step's wall time inside the pipeline is printed too (it
//     waits for the CPU the PDF workers hold, so on a busy machine it says more about the machine).
// Environment: BENCH_HIRING_FILES (default 1000), BENCH_HIRING_CONCURRENCY (default 2, the cores of this machine).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PDFDocument from 'pdfkit';
import { proposeRubric, redact, scoreResume } from '../src/agents/hiring/engine/index.ts';
import { parseJobs, parseResumeLines } from '../src/agents/hiring/eval.ts';
import { readDocument } from '../src/documents/read.ts';
import { fmt, type ScenarioResult, type Suite, summarize, table } from './stats.ts';

const FILES = Number(process.env.BENCH_HIRING_FILES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_HIRING_CONCURRENCY ?? 2);
const SET = join(import.meta.dirname, '../examples/hiring/eval');

function pdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font('Helvetica').fontSize(10);
  for (const line of text.split('\n')) doc.text(line || ' ');
  doc.end();
  return done;
}

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export const suite: Suite = {
  name: 'hiring',
  description: `screening ${FILES} PDF resumes: extraction alone vs extraction + redact + score; one score's p99`,
  async run(): Promise<ScenarioResult[]> {
    const jobs = parseJobs(await readFile(join(SET, 'jobs.jsonl'), 'utf8'));
    const texts = parseResumeLines(await readFile(join(SET, 'resumes.jsonl'), 'utf8'))
      .filter((r): r is { id: string; text: string } => 'text' in r)
      .map((r) => r.text);
    const dir = await mkdtemp(join(tmpdir(), 'twelve-bench-hiring-'));
    try {
      let t = performance.now();
      const files: string[] = [];
      for (let i = 0; i < FILES; i++) {
        const lines = texts[i % texts.length]!.split('\n');
        // Vary each copy: rotate the bullet lines after the header by i, and number it.
        const head = lines.slice(0, 4);
        const body = lines.slice(4);
        const k = body.length ? i % body.length : 0;
        const text = [...head, `Reference ${i}`, ...body.slice(k), ...body.slice(0, k)].join('\n');
        const path = join(dir, `resume-${i}.pdf`);
        await writeFile(path, await pdf(text));
        files.push(path);
      }
      console.log(`generated ${FILES} PDFs in ${fmt((performance.now() - t) / 1000)} s`);
      const rubrics = jobs.map((j) => proposeRubric(j.text));
      // Warm both paths (worker start-up code, regular expressions) before measuring.
      for (const f of files.slice(0, 5)) {
        const doc = await readDocument({ name: 'r.pdf', data: await readFile(f) });
        scoreResume(rubrics[0]!, redact(doc.text).text);
      }

      t = performance.now();
      let chars = 0;
      const extracted: string[] = [];
      await pool(files, CONCURRENCY, async (f) => {
        const doc = await readDocument({ name: 'r.pdf', data: await readFile(f) });
        chars += doc.text.length;
        extracted.push(doc.text);
      });
      const extractS = (performance.now() - t) / 1000;

      const scoreMs: number[] = [];
      let qualified = 0;
      t = performance.now();
      let idx = 0;
      await pool(files, CONCURRENCY, async (f) => {
        const rubric = rubrics[idx++ % rubrics.length]!;
        const doc = await readDocument({ name: 'r.pdf', data: await readFile(f) });
        const s = performance.now();
        const r = scoreResume(rubric, redact(doc.text).text);
        scoreMs.push(performance.now() - s);
        if (r.qualified) qualified++;
      });
      const fullS = (performance.now() - t) / 1000;

      const aloneMs: number[] = [];
      extracted.forEach((text, i) => {
        const s = performance.now();
        scoreResume(rubrics[i % rubrics.length]!, redact(text).text);
        aloneMs.push(performance.now() - s);
      });

      const ex = FILES / extractS;
      const full = FILES / fullS;
      const ratio = full / ex;
      const inPipe = summarize(scoreMs);
      const sc = summarize(aloneMs);
      console.log(
        table(
          ['scenario', 'files', 'seconds', 'files/s', 'vs extraction'],
          [
            ['extraction alone (baseline)', FILES, extractS, ex, '100%'],
            ['extraction + redact + score', FILES, fullS, full, `${(ratio * 100).toFixed(1)}%`],
          ],
        ),
      );
      console.log('');
      console.log(
        table(
          ['one resume: redact + score (ms)', 'n', 'mean', 'p50', 'p99', 'max'],
          [
            ['after extraction', sc.n, sc.mean, sc.p50, sc.p99, sc.max],
            ['inside the pipeline (wall)', inPipe.n, inPipe.mean, inPipe.p50, inPipe.p99, inPipe.max],
          ],
        ),
      );
      console.log(
        `\nthroughput ratio ${(ratio * 100).toFixed(1)}% (target ≥ 80%): ${ratio >= 0.8 ? 'met' : 'NOT met'}; ` +
          `p99 ${fmt(sc.p99)} ms (target ≤ 50 ms): ${sc.p99 <= 50 ? 'met' : 'NOT met'}; ` +
          `${qualified} of ${FILES} qualified; ${Math.round(chars / FILES)} characters per resume`,
      );
      return [
        {
          suite: 'hiring',
          scenario: 'bulk-screen',
          files: FILES,
          concurrency: CONCURRENCY,
          extractFilesPerS: Math.round(ex * 10) / 10,
          screenFilesPerS: Math.round(full * 10) / 10,
          ratio: Math.round(ratio * 1000) / 1000,
          scoreP50Ms: Math.round(sc.p50 * 100) / 100,
          scoreP99Ms: Math.round(sc.p99 * 100) / 100,
          pipelineScoreP99Ms: Math.round(inPipe.p99 * 100) / 100,
          ratioTargetMet: ratio >= 0.8,
          p99TargetMet: sc.p99 <= 50,
        },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
