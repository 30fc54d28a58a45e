// The phone-screen invitation page in a real Chromium, at 1366 and 390 px: the candidate opens the private link
// (its token in the fragment), reads that an AI runs a transcribed screen and that a person decides, picks a time
// from the free slots of the next few days (radio buttons grouped by day, by keyboard; a missing choice is announced
// in an alert), books it on the shared bookings (a time taken meanwhile is refused and marked, never double booked),
// or asks for a person instead. Screenshots: test-artifacts/screenshots/hiring-screen-*.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { applicationTaker } from '../../src/agents/hiring/applications.ts';
import { type Job, jobCreator } from '../../src/agents/hiring/jobs.ts';
import { HIRING_KIND } from '../../src/agents/hiring/kind.ts';
import { screenWebhookMessage } from '../../src/agents/hiring/routes/screens.ts';
import { latestScreen, screenInviter, screenSetupSaver } from '../../src/agents/hiring/screen/screens.ts';
import { screenApplication } from '../../src/agents/hiring/screening.ts';
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
  tabTo,
} from './harness.ts';

const haveChromium = existsSync(CHROMIUM);
let srv: TestServer;
let browser: TestBrowser;
let page: Page;
let job: Job;
const problems: string[] = [];
const RESUME = [
  'Experience',
  'Northwind Systems, Senior Engineer, January 2016 - March 2024',
  'Built TypeScript services on PostgreSQL.',
];

let n = 0;
async function invitedCandidate(): Promise<string> {
  n++;
  const taken = await applicationTaker(srv.app, 'test', job, {
    name: `Robin Example${n}`,
    email: `robin${n}@example.com`,
    phone: '+44 7700 900123',
    consent: true,
    source: 'recruiter',
    file: { name: 'resume.pdf', bytes: await makePdf(RESUME) },
  });
  await screenApplication(srv.app, taken.application.id);
  const inv = await screenInviter(srv.app, 'test', taken.application.id, { base: srv.url, mailer: null });
  return inv.link;
}

/**
 * Opens a link in a new document. A link to the same page that differs only in its fragment is a same-document
 * navigation: without the blank page between, the last test's form would still be there while the new one loads.
 */
async function open(link: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(link);
}

/** A call of the invitation page's public API, as the page makes it (the invitation with its free times; a booking). */
const screenApi = (path: '' | '/book', body: Record<string, unknown>) =>
  fetch(`${srv.url}/api/public/careers/acme/screen${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const screens = async () =>
  (await srv.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hiring_screens'))[0]!.n;

describe.skipIf(!haveChromium)('hiring: the phone-screen invitation page', () => {
  beforeAll(async () => {
    srv = await startServer({ llm: null });
    const agent = await agentCreator(srv.app, 'test', {
      kind: HIRING_KIND,
      name: 'acme',
      displayName: 'Acme Robotics',
    });
    job = await jobCreator(srv.app, 'test', agent.id, {
      title: 'Senior TypeScript Engineer',
      status: 'open',
      description: 'Requirements: 5+ years of professional experience, TypeScript, PostgreSQL.',
    });
    // Open every day from 06:00 to 22:00 UTC, so the next few days always have free times whenever this runs.
    await screenSetupSaver(srv.app, 'test', agent.id, {
      timezone: 'UTC',
      hours: { days: [1, 2, 3, 4, 5, 6, 7], open: '06:00', close: '22:00' },
      durationMin: 20,
      lines: 1,
    });
    browser = await launchBrowser();
    recordBrowserProblems(browser.context, problems);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('at 1366 px: picks a time by keyboard, after the missing choice is announced', async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    await open(await invitedCandidate());
    await page
      .getByRole('heading', { level: 1, name: 'Phone screen for Senior TypeScript Engineer' })
      .waitFor();
    expect(await page.locator('.notice').textContent()).toMatch(
      /AI assistant.*transcribed.*never assessed.*a person/s,
    );
    expect(await a11yProblems(page)).toEqual([]);
    const days = page.locator('fieldset.slots legend');
    expect(await days.count()).toBeGreaterThanOrEqual(3);
    expect(await days.count()).toBeLessThanOrEqual(4);
    // Sending without a time: the alert names what is missing and takes focus.
    await page.getByRole('button', { name: 'Book this time' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Please choose a time/);
    expect(await alert.evaluate((el) => el === document.activeElement)).toBe(true);
    // By keyboard: Tab reaches the first day's times; an arrow key moves the choice.
    const first = page.locator('input[name="start"]').first();
    await tabTo(page, first);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    const chosen = page.locator('input[name="start"]:checked');
    expect(await chosen.count()).toBe(1);
    const start = await chosen.getAttribute('value');
    expect(await page.getByLabel('Phone number to call').inputValue()).toBe('+44 7700 900123');
    await screenshot(page, 'hiring-screen-pick-1366');
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByRole('heading', { level: 2, name: 'Booked' }).waitFor();
    expect(await page.locator('.confirmation').textContent()).toMatch(/Your phone screen is booked for/);
    const [row] = await srv.db.query<{ scheduled_at: Date; status: string }>(
      'SELECT s.scheduled_at, b.status FROM hiring_screens s JOIN bookings b ON b.id = s.booking_id',
    );
    expect(row!.scheduled_at.getTime()).toBe(new Date(start!).getTime());
    expect(row!.status).toBe('confirmed');
    // Opening the link again shows the booking, not the form.
    await page.reload();
    await expect.poll(() => page.locator('.confirmation').textContent()).toMatch(/booked for/);
    expect(await page.locator('input[name="start"]').count()).toBe(0);
  }, 90_000);

  it('a time taken meanwhile is refused and marked; nothing is booked twice', async () => {
    await open(await invitedCandidate());
    const first = page.locator('input[name="start"]').first();
    await first.waitFor();
    const start = (await first.getAttribute('value'))!;
    // Someone else books that time while this page is open.
    const other = (await invitedCandidate()).split('#')[1]!;
    const res = await screenApi('/book', { token: other, start, phone: '+447700900999' });
    expect(res.status).toBe(201);
    const before = await screens();
    await page.locator('label.slot').first().click();
    await page.getByRole('button', { name: 'Book this time' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/Someone has just taken that time/);
    expect(await first.isDisabled()).toBe(true);
    expect(await screens()).toBe(before);
  }, 90_000);

  it('at 390 px: fits the screen, and "a person instead" ends the AI screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(await invitedCandidate());
    await page.locator('input[name="start"]').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await page.locator('label.slot').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot(page, 'hiring-screen-pick-390');
    await page.getByRole('button', { name: 'Ask for a person instead' }).click();
    await page.getByRole('heading', { level: 1, name: 'A person will contact you' }).waitFor();
    const [a] = await srv.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM hiring_screen_invitations WHERE status = 'person_requested'`,
    );
    expect(a!.n).toBe(1);
    await screenshot(page, 'hiring-screen-person-390');
  }, 90_000);

  it('the recruiter reads the finished screen on the candidate page: verdicts, quotes, transcript', async () => {
    ensureDashboardBuilt();
    const link = await invitedCandidate();
    const token = link.split('#')[1]!;
    const page0 = await (await screenApi('', { token })).json();
    const booked = await screenApi('/book', { token, start: page0.slots[0].start, phone: '+447700900123' });
    expect(booked.status).toBe(201);
    const [row] = await srv.db.query<{ application_id: string }>(
      'SELECT application_id FROM hiring_screens ORDER BY created_at DESC LIMIT 1',
    );
    const screen = (await latestScreen(srv.db, row!.application_id))!;
    const lines = [
      'AI: I am an AI and this call is transcribed. Is it all right to go ahead?',
      'User: Yes, go ahead.',
    ];
    const answers = screen.questions
      .slice(0, 2)
      .map((q) =>
        /years of professional experience/.test(q.question)
          ? 'Nine years, most recently leading a platform team.'
          : `I wrote our order service in ${q.label}.`,
      );
    screen.questions.slice(0, 2).forEach((q, i) => {
      lines.push(`AI: ${q.question}`, `User: ${answers[i]}`);
    });
    // The report comes through the webhook's handler, as Vapi's would.
    await screenWebhookMessage(srv.app, {
      message: {
        type: 'end-of-call-report',
        endedReason: 'assistant-ended-call',
        call: { id: 'call-e2e-1', type: 'outboundPhoneCall' },
        assistant: { metadata: { twelveScreenId: screen.id } },
        artifact: { transcript: lines.join('\n') },
      },
    });
    const admin = { email: 'admin@example.com', password: 'correct horse battery staple 42', name: 'Ada' };
    await userCreator(srv.app, 'test', { ...admin, role: 'admin' });
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${srv.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(`${srv.url}/agents/acme/candidate?id=${row!.application_id}`);
    const card = page.locator('section.hr-screen');
    await card.getByRole('heading', { name: 'Phone screen' }).waitFor();
    const [stored] = await srv.db.query<{ summary: string }>(
      'SELECT summary FROM hiring_screens WHERE id = $1',
      [screen.id],
    );
    expect(stored!.summary).toMatch(/2 of \d+ questions answered/);
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain(stored!.summary);
    expect(await card.locator('.hr-quote').allTextContents()).toEqual(answers.map((a) => `“${a}”`));
    expect(await card.textContent()).toMatch(/Tone, emotion and voice are never assessed/);
    await card.getByText('Transcript', { exact: true }).click();
    await expect.poll(() => card.locator('pre').textContent()).toContain(answers[1]);
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot(page, 'hiring-screen-candidate-1366');

    // The screen line on the Jobs page: saved from its form (two lines now).
    await page.goto(`${srv.url}/agents/acme/jobs`);
    const line = page.locator('section', { has: page.getByRole('heading', { name: 'Phone screen line' }) });
    await expect.poll(() => line.textContent()).toMatch(/Set up: 20 minutes, 1 line, UTC/);
    await line.getByLabel('Screens at once (lines)').fill('2');
    await line.getByRole('button', { name: 'Save the screen line' }).click();
    await expect.poll(() => line.textContent()).toMatch(/Set up: 20 minutes, 2 lines, UTC/);
    expect(await a11yProblems(page)).toEqual([]);

    // A person invites a candidate from their page; the private link is shown once.
    const taken = await applicationTaker(srv.app, 'test', job, {
      name: 'Ines Invite',
      email: 'ines@example.com',
      consent: true,
      source: 'recruiter',
      file: { name: 'resume.pdf', bytes: await makePdf(RESUME) },
    });
    await screenApplication(srv.app, taken.application.id);
    await page.goto(`${srv.url}/agents/acme/candidate?id=${taken.application.id}`);
    const screenCard = page.locator('section.hr-screen');
    await screenCard.getByRole('button', { name: 'Invite to the AI phone screen' }).click();
    await expect
      .poll(() => screenCard.getByLabel(/Invitation link/).inputValue())
      .toMatch(/\/careers\/acme\/screen#[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => screenCard.textContent()).toMatch(/invited: waiting for the candidate/);
  }, 300_000);

  it('another invitation opened in the same tab (only the fragment changes) shows that invitation', async () => {
    const booked = await invitedCandidate();
    const token = booked.split('#')[1]!;
    const offered = await (await screenApi('', { token })).json();
    const res = await screenApi('/book', {
      token,
      start: offered.slots.at(-1).start,
      phone: '+447700900123',
    });
    expect(res.status).toBe(201);
    await open(booked);
    await expect.poll(() => page.locator('.confirmation').textContent()).toMatch(/booked for/);
    // A mark on this document: a load of a new one would not have it.
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await page.goto(await invitedCandidate());
    await page.locator('input[name="start"]').first().waitFor();
    expect(await page.locator('.confirmation').count()).toBe(0);
    // The same document: the page read the new fragment itself.
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
  }, 90_000);

  it('a link without its token, or a wrong one, says so', async () => {
    await open(`${srv.url}/careers/acme/screen`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid/);
    await open(`${srv.url}/careers/acme/screen#${'A'.repeat(43)}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid/);
    // Page errors and API answers other than the refusals this test asked for (a taken slot, a wrong token).
    const unexpected = problems.filter(
      (p) =>
        /^page error/.test(p) ||
        (/^\d{3} /.test(p) &&
          !/^(404|409) POST .*\/screen(\/book)?$/.test(p) &&
          !/^401 GET .*\/api\/auth\/me$/.test(p)),
    );
    expect(unexpected).toEqual([]);
  }, 60_000);
});
