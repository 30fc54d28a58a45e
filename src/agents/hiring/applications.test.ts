// The hiring agent's commands on a real database: intake of PDF and DOCX resumes (type by bytes; corrupt,
// encrypted, image-only, over-size files and zip bombs keep the application for a person), duplicates merged and
// never scored twice, the screening queue, people's decisions (stage machine, reason, audit), erasure with a
// tombstone, retention, the fairness report, and that scoring never reads the voluntary self-identification.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument as PdfLib } from 'pdf-lib';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import { ManualClock } from '../../clock.ts';
import { isAppError } from '../../errors.ts';
import { silentLog } from '../../events/log.ts';
import { agentMetrics, measurementKindsOf } from '../../metrics/measurement.ts';
import { agentUpdater } from '../../runtime/agents.ts';
import { listSteps } from '../../runtime/runs.ts';
import {
  applicationEraser,
  applicationTaker,
  decisionMaker,
  getApplication,
  listCandidates,
  nextStage,
  retentionSweeper,
  selfIdSaver,
} from './applications.ts';
import { fairnessCsv, fairnessReport } from './fairness.ts';
import type { Job } from './jobs.ts';
import { jobUpdater } from './jobs.ts';
import { screenApplication, screenWaiting } from './screening.ts';
import { hiringAgentWithJob, makeDocx, resumePdf, STRONG_RESUME, WEAK_RESUME } from './test-support.ts';

let db: TestDb;
let app: App;
const clock = new ManualClock(new Date('2026-06-01T09:00:00Z'));
let job: Job;
let agentId: string;
let n = 0;
const email = () => `c${++n}@example.com`;

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { llm: null, clock });
  const made = await hiringAgentWithJob(app);
  job = made.job;
  agentId = made.agent.id;
});
afterAll(async () => {
  await app?.close().catch(() => undefined);
  await db?.dispose().catch(() => undefined);
});

const apply = (bytes: Buffer, opts: { name?: string; email?: string; file?: string; job?: Job } = {}) =>
  applicationTaker(app, 'test', opts.job ?? job, {
    name: opts.name ?? 'Jane Doe',
    email: opts.email ?? email(),
    consent: true,
    source: 'career_page',
    file: { name: opts.file ?? 'cv.pdf', bytes },
  });

function encryptedPdf(): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ userPassword: 'secret', ownerPassword: 'owner' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.text('TypeScript and PostgreSQL since 2015');
    doc.end();
  });
}

async function imageOnlyPdf(): Promise<Buffer> {
  const pdf = await PdfLib.create();
  const page = pdf.addPage([595, 842]);
  page.drawRectangle({ x: 50, y: 50, width: 200, height: 300 });
  return Buffer.from(await pdf.save());
}

describe('intake and screening', () => {
  it('reads a PDF, queues it, and screens it: redacted text, a score, evidence quoted from the redacted text', async () => {
    const taken = await apply(await resumePdf(), { name: 'Jane Doe', email: 'jane.doe@example.com' });
    expect(taken).toMatchObject({ merged: false, fileError: null, queued: true });
    expect(taken.reference).toMatch(/^[A-Z2-9]{8}$/);
    expect(taken.application.status).toBe('queued');
    expect(await screenApplication(app, taken.application.id)).toMatchObject({ outcome: 'scored' });
    const a = await getApplication(db, taken.application.id);
    expect(a.status).toBe('scored');
    expect(a.score).toBeGreaterThan(0);
    expect(a.redactedText).not.toContain('jane.doe@example.com');
    expect(a.redactedText).not.toContain('Jane Doe');
    for (const c of a.result!.criteria)
      for (const e of c.evidence) expect(a.redactedText!.slice(e.start, e.end)).toBe(e.quote);
    // Screened once: a second screener finds nothing to do.
    expect(await screenApplication(app, taken.application.id)).toMatchObject({ outcome: 'skipped' });
  });

  it('reads a DOCX (type told by its bytes, whatever the name says)', async () => {
    const taken = await apply(makeDocx(STRONG_RESUME), { file: 'resume.pdf' });
    expect(taken.fileError).toBeNull();
    await screenApplication(app, taken.application.id);
    const a = await getApplication(db, taken.application.id);
    expect(a.status).toBe('scored');
    expect(a.redactedText).toContain('PostgreSQL');
  });

  it('refuses a file that is neither PDF nor DOCX by its bytes, and keeps the application for a person [hiring:application-kept]', async () => {
    const taken = await apply(Buffer.from('MZ\x90\x00 this is an executable'), { file: 'cv.pdf' });
    expect(taken.fileError?.id).toBe('file_type_unsupported');
    const a = await getApplication(db, taken.application.id);
    expect(a).toMatchObject({ status: 'needs_person', fileId: null });
    expect(a.statusReason).toMatch(/PDF or a Word/);
  });

  it('keeps corrupt, encrypted and image-only PDFs as needs_person with the reason, never scores them [hiring:application-kept]', async () => {
    const corrupt = await apply(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage'));
    expect(corrupt.fileError?.id).toBe('file_unreadable');
    const encrypted = await apply(await encryptedPdf());
    expect(encrypted.fileError?.id).toBe('file_unreadable');
    expect(encrypted.fileError?.message).toMatch(/password/i);
    const image = await apply(await imageOnlyPdf());
    expect(image.fileError?.id).toBe('file_unreadable');
    expect(image.fileError?.message).toMatch(/no text could be read/);
    for (const t of [corrupt, encrypted, image]) {
      const a = await getApplication(db, t.application.id);
      expect(a.status).toBe('needs_person');
      expect(a.fileId).not.toBeNull(); // the file is kept for the person who reads it
      expect(await screenApplication(app, a.id)).toMatchObject({ outcome: 'skipped' });
      expect((await getApplication(db, a.id)).score).toBeNull();
    }
  });

  it('refuses a zip bomb from its central directory before inflating it, keeping the application', async () => {
    const bomb = makeDocx(['hello'], { 'word/media/zeros.bin': new Uint8Array(80 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const taken = await apply(bomb, { file: 'cv.docx' });
    expect(taken.fileError?.id).toBe('file_unreadable');
    expect(taken.fileError?.message).toMatch(/expands to 80 MiB/);
    expect((await getApplication(db, taken.application.id)).status).toBe('needs_person');
  });

  it('refuses a file over 10 MB with file_too_large, keeping the application', async () => {
    const taken = await apply(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(10 * 1024 * 1024)]));
    expect(taken.fileError?.id).toBe('file_too_large');
    expect((await getApplication(db, taken.application.id)).status).toBe('needs_person');
  });

  it('refuses without consent, or for a job that is not open, writing nothing', async () => {
    const before = (await listCandidates(db, job.id)).length;
    const err = await applicationTaker(app, 'test', job, {
      name: 'X',
      email: email(),
      consent: false,
      source: 'career_page',
      file: { name: 'cv.pdf', bytes: await resumePdf() },
    }).catch((e: unknown) => e);
    expect(isAppError(err) && err.id).toBe('consent_required');
    const closed = await hiringAgentWithJob(app);
    const closedJob = await jobUpdater(app, 'test', closed.job.id, { status: 'closed' });
    const err2 = await apply(await resumePdf(), { job: closedJob }).catch((e: unknown) => e);
    expect(isAppError(err2) && err2.id).toBe('job_not_open');
    expect((await listCandidates(db, job.id)).length).toBe(before);
  });

  it('merges a second application with the same email (any case); the same file is never scored twice', async () => {
    const pdf = await resumePdf();
    const first = await apply(pdf, { email: 'Twice@Example.com' });
    await screenApplication(app, first.application.id);
    const scored = await getApplication(db, first.application.id);
    const again = await apply(pdf, { email: 'twice@example.com', name: 'Jane D.' });
    expect(again).toMatchObject({ merged: true, queued: false, reference: first.reference });
    expect(again.application.id).toBe(first.application.id);
    expect(again.application.status).toBe('scored');
    expect(await screenWaiting(app, { jobId: job.id })).not.toContainEqual(
      expect.objectContaining({ id: first.application.id }),
    );
    expect((await getApplication(db, first.application.id)).updatedAt.getTime()).toBeGreaterThanOrEqual(
      scored.updatedAt.getTime(),
    );
    // A new file replaces the old one and is scored once.
    const other = await apply(await resumePdf(WEAK_RESUME), { email: 'twice@example.com' });
    expect(other).toMatchObject({ merged: true, queued: true });
    await screenApplication(app, first.application.id);
    const rescored = await getApplication(db, first.application.id);
    expect(rescored.score!).toBeLessThan(scored.score!);
    const rows = await db.query(
      `SELECT count(*)::int AS n FROM hiring_applications WHERE job_id = $1 AND lower(email) = 'twice@example.com'`,
      [job.id],
    );
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('leaves a candidate below the threshold in stage applied for a person [hiring:decisions-human-only]', async () => {
    const taken = await apply(await resumePdf(WEAK_RESUME));
    await screenWaiting(app, { jobId: job.id });
    const a = await getApplication(db, taken.application.id);
    expect(a.status).toBe('scored');
    expect(a.qualified).toBe(false);
    expect(a.score!).toBeLessThan(job.threshold);
    expect(a.stage).toBe('applied');
    expect(await db.query('SELECT 1 FROM hiring_decisions WHERE application_id = $1', [a.id])).toEqual([]);
  });

  it('is screened by the kind’s queue job (hiring.screen), which the node’s job runner runs every minute', async () => {
    const taken = await apply(await resumePdf());
    const job = app.kinds.get('hiring')!.jobs!.find((j) => j.name === 'hiring.screen')!;
    const out = await job.run({ app, log: silentLog });
    expect(out.screened).toBeGreaterThanOrEqual(1);
    expect((await getApplication(db, taken.application.id)).status).toBe('scored');
    expect(app.kinds.get('hiring')!.jobs!.map((j) => j.name)).toContain('hiring.retention');
  });

  it('ranks candidates by score, unscored last', async () => {
    const list = await listCandidates(db, job.id);
    const scores = list.map((c) => c.score);
    const firstNull = scores.indexOf(null);
    const scored = firstNull < 0 ? scores : scores.slice(0, firstNull);
    expect(scored).toEqual([...scored].sort((a, b) => b! - a!));
    if (firstNull >= 0) expect(scores.slice(firstNull).every((s) => s === null)).toBe(true);
  });
});

describe('measurement', () => {
  it('counts each screened resume once as the kind’s outcome, by when it was scored, with its minutes and their source', async () => {
    const { agent, job: own } = await hiringAgentWithJob(app);
    const range = { from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };
    const screened = async () =>
      (await agentMetrics(db, agent.id, range, { kinds: measurementKindsOf(app), now: clock.now() }))
        .kindOutcomes;
    expect(await screened()).toEqual([
      expect.objectContaining({ name: 'resumes_screened', count: 0 }),
      expect.objectContaining({ name: 'phone_screens', count: 0, minutesEach: 15 }),
    ]);
    const pdf = await resumePdf();
    const first = await apply(pdf, { job: own, email: 'once@example.com' });
    await apply(await resumePdf(WEAK_RESUME), { job: own });
    await screenWaiting(app, { limit: 10 });
    // The same file again from the same address is merged and not screened again: still two.
    await apply(pdf, { job: own, email: 'ONCE@example.com' });
    await screenWaiting(app, { limit: 10 });
    expect((await getApplication(db, first.application.id)).status).toBe('scored');
    const [o] = await screened();
    expect(o).toMatchObject({
      name: 'resumes_screened',
      label: 'Resumes screened',
      count: 2,
      minutesEach: 6,
    });
    expect(o!.source).toMatch(/6 minutes/);
    // Outside the range: none.
    const before = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };
    const m = await agentMetrics(db, agent.id, before, { kinds: measurementKindsOf(app), now: clock.now() });
    expect(m.kindOutcomes[0]!.count).toBe(0);
    expect(m.settings.minutesPerTaskSource).toMatch(/phone screen/);
  });
});

describe('scoring never reads the voluntary self-identification', () => {
  it('gives the same result with and without self-id answers [hiring:scoring-blind-to-self-id]', async () => {
    const pdf = await resumePdf();
    const a = await apply(pdf);
    const b = await apply(pdf);
    await selfIdSaver(app, agentId, {
      token: b.selfIdToken,
      answers: { gender: 'woman', age_band: '50-59' },
    });
    await screenApplication(app, a.application.id);
    await screenApplication(app, b.application.id);
    const [ra, rb] = [await getApplication(db, a.application.id), await getApplication(db, b.application.id)];
    expect(rb.result).toEqual(ra.result);
    expect(rb.score).toBe(ra.score);
  });

  it('has no reference to hiring_self_id in the screening code or the engine [hiring:scoring-blind-to-self-id]', () => {
    const dir = import.meta.dirname;
    const files = [
      join(dir, 'screening.ts'),
      ...readdirSync(join(dir, 'engine'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => join(dir, 'engine', f)),
    ];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/self_id|selfId|self-id/i);
  });

  it('gives the same score to the same resume under another name and contact details', async () => {
    const other = STRONG_RESUME.map((l) =>
      l.replace('Jane Doe', 'Mohammed Al-Farsi').replace('jane.doe@example.com', 'mo@example.org'),
    );
    const a = await apply(await resumePdf(), { name: 'Jane Doe' });
    const b = await apply(await resumePdf(other), { name: 'Mohammed Al-Farsi' });
    await screenApplication(app, a.application.id);
    await screenApplication(app, b.application.id);
    expect((await getApplication(db, b.application.id)).score).toBe(
      (await getApplication(db, a.application.id)).score,
    );
  });
});

describe('decisions are people’s, with a reason', () => {
  it('follows the stage machine', () => {
    expect(nextStage('applied', 'advance')).toBe('screen');
    expect(nextStage('screen', 'advance')).toBe('interview');
    expect(nextStage('interview', 'advance')).toBe('offer');
    expect(nextStage('offer', 'advance')).toBeNull();
    expect(nextStage('applied', 'hire')).toBeNull();
    expect(nextStage('interview', 'hire')).toBe('hired');
    expect(nextStage('offer', 'hire')).toBe('hired');
    expect(nextStage('hired', 'reject')).toBeNull();
    expect(nextStage('rejected', 'reject')).toBeNull();
    expect(nextStage('screen', 'reject')).toBe('rejected');
  });

  it('moves a candidate, records the decision with its reason and audits it; refuses what the stage does not allow', async () => {
    const taken = await apply(await resumePdf());
    const id = taken.application.id;
    await expect(
      decisionMaker(app, 'user:rev@example.com', id, { decision: 'advance', reason: 'no' }),
    ).rejects.toThrow();
    const moved = await decisionMaker(app, 'user:rev@example.com', id, {
      decision: 'advance',
      reason: 'Strong TypeScript evidence',
    });
    expect(moved.stage).toBe('screen');
    const err = await decisionMaker(app, 'user:rev@example.com', id, {
      decision: 'hire',
      reason: 'too early',
    }).catch((e: unknown) => e);
    expect(isAppError(err) && err.id).toBe('invalid_state');
    const [d] = await db.query(
      `SELECT decision, reason, user_id FROM hiring_decisions WHERE application_id = $1`,
      [id],
    );
    expect(d).toEqual({
      decision: 'advance',
      reason: 'Strong TypeScript evidence',
      user_id: 'user:rev@example.com',
    });
    const [audit] = await db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM audit_events WHERE action = 'hiring.decision' AND subject = $1`,
      [`application:${id}`],
    );
    expect(audit?.payload).toMatchObject({ decision: 'advance', from: 'applied', to: 'screen' });
  });

  it('lets only one of two people deciding at once win', async () => {
    const taken = await apply(await resumePdf());
    const results = await Promise.allSettled([
      decisionMaker(app, 'user:a@example.com', taken.application.id, {
        decision: 'advance',
        reason: 'good fit',
        fromStage: 'applied',
      }),
      decisionMaker(app, 'user:b@example.com', taken.application.id, {
        decision: 'reject',
        reason: 'not a fit',
        fromStage: 'applied',
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rows = await db.query(`SELECT * FROM hiring_decisions WHERE application_id = $1`, [
      taken.application.id,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('refuses an agent as the decider [hiring:decisions-human-only]', async () => {
    const taken = await apply(await resumePdf());
    const err = await decisionMaker(app, 'agent:careers', taken.application.id, {
      decision: 'reject',
      reason: 'below the threshold',
    }).catch((e: unknown) => e);
    expect(isAppError(err) && err.id).toBe('forbidden');
  });

  it('never lets a hiring agent’s brain advance, reject or hire [hiring:decisions-human-only] [policy:human-only-actions-denied]', async () => {
    const taken = await apply(await resumePdf());
    const agent = await agentUpdater(app, 'test', agentId, {
      brain: 'scripted',
      config: {
        script: ['candidate.advance', 'candidate.reject', 'candidate.hire'].map((name) => ({
          type: 'tool',
          name,
          args: { applicationId: taken.application.id, reason: 'score below 60' },
        })),
      },
    });
    const run = await app.runtime.startRun(agent.id, { type: 'test' });
    // The hiring registry has no such tools, and the names are human-only besides (the family suite,
    // test/contracts/kinds.test.ts, registers them to prove the runtime denies them even then).
    const steps = await listSteps(db, run.id);
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps)
      expect(['forbidden_action', 'unknown_tool']).toContain(
        (s.result as { error?: { id?: string } }).error?.id,
      );
    const executed = await db.query(`SELECT 1 FROM tool_calls WHERE run_id = $1 AND status = 'executed'`, [
      run.id,
    ]);
    expect(executed).toEqual([]);
    expect((await getApplication(db, taken.application.id)).stage).toBe('applied');
    expect(
      app
        .toolsFor(agent)
        .list()
        .map((t) => t.name),
    ).not.toEqual(expect.arrayContaining([expect.stringMatching(/advance|reject|hire/)]));
    await agentUpdater(app, 'test', agentId, { brain: 'local', config: {} });
  });
});

describe('erasure and retention', () => {
  it('erases file, text, scores, self-id and reasons; keeps a tombstone and an audit event without personal data [hiring:erasure-tombstone]', async () => {
    const taken = await apply(await resumePdf(), { name: 'Erin Erased', email: 'erin@example.com' });
    await screenApplication(app, taken.application.id);
    await selfIdSaver(app, agentId, { token: taken.selfIdToken, answers: { gender: 'woman' } });
    await decisionMaker(app, 'user:rev@example.com', taken.application.id, {
      decision: 'reject',
      reason: 'Erin lacks PostgreSQL',
    });
    expect(await applicationEraser(app, 'user:admin@example.com', taken.application.id, 'request')).toBe(
      true,
    );
    expect(await applicationEraser(app, 'user:admin@example.com', taken.application.id, 'request')).toBe(
      false,
    );
    const [row] = await db.query<Record<string, unknown>>(`SELECT * FROM hiring_applications WHERE id = $1`, [
      taken.application.id,
    ]);
    expect(row).toMatchObject({
      name: '[erased]',
      phone: null,
      text: null,
      redacted_text: null,
      result: null,
    });
    expect(row!.score).toBeNull();
    expect(row!.erased_at).not.toBeNull();
    const dump = JSON.stringify(
      await db.query(
        `SELECT (SELECT json_agg(f) FROM hiring_files f WHERE f.id = $2) AS files,
           (SELECT json_agg(s) FROM hiring_self_id s WHERE application_id = $1) AS self,
           (SELECT json_agg(d) FROM hiring_decisions d WHERE application_id = $1) AS d,
           (SELECT json_agg(e) FROM audit_events e) AS audit`,
        [taken.application.id, taken.application.fileId],
      ),
    );
    expect(dump).not.toMatch(/Erin|erin@example\.com/);
    expect(dump).toContain('hiring.application_erased');
    await expect(getApplication(db, taken.application.id)).rejects.toThrow();
  });

  it('erases closed applications past the agent’s retention period, and nothing else', async () => {
    const made = await hiringAgentWithJob(app);
    await agentUpdater(app, 'test', made.agent.id, { config: { retentionDays: 30 } });
    const mk = (mail: string) =>
      applicationTaker(app, 'test', made.job, {
        name: 'R',
        email: mail,
        consent: true,
        source: 'career_page',
        file: { name: 'cv.pdf', bytes: Buffer.from('not a resume') },
      });
    const rejected = await mk('old-rejected@example.com');
    const open = await mk('old-open@example.com');
    await decisionMaker(app, 'user:rev@example.com', rejected.application.id, {
      decision: 'reject',
      reason: 'no fit',
    });
    clock.advance(31 * 86_400_000);
    const fresh = await mk('fresh-rejected@example.com');
    await decisionMaker(app, 'user:rev@example.com', fresh.application.id, {
      decision: 'reject',
      reason: 'no fit',
    });
    const { erased } = await retentionSweeper(app);
    expect(erased).toBeGreaterThanOrEqual(1);
    await expect(getApplication(db, rejected.application.id)).rejects.toThrow();
    expect((await getApplication(db, open.application.id)).stage).toBe('applied');
    expect((await getApplication(db, fresh.application.id)).stage).toBe('rejected');
  });
});

describe('fairness report', () => {
  it('gives selection rates per group per stage, the four-fifths ratio, and flags small groups', async () => {
    const made = await hiringAgentWithJob(app);
    const pdf = await resumePdf();
    const people: [string, boolean][] = [
      ...Array.from({ length: 6 }, (_, i) => ['man', i < 4] as [string, boolean]),
      ...Array.from({ length: 5 }, (_, i) => ['woman', i < 2] as [string, boolean]),
      ['non-binary', true],
    ];
    for (const [i, [gender, advance]] of people.entries()) {
      const t = await applicationTaker(app, 'test', made.job, {
        name: `P${i}`,
        email: `fair-${i}@example.com`,
        consent: true,
        source: 'career_page',
        file: { name: 'cv.pdf', bytes: pdf },
      });
      await selfIdSaver(app, made.agent.id, { token: t.selfIdToken, answers: { gender } });
      await decisionMaker(app, 'user:rev@example.com', t.application.id, {
        decision: advance ? 'advance' : 'reject',
        reason: 'phone screen decision',
      });
    }
    const report = await fairnessReport(db, made.job.id);
    const screen = report.stages.find((s) => s.stage === 'screen')!;
    const byGroup = Object.fromEntries(screen.groups.map((g) => [g.group, g]));
    expect(byGroup.man).toMatchObject({ applicants: 6, selected: 4, small: false });
    expect(byGroup.woman).toMatchObject({
      applicants: 5,
      selected: 2,
      rate: 0.4,
      small: false,
      adverse: true,
    });
    expect(byGroup['non-binary']).toMatchObject({
      applicants: 1,
      selected: 1,
      rate: 1,
      ratio: 1,
      small: true,
    });
    expect(byGroup.woman!.ratio).toBe(0.4);
    // Nobody was decided at the later stages yet.
    expect(report.stages.find((s) => s.stage === 'interview')!.groups).toEqual([]);
    const csv = fairnessCsv(report);
    expect(csv.split('\r\n')[0]).toBe('stage,dimension,group,applicants,selected,rate,ratio,small,adverse');
    expect(csv).toContain('screen,gender,woman,5,2,0.4,0.4,false,true');
  });
});
