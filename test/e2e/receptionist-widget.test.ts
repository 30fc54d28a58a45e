// The receptionist books from the chat widget in a real Chromium, on the demo page picked with ?agent=NAME: the
// customer asks in their own words, gives a name and an email, confirms, and is given a booking code; the booking is
// in the database, made on the web chat. Screenshot: test-artifacts/screenshots/receptionist-booked.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEPTIONIST_KIND } from '../../src/agents/receptionist/routes/bookings.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../src/business/profile.ts';
import { assessmentRecorder, evaluationRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import {
  CHROMIUM,
  launchBrowser,
  recordBrowserProblems,
  screenshot,
  startServer,
  type TestBrowser,
  type TestServer,
} from './harness.ts';

const haveChromium = existsSync(CHROMIUM);
const ADMIN = 'user:admin@example.com';
let srv: TestServer;
let browser: TestBrowser;
let page: Page;
const problems: string[] = [];

const panel = (p: Page) => p.getByRole('dialog', { name: 'Willow Salon' });
const log = (p: Page) => panel(p).getByRole('log');
async function ask(p: Page, text: string) {
  const input = panel(p).getByLabel('Your message');
  await input.fill(text);
  await input.press('Enter');
}

describe.skipIf(!haveChromium)('receptionist in the chat widget', () => {
  beforeAll(async () => {
    srv = await startServer({ llm: null });
    const agent = await agentCreator(srv.app, ADMIN, {
      kind: RECEPTIONIST_KIND,
      name: 'willow',
      displayName: 'Willow Salon',
      confidenceThreshold: 0.5,
      escalationContacts: ['desk@willow.example'],
      spendCapCents: 0,
    });
    // Production by its readiness, as `twelve demo receptionist` sets it: a passing evaluation and an assessment.
    await evaluationRecorder(srv.app, ADMIN, agent.id, {
      kind: 'receptionist.understanding',
      passed: true,
      report: {},
    });
    await assessmentRecorder(srv.app, ADMIN, agent.id, {
      clarity: 5,
      tolerance: 4,
      fallback: 5,
      rationale: 'e2e',
    });
    // The server's clock is the real one: open every day, so "tomorrow at 2pm" is always bookable.
    await profileSaver(srv.app, ADMIN, agent.id, {
      timezone: 'Europe/London',
      hours: { days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 0, slotStepMin: 30 },
    });
    const maya = await resourceCreator(srv.app, ADMIN, agent.id, { name: 'Maya' });
    await serviceCreator(srv.app, ADMIN, agent.id, {
      name: 'Haircut',
      durationMin: 45,
      priceCents: 3800,
      resourceIds: [maya.id],
    });
    // The demo page would pick the support agent "northwind" when there is one; ?agent= picks the receptionist.
    browser = await launchBrowser();
    recordBrowserProblems(browser.context, problems);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('books a haircut in four messages and shows the booking code', async () => {
    await page.goto(`${srv.url}/demo?agent=willow`);
    const launcher = page.locator('[data-twelve-chat="willow"]').getByRole('button', { name: /^Open chat/ });
    await launcher.waitFor();
    await launcher.click();
    await expect.poll(() => panel(page).isVisible()).toBe(true);
    await ask(page, 'Hi, can I book a haircut tomorrow at 2pm?');
    await log(page)
      .getByText(/at 2pm it is\. Can I take your name\?/)
      .waitFor();
    await ask(page, 'My name is Sam Jones');
    await log(page).getByText('Thanks, Sam Jones. And a phone number or email for the booking?').waitFor();
    await ask(page, 'sam@example.com');
    await log(page)
      .getByText(/That's a Haircut on .+ at 2pm for Sam Jones\. Shall I book it\?/)
      .waitFor();
    await ask(page, 'yes');
    const booked = log(page).getByText(/^You're booked: Haircut on .+ at 2pm\. Your code is [A-Z0-9]{6}\.$/);
    await booked.waitFor();
    await screenshot(page, 'receptionist-booked', false);
    const code = /code is ([A-Z0-9]{6})/.exec((await booked.textContent()) ?? '')?.[1];
    const rows = await srv.db.query<{ channel: string; customer: { email: string } }>(
      'SELECT channel, customer FROM bookings WHERE code = $1',
      [code],
    );
    expect(rows).toEqual([{ channel: 'webchat', customer: { name: 'Sam Jones', email: 'sam@example.com' } }]);
    // No script error and nothing the page's strict CSP refused (the browser's own favicon request may 404).
    expect(problems.filter((l) => /page error|Content Security Policy|refused/i.test(l))).toEqual([]);
  }, 90_000);
});
