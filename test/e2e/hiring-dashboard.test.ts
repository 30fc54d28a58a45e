// The recruiter's side of the hiring agent in a real Chromium: a new job from the Jobs page gets a proposed rubric;
// the rubric editor changes a weight, a must-have and adds a criterion, and what is saved is what the server keeps;
// two candidates compare side by side; the fairness report shows selection by group with small groups flagged and a
// CSV; the overview card counts the agent's work. Screenshots: test-artifacts/screenshots/hiring-{jobs,rubric,...}.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { decisionMaker } from '../../src/agents/hiring/applications.ts';
import { HIRING_KIND } from '../../src/agents/hiring/kind.ts';
import { STRONG_RESUME, WEAK_RESUME } from '../../src/agents/hiring/test-support.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import { makePdf } from '../support/pdf.ts';
import {
  a11yProblems,
  CHROMIUM,
  ensureDashboardBuilt,
  launchBrowser,
  recordBrowserProblems,
  screenshot,
  startServer,
  type TestBrowser,
  type TestServer,
} from './harness.ts';

const haveChromium = existsSync(CHROMIUM);
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple 42', name: 'Ada Admin' };
const ACTOR = `user:${ADMIN.email}`;
let srv: TestServer;
let browser: TestBrowser;
let page: Page;
let jobId = '';
const apps: { id: string; gender: string }[] = [];
const problems: string[] = [];

async function apply(name: string, lines: string[], gender: string): Promise<void> {
  const form = new FormData();
  form.set('name', name);
  form.set('email', `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`);
  form.set('consent', 'yes');
  form.set('resume', new Blob([new Uint8Array(await makePdf(lines))], { type: 'application/pdf' }), 'cv.pdf');
  const res = await fetch(`${srv.url}/api/public/careers/acme/jobs/${jobId}/applications`, {
    method: 'POST',
    body: form,
  });
  const body = (await res.json()) as { applicationId: string; selfIdToken: string };
  expect(res.status).toBe(201);
  const self = await fetch(`${srv.url}/api/public/careers/acme/self-id`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: body.selfIdToken, answers: { gender } }),
  });
  expect(self.status).toBe(204);
  apps.push({ id: body.applicationId, gender });
}

describe.skipIf(!haveChromium)("hiring: the recruiter's dashboard", () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    await agentCreator(srv.app, ACTOR, { kind: HIRING_KIND, name: 'acme', displayName: 'Acme Robotics' });
    browser = await launchBrowser();
    recordBrowserProblems(browser.context, problems);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${srv.url}/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signed in once the app shows the session (the login page has an h1 of its own).
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('creates a job from the Jobs page; its rubric is proposed from the description', async () => {
    await page.goto(`${srv.url}/agents/acme/jobs`);
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    await page.getByText('No jobs yet').waitFor();
    // The embed snippet points at this server's career page, framed with ?embed=1.
    expect(await page.getByLabel('Embed it in your site').inputValue()).toContain(
      `${srv.url}/careers/acme?embed=1`,
    );
    await page.getByRole('button', { name: 'New job' }).click();
    const form = page.getByRole('form', { name: 'New job' });
    await form.getByLabel('Title').fill('Backend Engineer');
    await form.getByLabel('Location').fill('Berlin');
    await form
      .getByLabel('Description')
      .fill('Must have: 5+ years of experience, TypeScript, PostgreSQL. Nice to have: Docker and AWS.');
    await form.getByLabel('Status').selectOption('open');
    await form.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { level: 1, name: 'Backend Engineer' }).waitFor();
    jobId = new URL(page.url()).searchParams.get('id') ?? '';
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const criteria = page.locator('.hr-criterion');
    await criteria.first().waitFor();
    expect(await criteria.count()).toBeGreaterThan(0);
    expect(await a11yProblems(page)).toEqual([]);
  }, 60_000);

  it('edits the rubric: weight, must-have, a new criterion; saved as shown; propose replaces the draft', async () => {
    const first = page.locator('.hr-criterion').first();
    const firstId = (await first.getAttribute('data-criterion')) ?? '';
    await first.getByLabel('Criterion 1: weight').selectOption('5');
    const mustHave = first.getByLabel('Criterion 1: must-have');
    const wasRequired = await mustHave.isChecked();
    await mustHave.setChecked(!wasRequired);
    const before = await page.locator('.hr-criterion').count();
    await page.getByRole('button', { name: 'Add criterion' }).click();
    const added = page.locator('.hr-criterion').nth(before);
    const n = `Criterion ${before + 1}`;
    await added.getByLabel(`${n}: label`).fill('Kafka');
    await added.getByLabel(`${n}: evidence terms`).fill('kafka, event streaming');
    await added.getByLabel(`${n}: must-have`).check();
    await page.getByLabel('Qualification threshold (0–100)').fill('55');
    await screenshot(page, 'hiring-rubric');
    expect(await a11yProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save job and rubric' }).click();
    await expect
      .poll(async () => {
        const [row] = await srv.db.query<{
          rubric: {
            criteria: { id: string; weight: number; required: boolean; label: string; terms: string[] }[];
          };
          threshold: number;
        }>('SELECT rubric, threshold FROM hiring_jobs WHERE id = $1', [jobId]);
        return row;
      })
      .toMatchObject({ threshold: 55 });
    const [row] = await srv.db.query<{
      rubric: {
        criteria: { id: string; weight: number; required: boolean; label: string; terms: string[] }[];
      };
    }>('SELECT rubric FROM hiring_jobs WHERE id = $1', [jobId]);
    const saved = row!.rubric.criteria;
    expect(saved).toHaveLength(before + 1);
    expect(saved.find((c) => c.id === firstId)).toMatchObject({ weight: 5, required: !wasRequired });
    expect(saved.at(-1)).toMatchObject({
      label: 'Kafka',
      required: true,
      terms: ['kafka', 'event streaming'],
    });

    // A proposal replaces the draft only: nothing is saved until Save.
    await page.getByRole('button', { name: 'Propose from description' }).click();
    await expect.poll(() => page.locator('.hr-criterion').count()).toBe(before);
    const [still] = await srv.db.query<{ n: number }>(
      `SELECT jsonb_array_length(rubric->'criteria')::int AS n FROM hiring_jobs WHERE id = $1`,
      [jobId],
    );
    expect(still!.n).toBe(before + 1);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => page.locator('.hr-criterion').count()).toBe(before + 1);
  }, 60_000);

  it('compares two candidates side by side', async () => {
    await apply('Jane Doe', STRONG_RESUME, 'woman');
    await apply('Sam Smith', WEAK_RESUME, 'man');
    await expect
      .poll(
        async () =>
          (
            await srv.db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM hiring_applications WHERE job_id = $1 AND status = 'scored'`,
              [jobId],
            )
          )[0]?.n,
        { timeout: 30_000, interval: 200 },
      )
      .toBe(2);
    await page.goto(`${srv.url}/agents/acme/candidates?job=${jobId}`);
    await page.getByRole('checkbox', { name: 'Compare Jane Doe' }).check();
    await page.getByRole('checkbox', { name: 'Compare Sam Smith' }).check();
    await page.getByRole('button', { name: 'Compare the two ticked' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jane Doe and Sam Smith' }).waitFor();
    const table = page.locator('table.hr-compare');
    expect(await table.locator('thead th').allTextContents()).toEqual(['Criterion', 'Jane Doe', 'Sam Smith']);
    // One row per criterion (plus score, stage, years), each with a verdict for both.
    const kafka = table.locator('tbody tr', { hasText: 'Kafka' });
    expect(await kafka.locator('.badge').allTextContents()).toEqual(['missing', 'missing']);
    await screenshot(page, 'hiring-compare');
    expect(await a11yProblems(page)).toEqual([]);
  }, 90_000);

  it('reports selection by group with the four-fifths ratio, small groups flagged, and a CSV', async () => {
    const [jane, sam] = apps;
    await decisionMaker(srv.app, ACTOR, jane!.id, { decision: 'advance', reason: 'strong evidence' });
    await decisionMaker(srv.app, ACTOR, sam!.id, { decision: 'reject', reason: 'no backend experience' });
    await page.goto(`${srv.url}/agents/acme/fairness?job=${jobId}`);
    const screen = page.getByRole('region', { name: 'Selected for screen' });
    await screen.waitFor();
    const woman = screen.locator('tr[data-group="gender/woman"]');
    const man = screen.locator('tr[data-group="gender/man"]');
    expect(await woman.locator('td').allTextContents()).toEqual([
      'gender',
      'woman',
      '1',
      '1',
      '100%',
      '1.00 small group',
    ]);
    expect((await man.locator('td').allTextContents()).slice(0, 5)).toEqual([
      'gender',
      'man',
      '1',
      '0',
      '0%',
    ]);
    expect(await man.textContent()).toContain('small group');
    // The chart says in words what it draws.
    expect(await screen.getByRole('img').getAttribute('aria-label')).toContain(
      'gender woman 1.00 (small group)',
    );
    const csv = await page.evaluate(
      async (url) => (await fetch(url, { credentials: 'same-origin' })).text(),
      `/api/jobs/${jobId}/fairness.csv`,
    );
    expect(csv.split('\n')[0]).toMatch(/stage/i);
    await screenshot(page, 'hiring-fairness');
    expect(await a11yProblems(page)).toEqual([]);
  }, 60_000);

  it("counts the agent's work on its overview card", async () => {
    await page.goto(`${srv.url}/`);
    const card = page.getByRole('list', { name: 'Acme Robotics: hiring' });
    await card.first().waitFor();
    const text = (await card.first().textContent()) ?? '';
    expect(text).toContain('1 open jobs');
    expect(text).toContain('2 applications');
    // Jane was advanced to screen, Sam rejected: Jane's next step is a person's decision.
    expect(text).toContain('1 awaiting decision');
    // It screens through its queue, never in a run started by hand: its card offers no "Run now".
    const article = page.locator('article').filter({ has: card.first() });
    await article.getByRole('link', { name: 'Jobs' }).waitFor();
    expect(await article.getByRole('button', { name: 'Run now' }).count()).toBe(0);
    expect(problems.filter((l) => /page error|Content Security Policy/i.test(l))).toEqual([]);
  }, 60_000);
});
