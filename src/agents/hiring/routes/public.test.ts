// The career site end to end over HTTP: a candidate reads the open jobs and applies with a real PDF (multipart),
// gets a reference and a confirmation email (a real SMTP sink), is screened in the background and ranked on the
// dashboard, where a person advances them with a reason. Bad files keep the application and say why; the
// voluntary self-identification and the review request; CORS and the per-address limit; erasure by an admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../../test/support/api.ts';
import { type SmtpSink, startSmtpSink } from '../../../../test/support/email.ts';
import { agentUpdater } from '../../../runtime/agents.ts';
import { jobUpdater } from '../jobs.ts';
import type { HiringInstance } from '../kind.ts';
import {
  hiringAgentWithJob,
  makeDocx,
  multipart,
  resumePdf,
  STRONG_RESUME,
  WEAK_RESUME,
} from '../test-support.ts';

let api: Api;
let sink: SmtpSink;
let careers: Awaited<ReturnType<typeof hiringAgentWithJob>>;
const saved = { url: process.env.TWELVE_SMTP_URL, from: process.env.TWELVE_MAIL_FROM };

beforeAll(async () => {
  sink = await startSmtpSink();
  process.env.TWELVE_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
  process.env.TWELVE_MAIL_FROM = 'Acme Careers <careers@example.com>';
  api = await buildApi();
  careers = await hiringAgentWithJob(api.app);
  // Many applications from one test address: this agent allows more than the default 10 a minute.
  await agentUpdater(api.app, 'test', careers.agent.id, { config: { publicWritesPerMinute: 1000 } });
});
afterAll(async () => {
  process.env.TWELVE_SMTP_URL = saved.url;
  process.env.TWELVE_MAIL_FROM = saved.from;
  if (saved.url === undefined) delete process.env.TWELVE_SMTP_URL;
  if (saved.from === undefined) delete process.env.TWELVE_MAIL_FROM;
  await (api?.app.kinds.get('hiring') as HiringInstance | undefined)?.settle();
  await api?.close();
  await sink?.close();
});

const base = () => `/api/public/careers/${careers.agent.name}`;
const settle = () => (api.app.kinds.get('hiring') as HiringInstance).settle();
let n = 0;
async function applyWith(
  file: { name: string; bytes: Buffer } | null,
  fields: Record<string, string> = {},
  path = `${base()}/jobs/${careers.job.id}/applications`,
) {
  const form = multipart(
    {
      name: 'Jane Doe',
      email: `jane${++n}@example.com`,
      phone: '+44 7700 900123',
      consent: 'yes',
      ...fields,
    },
    file ? [{ field: 'resume', ...file }] : [],
  );
  return api.anon.post(path, form.body, { 'content-type': form.contentType });
}

describe('career site', () => {
  it('lists open jobs only, with CORS for embedding sites', async () => {
    const draft = await hiringAgentWithJob(api.app);
    await jobUpdater(api.app, 'test', draft.job.id, { status: 'draft' });
    const res = await api.anon.get(base());
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.json()).toMatchObject({
      company: 'Acme Robotics',
      jobs: [{ id: careers.job.id, title: 'Backend Engineer' }],
    });
    expect((await api.anon.get(`/api/public/careers/${draft.agent.name}`)).json().jobs).toEqual([]);
    expect(
      (await api.anon.get(`/api/public/careers/${draft.agent.name}/jobs/${draft.job.id}`)).statusCode,
    ).toBe(404);
    const job = (await api.anon.get(`${base()}/jobs/${careers.job.id}`)).json();
    expect(job.notice).toMatch(/AI system helps screen/);
    expect(job.notice).toMatch(/review/);
    const preflight = await api.anon.request('OPTIONS' as never, `${base()}/self-id`);
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
  });

  it('takes an application, confirms it by email, screens it, and a person advances the ranked candidate', async () => {
    const res = await applyWith(
      { name: 'jane.pdf', bytes: await resumePdf() },
      { email: 'jane.doe@example.com' },
    );
    expect(res.statusCode, res.body).toBe(201);
    const { applicationId, reference, selfIdToken } = res.json();
    expect(reference).toMatch(/^[A-Z2-9]{8}$/);
    expect(selfIdToken.length).toBeGreaterThan(20);
    await settle();
    const [mail] = await sink.waitFor(1);
    expect(mail!.envelope.to).toEqual(['jane.doe@example.com']);
    expect(mail!.mail.subject).toContain(reference);
    expect(mail!.mail.text).toContain(reference);
    expect(mail!.mail.text).toMatch(/review/);

    const weak = await applyWith({ name: 'sam.docx', bytes: makeDocx(WEAK_RESUME) });
    expect(weak.statusCode).toBe(201);
    await settle();
    const ranked = (await api.as('viewer').get(`/api/jobs/${careers.job.id}/candidates`)).json().candidates;
    expect(ranked[0]).toMatchObject({ id: applicationId, status: 'scored', stage: 'applied' });
    expect(ranked[0].score).toBeGreaterThan(ranked[1].score);

    const view = (await api.as('viewer').get(`/api/applications/${applicationId}`)).json();
    expect(view).toMatchObject({
      jobId: careers.job.id,
      screen: null,
      file: { name: 'jane.pdf', mime: 'application/pdf' },
    });
    expect(view.redactedText).not.toContain('jane.doe@example.com');
    const met = view.result.criteria.filter((c: { verdict: string }) => c.verdict === 'met');
    expect(met.length).toBeGreaterThan(0);
    const file = await api.as('viewer').get(`/api/applications/${applicationId}/file`);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="jane.pdf"/);
    expect(file.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    expect((await api.as('viewer').post(`/api/applications/${applicationId}/decisions`, {})).statusCode).toBe(
      403,
    );
    const short = await api.as('reviewer').post(`/api/applications/${applicationId}/decisions`, {
      decision: 'advance',
      reason: 'ok',
    });
    expect(short.statusCode).toBe(400);
    const moved = await api.as('reviewer').post(`/api/applications/${applicationId}/decisions`, {
      decision: 'advance',
      reason: 'Strong TypeScript and PostgreSQL',
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ stage: 'screen' });
    const hire = await api.as('reviewer').post(`/api/applications/${applicationId}/decisions`, {
      decision: 'hire',
      reason: 'skip the interview',
    });
    expect(hire.json().error.id).toBe('invalid_state');
  });

  it('keeps an unreadable file’s application, tells the candidate why, and gives the reference all the same [hiring:application-kept]', async () => {
    const res = await applyWith({ name: 'cv.pdf', bytes: Buffer.from('%PDF-1.4 broken beyond repair') });
    expect(res.statusCode).toBe(422);
    const { error } = res.json();
    expect(error.id).toBe('file_unreadable');
    expect(error.message).toMatch(/kept/);
    expect(error.details.reference).toMatch(/^[A-Z2-9]{8}$/);
    await settle();
    const view = (await api.as('viewer').get(`/api/applications/${error.details.applicationId}`)).json();
    expect(view).toMatchObject({ status: 'needs_person', score: null });
    expect(view.statusReason).toMatch(/could not be read/);
  });

  it('refuses bad applications with stable ids', async () => {
    const pdf = await resumePdf();
    const exe = await applyWith({ name: 'cv.pdf', bytes: Buffer.from('MZ not a pdf at all') });
    expect([exe.statusCode, exe.json().error.id]).toEqual([415, 'file_type_unsupported']);
    const noConsent = await applyWith({ name: 'cv.pdf', bytes: pdf }, { consent: 'no' });
    expect([noConsent.statusCode, noConsent.json().error.id]).toEqual([400, 'consent_required']);
    const badEmail = await applyWith({ name: 'cv.pdf', bytes: pdf }, { email: 'not-an-email' });
    expect([badEmail.statusCode, badEmail.json().error.id]).toEqual([400, 'validation_failed']);
    expect(badEmail.json().error.details[0].path).toBe('email');
    const noFile = await applyWith(null);
    expect([noFile.statusCode, noFile.json().error.id]).toEqual([400, 'validation_failed']);
    const notMultipart = await api.anon.post(`${base()}/jobs/${careers.job.id}/applications`, { name: 'x' });
    expect(notMultipart.statusCode).toBe(415);
    const closed = await hiringAgentWithJob(api.app);
    await jobUpdater(api.app, 'test', closed.job.id, { status: 'closed' });
    const late = await applyWith(
      { name: 'cv.pdf', bytes: pdf },
      {},
      `/api/public/careers/${closed.agent.name}/jobs/${closed.job.id}/applications`,
    );
    expect([late.statusCode, late.json().error.id]).toEqual([409, 'job_not_open']);
  });

  it('stores voluntary self-identification apart, and takes a candidate’s request for a human review', async () => {
    const res = await applyWith(
      { name: 'cv.pdf', bytes: await resumePdf(STRONG_RESUME) },
      { email: 'rev@example.com' },
    );
    const { applicationId, reference, selfIdToken } = res.json();
    const selfId = await api.anon.post(`${base()}/self-id`, {
      token: selfIdToken,
      answers: { gender: 'woman' },
    });
    expect(selfId.statusCode).toBe(204);
    expect(
      (await api.anon.post(`${base()}/self-id`, { token: 'x'.repeat(32), answers: {} })).statusCode,
    ).toBe(404);
    const bad = await api.anon.post(`${base()}/self-id`, { token: selfIdToken, answers: { religion: 'x' } });
    expect(bad.statusCode).toBe(400);
    const [row] = await api.db.query(`SELECT answers FROM hiring_self_id WHERE application_id = $1`, [
      applicationId,
    ]);
    expect(row).toEqual({ answers: { gender: 'woman' } });

    const wrong = await api.anon.post(`${base()}/review-request`, {
      reference,
      email: 'someone@example.com',
    });
    expect(wrong.statusCode).toBe(404);
    const asked = await api.anon.post(`${base()}/review-request`, {
      reference: reference.toLowerCase(),
      email: 'REV@example.com',
      note: 'Please have a person look at my resume',
    });
    expect(asked.statusCode).toBe(204);
    await settle();
    const view = (await api.as('viewer').get(`/api/applications/${applicationId}`)).json();
    expect(view).toMatchObject({
      reviewRequested: true,
      reviewNote: 'Please have a person look at my resume',
    });
  });

  it('limits requests per address', async () => {
    const other = await hiringAgentWithJob(api.app);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push(
        (
          await api.anon.post(`/api/public/careers/${other.agent.name}/review-request`, {
            reference: 'ABCDEFGH',
            email: 'x@example.com',
          })
        ).statusCode,
      );
    expect(codes.slice(0, 10).every((c) => c === 404)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });

  it('lets an admin erase a candidate (not a reviewer); the application is gone from every view', async () => {
    const res = await applyWith({ name: 'cv.pdf', bytes: await resumePdf() });
    const { applicationId } = res.json();
    await settle();
    expect((await api.as('reviewer').post(`/api/applications/${applicationId}/erase`)).statusCode).toBe(403);
    const erased = await api.as('admin').post(`/api/applications/${applicationId}/erase`);
    expect(erased.statusCode, erased.body).toBe(204);
    expect((await api.as('viewer').get(`/api/applications/${applicationId}`)).statusCode).toBe(404);
    expect((await api.as('viewer').get(`/api/applications/${applicationId}/file`)).statusCode).toBe(404);
    const list = (await api.as('viewer').get(`/api/jobs/${careers.job.id}/candidates`)).json().candidates;
    expect(list.map((c: { id: string }) => c.id)).not.toContain(applicationId);
  });

  it('validates a rubric edit naming the path, and proposes without saving', async () => {
    const bad = await api.as('reviewer').patch(`/api/jobs/${careers.job.id}`, {
      rubric: {
        criteria: [
          { id: 'ts', label: 'TypeScript', kind: 'skill', required: true, weight: 3, terms: ['typescript'] },
          { id: 'ts', label: 'Again', kind: 'skill', required: false, weight: 9, terms: [] },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.rubric.criteria.1.weight']));
    const dup = await api.as('reviewer').patch(`/api/jobs/${careers.job.id}`, {
      rubric: {
        criteria: [
          { id: 'ts', label: 'TypeScript', kind: 'skill', required: true, weight: 3, terms: ['typescript'] },
          { id: 'ts', label: 'Again', kind: 'skill', required: false, weight: 2, terms: [] },
        ],
      },
    });
    expect(dup.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'body.rubric.criteria.1.id',
    ]);
    const empty = await api.as('reviewer').patch(`/api/jobs/${careers.job.id}`, { rubric: { criteria: [] } });
    expect(empty.statusCode).toBe(400);
    const ok = await api.as('reviewer').patch(`/api/jobs/${careers.job.id}`, {
      threshold: 70,
      rubric: {
        criteria: [
          { id: 'ts', label: 'TypeScript', kind: 'skill', required: true, weight: 3, terms: ['TypeScript'] },
        ],
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      threshold: 70,
      rubric: { threshold: 70, criteria: [{ terms: ['typescript'] }] },
    });
    const proposed = (await api.as('reviewer').post(`/api/jobs/${careers.job.id}/rubric/propose`)).json();
    expect(proposed.rubric.criteria.length).toBeGreaterThan(0);
    expect((await api.as('viewer').get(`/api/jobs/${careers.job.id}`)).json().rubric.criteria).toHaveLength(
      1,
    );
  });
});
