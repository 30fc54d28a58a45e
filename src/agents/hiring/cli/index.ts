// The hiring agent's CLI: `twelve hiring screen --job ID PATH…` (bulk: each file applied as a recruiter's upload and
// screened, with a progress bar, then a ranked table), `twelve hiring erase ID…` (a candidate's data, the audit
// keeps a tombstone) and `twelve demo hiring` (an example career site, two jobs, six PDF resumes, screened).
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { type CliCommand, UsageError } from '../../../cli/command.ts';
import { agentCreator, findAgent } from '../../../runtime/agents.ts';
import type { CliAppOpener } from '../../kind.ts';
import { applicationEraser, applicationTaker, getApplication, listCandidates } from '../applications.ts';
import { getJob, jobCreator, jobUpdater, listJobs } from '../jobs.ts';
import { HIRING } from '../routes/dashboard.ts';
import { screenApplication } from '../screening.ts';
import { demoScreen } from './demo-screen.ts';
import { evalHiringCommand } from './eval.ts';

export const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/hiring');

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

export async function rankedTable(q: Parameters<typeof listCandidates>[0], jobId: string): Promise<string[]> {
  const list = await listCandidates(q, jobId);
  return table([
    ['#', 'score', 'qualified', 'years', 'status', 'name'],
    ...list.map((c, i) => [
      String(i + 1),
      c.score === null ? '-' : String(c.score),
      c.qualified === null ? '-' : c.qualified ? 'yes' : 'no',
      c.result?.yearsOfExperience == null ? '-' : String(c.result.yearsOfExperience),
      c.status === 'scored'
        ? 'scored'
        : `${c.status}${c.statusReason ? ` (${c.statusReason.slice(0, 60)})` : ''}`,
      c.name,
    ]),
  ]);
}

export const screenCommand = (open: CliAppOpener): CliCommand => ({
  path: ['hiring', 'screen'],
  summary: 'Screen resume files (PDF or DOCX) for a job and print the ranked candidates',
  usage: [
    'twelve hiring screen --job JOB_ID PATH…',
    '',
    '  --job JOB_ID  the job to screen for (its id, as the dashboard shows it)',
    '',
    'Each PATH is a PDF or DOCX resume, or a folder of them.',
    '',
    'Example:',
    '  twelve hiring screen --job 3f2a9c1e-0000-4000-8000-000000000000 resumes/',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { job: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (!values.job || !z.string().uuid().safeParse(values.job).success)
      throw new UsageError('--job JOB_ID (a job id from the dashboard or `twelve demo hiring`) is required');
    if (positionals.length === 0) throw new UsageError('name at least one resume file');
    for (const p of positionals) {
      try {
        if (!statSync(p).isFile()) throw new Error('not a file');
      } catch {
        throw new UsageError(`${p} is not a readable file`);
      }
    }
    const app = await open(io);
    try {
      const job = await getJob(app.db, values.job);
      const bar = new cliProgress.SingleBar(
        { format: 'screening [{bar}] {value}/{total} {file}', noTTYOutput: false, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      const showBar = io.interactive;
      if (showBar) bar.start(positionals.length, 0, { file: '' });
      let problems = 0;
      for (const [i, path] of positionals.entries()) {
        const name = basename(path);
        const stem = name.replace(/\.[^.]*$/, '');
        const slug =
          stem
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '') || `resume-${i + 1}`;
        const taken = await applicationTaker(app, 'cli', job, {
          name: stem,
          // Files carry no applicant email: one per file name, so screening the same file again merges.
          email: `${slug}@files.invalid`,
          consent: true,
          source: 'recruiter',
          file: { name, bytes: readFileSync(path) },
        });
        if (taken.queued) await screenApplication(app, taken.application.id);
        if (taken.fileError) {
          problems++;
          if (!showBar) io.err(`${name}: ${taken.fileError.message}`);
        }
        if (showBar) bar.update(i + 1, { file: name });
        else io.out(`screened ${i + 1}/${positionals.length} ${name}`);
      }
      if (showBar) bar.stop();
      io.out('');
      io.out(`${job.title} — ranked`);
      for (const line of await rankedTable(app.db, job.id)) io.out(line);
      return problems > 0 ? 2 : 0;
    } finally {
      await app.close();
    }
  },
});

export const eraseCommand = (open: CliAppOpener): CliCommand => ({
  path: ['hiring', 'erase'],
  summary: "Erase candidates' data (file, text, scores, self-identification); the audit keeps a tombstone",
  usage: [
    'twelve hiring erase APPLICATION_ID…',
    '',
    'No options. Each APPLICATION_ID is erased; the audit trail keeps a tombstone.',
    '',
    'Example:',
    '  twelve hiring erase 3f2a9c1e-0000-4000-8000-000000000000',
  ].join('\n'),
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
    if (positionals.length === 0) throw new UsageError('name at least one application id');
    const bad = positionals.find((p) => !z.string().uuid().safeParse(p).success);
    if (bad) throw new UsageError(`${bad} is not an application id`);
    const app = await open(io);
    try {
      let missing = 0;
      for (const id of positionals) {
        const erased = await applicationEraser(app, 'cli', id, 'request');
        io.out(erased ? `erased ${id}` : `${id}: no such application (or already erased)`);
        if (!erased) missing++;
      }
      return missing > 0 ? 1 : 0;
    } finally {
      await app.close();
    }
  },
});

const DemoSchema = z
  .object({
    agent: z.object({ displayName: z.string().min(1) }).strict(),
    jobs: z
      .array(
        z
          .object({
            title: z.string().min(1),
            description: z.string().min(1),
            location: z.string().optional(),
            employment: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    candidates: z
      .array(
        z
          .object({
            job: z.number().int().min(0),
            name: z.string().min(1),
            email: z.string().min(3),
            file: z.string().min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export const demoCommand = (open: CliAppOpener): CliCommand => ({
  path: ['demo', 'hiring'],
  summary: 'Set up an example career site: two open jobs and six PDF resumes, applied and screened',
  usage: [
    'twelve demo hiring [--name acme-careers]',
    '',
    "  --name NAME  the hiring agent's name (default acme-careers)",
    '',
    'Example:',
    '  npx twelve demo hiring',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { name: { type: 'string', default: 'acme-careers' } },
      strict: true,
    });
    const demo = DemoSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, 'demo.json'), 'utf8')));
    const app = await open(io);
    try {
      const existing = await findAgent(app.db, values.name).catch(() => null);
      if (existing && existing.kind !== HIRING)
        throw new UsageError(`${values.name} is a ${existing.kind} agent; choose another --name`);
      const agent =
        existing ??
        (await agentCreator(app, 'cli', {
          kind: HIRING,
          name: values.name,
          displayName: demo.agent.displayName,
        }));
      const known = await listJobs(app.db, agent.id);
      const jobs = [];
      for (const j of demo.jobs) {
        const found = known.find((k) => k.title === j.title);
        const job = found
          ? await jobUpdater(app, 'cli', found.id, { status: 'open' })
          : await jobCreator(app, 'cli', agent.id, { ...j, status: 'open' });
        jobs.push(job);
      }
      for (const c of demo.candidates) {
        const job = jobs[c.job];
        if (!job)
          throw new UsageError(`demo.json: candidate ${c.name} names job ${c.job}, which is not there`);
        const taken = await applicationTaker(app, 'cli', job, {
          name: c.name,
          email: c.email,
          consent: true,
          source: 'demo',
          file: { name: c.file, bytes: readFileSync(join(EXAMPLES, 'resumes', c.file)) },
        });
        if (taken.queued) await screenApplication(app, taken.application.id);
        const a = await getApplication(app.db, taken.application.id);
        if (a.status !== 'scored') io.err(`${c.file}: ${a.status} ${a.statusReason ?? ''}`);
      }
      io.out(`Career site ${agent.displayName} (agent ${agent.name}) with ${jobs.length} open jobs:`);
      for (const job of jobs) {
        io.out('');
        io.out(`${job.title}  (job ${job.id})`);
        for (const line of await rankedTable(app.db, job.id)) io.out(`  ${line}`);
      }
      const base = process.env.TWELVE_PUBLIC_URL || `http://localhost:${process.env.PORT ?? '8787'}`;
      const screened = await demoScreen(app, agent, jobs[0]!, base);
      if (screened) {
        io.out('');
        io.out(`Phone screen (the report delivered through the Vapi webhook's handler): ${screened}`);
      }
      io.out('');
      io.out(`Career page: /careers/${agent.name}   Dashboard: the agent ${agent.name}, Jobs.`);
      io.out(`Screen more: twelve hiring screen --job ${jobs[0]!.id} resume.pdf …`);
      return 0;
    } finally {
      await app.close();
    }
  },
});

export const hiringCliCommands = (open: CliAppOpener): CliCommand[] => [
  screenCommand(open),
  eraseCommand(open),
  demoCommand(open),
  evalHiringCommand,
];
