// `twelve demo hiring`, `twelve hiring screen` and `twelve hiring erase` end to end on a PGlite data folder: the
// example career site is set up with its six PDF resumes screened and ranked (and again in place), more files are
// screened in bulk into a ranked table (a bad file is reported, kept, and the exit code says so), and an erasure.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../../test/support/cli.ts';
import { main } from '../../../cli/main.ts';
import { EXAMPLES } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-hiring-cli-'));
const env = { TWELVE_DATA_DIR: join(dir, 'data') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let backendJob = '';

describe('twelve demo hiring', () => {
  it('sets up two open jobs with six screened resumes, ranked, and runs again in place', async () => {
    const io = captureIo(env);
    expect(await main(['demo', 'hiring'], io), io.stderr.join('\n')).toBe(0);
    const out = io.stdout.join('\n');
    expect(io.stderr).toEqual([]);
    expect(out).toMatch(/Career site Acme Robotics \(agent acme-careers\) with 2 open jobs/);
    const backend = /Senior Backend Engineer {2}\(job ([0-9a-f-]{36})\)/.exec(out);
    expect(backend).not.toBeNull();
    backendJob = backend![1]!;
    // Each job's table lists its three candidates, all scored, best first.
    const rows = io.stdout.filter((l) => /^\s+\d+\s+\d+\s+(yes|no)/.test(l));
    expect(rows).toHaveLength(6);
    const first = io.stdout.findIndex((l) => l.includes('Senior Backend Engineer'));
    const top = io.stdout.slice(first).find((l) => /^\s+1\s/.test(l))!;
    expect(top).toMatch(/Maria Schneider/);
    // One candidate's phone screen is finished, its report delivered through the webhook's handler.
    expect(out).toMatch(
      /Phone screen \(the report delivered through the Vapi webhook's handler\): Maria Schneider: \d of \d questions answered/,
    );
    const again = captureIo(env);
    expect(await main(['demo', 'hiring'], again)).toBe(0);
    expect(again.stdout.join('\n')).toMatch(/Phone screen .*: Maria Schneider: \d of \d questions answered/);
    expect(again.stdout.filter((l) => /^\s+\d+\s+\d+\s+(yes|no)/.test(l))).toHaveLength(6);
    // The month's measurement counts the work: six resumes read, one phone screen done (the kind's task, 15 min).
    const report = captureIo(env);
    const month = new Date().toISOString().slice(0, 7);
    expect(await main(['report', '--agent', 'acme-careers', '--month', month, '--json'], report)).toBe(0);
    const figures = JSON.parse(report.stdout.join('\n'));
    const outcomes = Object.fromEntries(
      figures.metrics.kindOutcomes.map((o: { name: string; count: number; minutesEach: number }) => [
        o.name,
        o,
      ]),
    );
    expect(outcomes.resumes_screened).toMatchObject({ count: 6, minutesEach: 6 });
    expect(outcomes.phone_screens).toMatchObject({ count: 1, minutesEach: 15 });
    expect(figures.metrics.hours.saved).toBe(Math.round(((6 * 6 + 15) / 60) * 100) / 100);
  }, 180_000);
});

describe('twelve hiring screen', () => {
  it('screens files in bulk and prints a ranked table; a bad file is reported and kept', async () => {
    const resumes = join(EXAMPLES, 'resumes');
    const files = readdirSync(resumes).map((f) => join(resumes, f));
    const broken = join(dir, 'broken.pdf');
    writeFileSync(broken, '%PDF-1.4 this is not really a PDF');
    const io = captureIo(env);
    const code = await main(['hiring', 'screen', '--job', backendJob, ...files, broken], io);
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/broken\.pdf: the PDF could not be read/);
    expect(io.stdout).toContain(`screened ${files.length + 1}/${files.length + 1} broken.pdf`);
    const table = io.stdout.slice(io.stdout.indexOf('Senior Backend Engineer — ranked'));
    expect(table[1]).toMatch(/^#\s+score\s+qualified\s+years\s+status\s+name/);
    const scores = table
      .slice(2)
      .map((l) => /^\d+\s+(\d+|-)/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined && s !== '-')
      .map(Number);
    expect(scores.length).toBeGreaterThanOrEqual(files.length);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(table.some((l) => /needs_person.*broken/.test(l))).toBe(true);
  }, 180_000);

  it('refuses a missing --job or file with a usage error', async () => {
    const io = captureIo(env);
    expect(await main(['hiring', 'screen', 'x.pdf'], io)).not.toBe(0);
    const io2 = captureIo(env);
    expect(await main(['hiring', 'screen', '--job', backendJob, join(dir, 'nope.pdf')], io2)).not.toBe(0);
  });
});

describe('twelve hiring erase', () => {
  it('erases an application and says so; a second time it is not there', async () => {
    const io = captureIo(env);
    // The bulk screen above named its candidates after the files; erase one through the CLI by id.
    const { openCliApp } = await import('../../../cli/open.ts');
    const app = await openCliApp({ env });
    const [row] = await app.db.query<{ id: string }>(
      `SELECT id FROM hiring_applications WHERE name = 'broken' AND erased_at IS NULL`,
    );
    await app.close();
    expect(row).toBeDefined();
    expect(await main(['hiring', 'erase', row!.id], io)).toBe(0);
    expect(io.stdout).toEqual([`erased ${row!.id}`]);
    const again = captureIo(env);
    expect(await main(['hiring', 'erase', row!.id], again)).toBe(1);
  }, 120_000);
});
