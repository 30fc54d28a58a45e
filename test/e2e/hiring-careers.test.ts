// The hiring agent end to end in a real Chromium: a candidate finds the job on the career page, uses the form by
// keyboard, is told (in an alert) about a bad file, applies with a PDF (upload progress, a reference code, the
// optional self-identification kept apart); then a recruiter sees the candidate ranked first on the dashboard,
// opens them, marks a criterion's evidence in the redacted resume and advances them with a reason. The career page
// and the dashboard are also checked at 390 px. Screenshots: test-artifacts/screenshots/hiring-*.png.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { jobCreator } from '../../src/agents/hiring/jobs.ts';
import { HIRING_KIND } from '../../src/agents/hiring/kind.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
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
  tabTo,
} from './harness.ts';

const haveChromium = existsSync(CHROMIUM);
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple 42', name: 'Ada Admin' };
const ACTOR = `user:${ADMIN.email}`;
let srv: TestServer;
let browser: TestBrowser;
let page: Page;
let jobId: string;
const problems: string[] = [];

const STRONG = [
  'Senior Software Engineer',
  'Experience',
  'Northwind Systems, Senior Engineer, January 2016 - March 2024',
  'Built TypeScript services on Node.js and PostgreSQL for payments.',
  'Designed REST APIs and led a team of four engineers.',
  'Skills: TypeScript, Node.js, PostgreSQL, React, Docker, Kubernetes',
  'Education: BSc Computer Science',
  'Languages: English, German',
];
const WEAK = [
  'Barista',
  'Experience',
  'Corner Cafe, Barista, June 2021 - May 2023',
  'Served coffee and handled the till.',
  'Skills: latte art, customer service',
];

async function pdf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const p = doc.addPage([595, 842]);
  lines.forEach((line, i) => {
    p.drawText(line, { x: 50, y: 780 - i * 18, size: 11, font });
  });
  return Buffer.from(await doc.save());
}

/** Everything the page's polite announcer said since this was installed. */
async function recordAnnouncer(p: Page): Promise<void> {
  await p.evaluate(() => {
    const said: string[] = [];
    (window as unknown as { __said: string[] }).__said = said;
    const a = document.getElementById('announcer')!;
    new MutationObserver(() => {
      if (a.textContent) said.push(a.textContent);
    }).observe(a, { childList: true, characterData: true, subtree: true });
  });
}
const said = (p: Page) => p.evaluate(() => (window as unknown as { __said: string[] }).__said);

async function applyByApi(name: string, email: string, file: Buffer): Promise<void> {
  const form = new FormData();
  form.set('name', name);
  form.set('email', email);
  form.set('consent', 'yes');
  form.set('resume', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), 'resume.pdf');
  const res = await fetch(`${srv.url}/api/public/careers/acme/jobs/${jobId}/applications`, {
    method: 'POST',
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function waitScored(count: number): Promise<void> {
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
    .toBe(count);
}

async function signIn(p: Page): Promise<void> {
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Email').fill(ADMIN.email);
  await p.getByLabel('Password').fill(ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  // Signed in once the app shows the session (the login page has an h1 of its own).
  await p.getByRole('button', { name: 'Sign out' }).waitFor();
}

describe.skipIf(!haveChromium)('hiring: career page and dashboard', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    const agent = await agentCreator(srv.app, ACTOR, {
      kind: HIRING_KIND,
      name: 'acme',
      displayName: 'Acme Robotics',
    });
    const job = await jobCreator(srv.app, ACTOR, agent.id, {
      title: 'Senior TypeScript Engineer',
      location: 'Remote (EU)',
      employment: 'Full-time',
      status: 'open',
      description:
        'We build the software for our warehouse robots.\n\nRequirements: 5+ years of professional experience, ' +
        'TypeScript and Node.js, PostgreSQL. Nice to have: React, Kubernetes, German.',
    });
    jobId = job.id;
    browser = await launchBrowser();
    recordBrowserProblems(browser.context, problems);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('lists the open job and opens its page with the AI notice and a labelled form', async () => {
    await page.goto(`${srv.url}/careers/acme`);
    const h1 = page.getByRole('heading', { level: 1, name: 'Jobs at Acme Robotics' });
    await h1.waitFor();
    // The heading has room under the site's header (it sat against its border).
    const header = (await page.locator('header.site').boundingBox())!;
    expect((await h1.boundingBox())!.y - (header.y + header.height)).toBeGreaterThanOrEqual(16);
    await page.getByRole('link', { name: 'Senior TypeScript Engineer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Senior TypeScript Engineer' }).waitFor();
    await expect.poll(() => page.locator('#ai-notice').textContent()).toMatch(/AI/);
    await expect.poll(() => page.locator('#ai-notice').textContent()).toMatch(/review/i);
    expect(await a11yProblems(page)).toEqual([]);
    expect(await page.title()).toBe('Senior TypeScript Engineer at Acme Robotics');
  }, 60_000);

  it('runs framed in another site with ?embed=1: no header, and links keep the embedding', async () => {
    // Another site (its own origin) that frames the career page.
    const site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><title>Acme</title><h1>Acme Robotics</h1><iframe title="Careers" src="${srv.url}/careers/acme?embed=1" width="600" height="600"></iframe>`,
      );
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const port = (site.address() as AddressInfo).port;
    const host = await browser.context.newPage();
    await host.goto(`http://localhost:${port}/`);
    const frame = host.frameLocator('iframe[title="Careers"]');
    await frame.getByRole('heading', { level: 1, name: 'Jobs at Acme Robotics' }).waitFor();
    expect(await frame.locator('header').count()).toBe(0);
    await frame.getByRole('link', { name: 'Senior TypeScript Engineer' }).click();
    await frame.getByLabel('Full name').waitFor();
    const framed = host.frames().find((f) => f.url().includes('/careers/acme/jobs/'));
    expect(framed?.url()).toBe(`${srv.url}/careers/acme/jobs/${jobId}?embed=1`);
    await host.close();
    site.close();
  }, 60_000);

  it('works by keyboard alone, and announces what is missing', async () => {
    await page.goto(`${srv.url}/careers/acme/jobs/${jobId}`);
    await page.getByLabel('Full name').waitFor();
    await recordAnnouncer(page);
    // Every control is reachable by Tab, in reading order: from the name, Tab moves through them one by one.
    const order = [
      page.getByLabel('Email', { exact: true }),
      page.getByLabel('Phone (optional)'),
      page.getByLabel('Resume', { exact: true }),
      page.getByRole('checkbox'),
      page.getByRole('button', { name: 'Send application' }),
    ];
    await tabTo(page, page.getByLabel('Full name'));
    for (const control of order) {
      await page.keyboard.press('Tab');
      expect(await control.evaluate((el) => el === document.activeElement), String(control)).toBe(true);
    }
    // Typed from the keyboard: Tab into the name, type, Tab on, type; Enter submits without consent or a file.
    await tabTo(page, page.getByLabel('Full name'));
    await page.keyboard.type('Kim Keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim@example.com');
    await page.keyboard.press('Enter');
    const alert = page.locator('#form-errors');
    await alert.getByText('Please fix these 2 things:').waitFor();
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toContain('Please choose your resume');
    expect(await alert.textContent()).toContain('Please tick the box');
    // Focus went to the first problem, which says it is invalid and why.
    const resume = page.getByLabel('Resume', { exact: true });
    expect(await resume.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await resume.getAttribute('aria-invalid')).toBe('true');
    expect(await resume.getAttribute('aria-describedby')).toContain('resume-error');
    // Space ticks the consent box.
    await tabTo(page, page.getByRole('checkbox'));
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox').isChecked()).toBe(true);
  }, 60_000);

  it('says so, in an alert, when the file is not a PDF or Word file', async () => {
    await page.goto(`${srv.url}/careers/acme/jobs/${jobId}`);
    await page.getByLabel('Resume', { exact: true }).waitFor();
    await recordAnnouncer(page);
    await page.getByLabel('Resume', { exact: true }).setInputFiles({
      name: 'resume.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('I am a text file'),
    });
    await page.locator('#resume-error').getByText('must be a PDF or a Word').waitFor();
    await expect.poll(() => said(page)).toContain('The resume must be a PDF or a Word (.docx) file.');
    // A file that claims to be a PDF but is not: the server's answer is shown in the alert region.
    await page.getByLabel('Full name').fill('Pat Corrupt');
    await page.getByLabel('Email', { exact: true }).fill('pat@example.com');
    await page.getByLabel('Resume', { exact: true }).setInputFiles({
      name: 'resume.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.7 this is not really a pdf'),
    });
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Send application' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /resume|file|PDF/i });
    await alert.first().waitFor();
    expect(await alert.first().textContent()).toMatch(/could not read|PDF|file/i);
    await screenshot(page, 'hiring-bad-file', false);
  }, 60_000);

  it('applies with a PDF: upload progress, a reference, and the optional self-identification kept apart', async () => {
    await page.goto(`${srv.url}/careers/acme/jobs/${jobId}`);
    await page.getByLabel('Full name').waitFor();
    await recordAnnouncer(page);
    await page.getByLabel('Full name').fill('Alex Strong');
    await page.getByLabel('Email', { exact: true }).fill('alex@example.com');
    await page.getByLabel('Phone (optional)').fill('+44 7700 900001');
    await page.getByLabel('Resume', { exact: true }).setInputFiles({
      name: 'alex-strong.pdf',
      mimeType: 'application/pdf',
      buffer: await pdf(STRONG),
    });
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Send application' }).click();
    const heading = page.getByRole('heading', { name: 'Application sent' });
    await heading.waitFor();
    expect(await heading.evaluate((el) => el === document.activeElement)).toBe(true);
    const reference = (await page.locator('.reference').textContent()) ?? '';
    expect(reference).toMatch(/^[A-Z0-9-]{4,}$/);
    await expect.poll(() => said(page)).toContain(`Application sent. Your reference is ${reference}.`);
    // The upload reported its progress (XMLHttpRequest upload events) to the screen reader as well.
    expect((await said(page)).some((s) => /^Uploaded \d+%$/.test(s))).toBe(true);
    await screenshot(page, 'hiring-applied', false);

    const selfId = page.getByRole('region', { name: 'Voluntary self-identification (optional)' });
    expect(await selfId.textContent()).toMatch(/never used in scoring/);
    await selfId.getByLabel('Gender').selectOption('woman');
    await selfId.getByLabel('Age').selectOption('25_39');
    await selfId.getByRole('button', { name: 'Send answers' }).click();
    await selfId.getByText('Your answers were saved separately').waitFor();
    const rows = await srv.db.query<{ answers: Record<string, string> }>(
      `SELECT s.answers FROM hiring_self_id s JOIN hiring_applications a ON a.id = s.application_id
       WHERE a.email = 'alex@example.com'`,
    );
    expect(rows.map((r) => r.answers)).toEqual([{ gender: 'woman', age_band: '25_39' }]);
  }, 90_000);

  it('ranks the candidate first on the dashboard, highlights their evidence, and advances them with a reason', async () => {
    await applyByApi('Bo Weak', 'bo@example.com', await pdf(WEAK));
    await waitScored(2);
    await signIn(page);
    await page.goto(`${srv.url}/agents/acme/candidates?job=${jobId}`);
    const rows = page.locator('table.hr-candidates tbody tr');
    await rows
      .nth(1)
      .waitFor({ timeout: 10_000 })
      .catch(async (e) => {
        throw new Error(`${e}\n${await page.locator('main').textContent()}\n${problems.join('\n')}`);
      });
    // The stronger resume ranks first (the engine decides the numbers; the order is what is checked).
    const names = await rows.locator('td:nth-child(3)').allTextContents();
    expect(names.slice(0, 2)).toEqual(['Alex Strong', 'Bo Weak']);
    const scores = (await rows.locator('.hr-score-n').allTextContents()).map(Number);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    await screenshot(page, 'hiring-candidates');
    expect(await a11yProblems(page)).toEqual([]);

    await page.getByRole('link', { name: 'Alex Strong' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alex Strong' }).waitFor();
    // The resume is the redacted text: the name is not in it.
    const resume = page.locator('.hr-resume');
    await resume.waitFor();
    expect(await resume.textContent()).not.toContain('Alex Strong');
    // Choose a criterion with quotes: its marks become active, and each mark is really its quote.
    const withEvidence = page.locator('.hr-verdicts li[data-verdict="met"] button').first();
    await withEvidence.click();
    expect(await withEvidence.getAttribute('aria-pressed')).toBe('true');
    const active = resume.locator('mark.is-active');
    await active.first().waitFor();
    expect(await active.count()).toBeGreaterThan(0);
    await expect
      .poll(() =>
        active.first().evaluate((el) => {
          const r = el.getBoundingClientRect();
          const box = el.closest('.hr-resume')!.getBoundingClientRect();
          return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
        }),
      )
      .toBe(true);
    await screenshot(page, 'hiring-candidate', false);
    expect(await a11yProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Advance to screen' }).click();
    const dialog = page.getByRole('dialog', { name: /Advance to screen/ });
    await dialog.waitFor();
    await dialog.getByLabel(/^Reason/).fill('Strong TypeScript and PostgreSQL evidence');
    await dialog.getByRole('button', { name: 'Advance to screen' }).click();
    await page.locator('.hr-decisions li').getByText('Strong TypeScript and PostgreSQL evidence').waitFor();
    await page.locator('.hr-line .badge', { hasText: 'screen' }).waitFor();
    const decisions = await srv.db.query<{
      decision: string;
      from_stage: string;
      to_stage: string;
      reason: string;
    }>(
      `SELECT d.decision, d.from_stage, d.to_stage, d.reason FROM hiring_decisions d
       JOIN hiring_applications a ON a.id = d.application_id WHERE a.email = 'alex@example.com'`,
    );
    expect(decisions).toEqual([
      {
        decision: 'advance',
        from_stage: 'applied',
        to_stage: 'screen',
        reason: 'Strong TypeScript and PostgreSQL evidence',
      },
    ]);
    expect(problems.filter((l) => /page error|Content Security Policy/i.test(l))).toEqual([]);
  }, 120_000);

  it('fits a 390 px phone: the career form and the candidate page scroll only vertically', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${srv.url}/careers/acme/jobs/${jobId}`);
    await phone.getByLabel('Full name').waitFor();
    const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const submit = await phone.getByRole('button', { name: 'Send application' }).boundingBox();
    expect(submit!.width).toBeGreaterThan(300);
    await screenshot(phone, 'hiring-careers-390');
    await phone.goto(`${srv.url}/agents/acme/candidates?job=${jobId}`);
    await phone.getByRole('link', { name: 'Alex Strong' }).click();
    await phone.locator('.hr-resume').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(phone, 'hiring-candidate-390');
    await phone.close();
  }, 60_000);
});
