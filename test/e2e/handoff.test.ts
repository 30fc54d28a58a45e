// "When a person takes over" on a support agent's KB page, in a real Chromium against a real server: the message a
// customer handed over is told now, the business hours behind it, and the form that edits them. The form flags a
// day that closes before it opens; saved anyway, the server refuses it naming the field, and nothing changes. Saved
// right, the page, the stored config and the chat widget's hand-off banner all say the same thing. A viewer sees the
// message but no form. Screenshots: test-artifacts/screenshots/handoff-*.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { northwindAgent } from '../support/webchat.ts';
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

const ADMIN = { name: 'Kim Admin', email: 'kim@example.com', password: 'a long enough password' };
const VIEWER = { name: 'Val Viewer', email: 'val@example.com', password: 'another long password' };
const STEP_TIMEOUT = 60_000;
const NO_PROMISE = 'Connecting you to a person. They will reply here as soon as they can.';
const haveChromium = existsSync(CHROMIUM);

let srv: TestServer;
let browser: TestBrowser;
let page: Page;
const browserLog: string[] = [];

const section = (p: Page) => p.getByRole('region', { name: 'When a person takes over' });

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 10_000 });
}

async function storedHours(): Promise<unknown> {
  const [row] = await srv.db.query<{ config: Record<string, unknown> }>(
    `SELECT config FROM agents WHERE name = 'northwind'`,
  );
  return row?.config.businessHours;
}

describe.skipIf(!haveChromium)('hand-off message and business hours in Chromium', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    await userCreator(srv.app, 'test', { ...VIEWER, role: 'viewer' });
    await northwindAgent(srv.app, 'northwind', { greeting: 'kept as it is' });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    recordBrowserProblems(browser.context, browserLog);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `handoff-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
      () => {},
    );
    console.error(`browser log for "${ctx.task.name}" (at ${page.url()}):\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it(
    'sets business hours: a bad day is flagged and refused by the server, a good week is saved and told',
    async () => {
      await signIn(page, ADMIN);
      await page.goto(`${srv.url}/agents/northwind/kb`);
      const s = section(page);
      await s.waitFor();
      expect((await s.getByTestId('handoff-now').textContent())?.trim()).toBe(NO_PROMISE);
      expect(await s.getByTestId('handoff-hours').textContent()).toMatch(/No business hours/);

      await s.getByRole('button', { name: 'Set business hours' }).click();
      const form = s.getByRole('form', { name: 'Business hours' });
      await form.getByLabel('Time zone').fill('UTC');
      await form.getByLabel('Usual reply time (optional)').fill('3 hours');
      for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
        await form.getByRole('checkbox', { name: day }).check();
        await form.getByLabel(`${day} opens`).fill('00:00');
        await form.getByLabel(`${day} closes`).fill('23:59');
      }
      // Today (in UTC) is a holiday: closed now, whatever the hour, and back tomorrow at midnight.
      const today = new Date().toISOString().slice(0, 10);
      await form.getByLabel('Closed dates (optional)').fill(`${today}\n`);
      const closedNow =
        "We're closed now; a person will reply tomorrow after 00:00 (UTC). You can leave your messages here.";
      await expect.poll(() => form.getByTestId('handoff-preview').textContent()).toBe(closedNow);

      // Saturday closes before it opens: the form says so at once, and the server refuses it if sent anyway.
      await form.getByLabel('Saturday opens').fill('16:00');
      await form.getByLabel('Saturday closes').fill('10:00');
      await form
        .getByTestId('handoff-problems')
        .getByText('Saturday: the closing time must come after the opening time')
        .waitFor();
      expect(await form.getByTestId('handoff-preview').textContent()).toBe(
        'not until the hours below are fixed',
      );
      await form.getByRole('button', { name: 'Save business hours' }).click();
      const refused = form.getByRole('alert');
      await refused.getByText(/The business hours were not saved/).waitFor();
      expect(await refused.textContent()).toContain(
        'config.businessHours.hours.sat: the range must close after it opens (same day)',
      );
      expect(await storedHours()).toBeUndefined();
      await screenshot(page, 'handoff-refused');

      await form.getByLabel('Saturday opens').fill('00:00');
      await form.getByLabel('Saturday closes').fill('23:59');
      await expect.poll(() => form.getByTestId('handoff-preview').textContent()).toBe(closedNow);
      expect(await a11yProblems(page)).toEqual([]);
      await form.getByRole('button', { name: 'Save business hours' }).click();
      await form.waitFor({ state: 'detached' });

      await expect.poll(() => s.getByTestId('handoff-now').textContent()).toBe(closedNow);
      expect(await s.getByTestId('handoff-hours').textContent()).toMatch(
        /^Mon–Sun 00:00–23:59 \(UTC\) · closed on 1 date ahead, next .+ · usual reply time 3 hours$/,
      );
      const day = '00:00-23:59';
      expect(await storedHours()).toEqual({
        timezone: 'UTC',
        hours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
        closed: [today],
        replyTime: '3 hours',
      });
      // The rest of the agent's config is kept.
      const [row] = await srv.db.query<{ config: Record<string, unknown> }>(
        `SELECT config FROM agents WHERE name = 'northwind'`,
      );
      expect(row?.config.greeting).toBe('kept as it is');
      await screenshot(page, 'handoff-saved');

      // The customer in the chat widget is told the same when they ask for a person.
      const demo = await browser.context.newPage();
      await demo.goto(`${srv.url}/demo?agent=northwind`);
      await demo.getByRole('button', { name: /^Open chat/ }).click();
      const chat = demo.getByRole('dialog', { name: 'Northwind Cycles' });
      await chat.getByRole('button', { name: 'Talk to a person' }).click();
      await chat.getByRole('log').getByText(closedNow).waitFor();
      await demo.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'removes them again, and shows a viewer the message without the form',
    async () => {
      await page.goto(`${srv.url}/agents/northwind/kb`);
      const s = section(page);
      await s.getByRole('button', { name: 'Edit business hours' }).click();
      await s.getByRole('button', { name: 'Remove business hours' }).click();
      await expect.poll(() => s.getByTestId('handoff-now').textContent()).toBe(NO_PROMISE);
      expect(await storedHours()).toBeUndefined();

      await browser.context.clearCookies();
      await signIn(page, VIEWER);
      await page.goto(`${srv.url}/agents/northwind/kb`);
      const vs = section(page);
      await vs.getByTestId('handoff-now').waitFor();
      expect((await vs.getByTestId('handoff-now').textContent())?.trim()).toBe(NO_PROMISE);
      expect(await vs.getByRole('button', { name: /business hours/ }).count()).toBe(0);
    },
    STEP_TIMEOUT,
  );
});
