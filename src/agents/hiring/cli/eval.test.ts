// `twelve eval hiring` on the development set (examples/hiring/eval, PDFs included): both rankers measured in one
// run, the offline engine ahead of TF-IDF on nDCG@10 and MAP; usage errors for missing or bad input.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../../test/support/cli.ts';
import { UsageError } from '../../../cli/command.ts';
import { evalHiringCommand } from './eval.ts';

const SET = join(import.meta.dirname, '../../../../examples/hiring/eval');
const args = [
  '--jobs',
  join(SET, 'jobs.jsonl'),
  '--resumes',
  join(SET, 'resumes.jsonl'),
  '--qrels',
  join(SET, 'qrels.tsv'),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twelve-eval-hiring-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('twelve eval hiring', () => {
  it('--json: the figures of both rankers on the development set; the engine beats TF-IDF', async () => {
    const io = captureIo({});
    expect(await evalHiringCommand.run([...args, '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout[0]!) as Record<string, number> & {
      baseline: Record<string, number>;
      resumes: number;
    };
    for (const k of ['p5', 'p10', 'ndcg10', 'map', 'msPerResume']) {
      expect(typeof r[k]).toBe('number');
      expect(typeof r.baseline[k]).toBe('number');
    }
    expect(r.resumes).toBe(100);
    expect(r.ndcg10).toBeGreaterThan(r.baseline.ndcg10!);
    expect(r.map).toBeGreaterThan(r.baseline.map!);
    expect(r.p5).toBeGreaterThan(r.baseline.p5!);
  });

  it('prints a table with both rankers', async () => {
    const io = captureIo({});
    await evalHiringCommand.run(args, io);
    expect(io.stdout.join('\n')).toMatch(/offline engine .*\n\s+TF-IDF cosine/);
  });

  it('usage errors: a missing flag, an unreadable file, a bad line, a qrels job that does not exist', async () => {
    const io = captureIo({});
    await expect(evalHiringCommand.run(['--jobs', 'x'], io)).rejects.toThrow(UsageError);
    await expect(evalHiringCommand.run([...args.slice(0, 5), join(dir, 'none.tsv')], io)).rejects.toThrow(
      /cannot read --qrels/,
    );
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"id":"r1","text":"x"}\nnot json\n');
    await expect(evalHiringCommand.run([...args.slice(0, 3), bad, ...args.slice(4)], io)).rejects.toThrow(
      /bad.jsonl:2: not valid JSON/,
    );
    const missingPdf = join(dir, 'pdfs.jsonl');
    await writeFile(missingPdf, '{"id":"r1","file":"nope.pdf"}\n');
    await expect(
      evalHiringCommand.run([...args.slice(0, 3), missingPdf, ...args.slice(4)], io),
    ).rejects.toThrow(/resume r1: cannot read nope.pdf/);
    const q = join(dir, 'q.tsv');
    await writeFile(q, 'nojob\tr1\t2\n');
    await expect(evalHiringCommand.run([...args.slice(0, 5), q], io)).rejects.toThrow(
      /qrels name jobs not in --jobs: nojob/,
    );
  });
});
