// The support team's inbox and the Conversations page in a real Chromium against a real server (issue 24), at
// 1366 and 390 px: cards show the customer's real question (never the hand-off button's text), the channel, the
// customer and a waiting clock that turns amber and red against the reply-time target; a hand-off is assigned by
// name; a saved reply is saved and inserted; "Grow the knowledge base" offers the real question. The Conversations
// page searches and filters on the server, the review queue lists the unsure and the disliked answers, a verdict takes
// one out of it, and "Wrong answer" works there as in the inbox. Screenshots: test-artifacts/screenshots/inbox-*.png
// and conversations-*.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { PERSON_REQUEST_TEXT } from '../../src/channels/webchat/session.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
} from '../../src/conversations/conversations.ts';
import { satisfactionRecorder } from '../../src/conversations/inbox.ts';
import type { AgentConfig } from '../../src/runtime/types.ts';
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
const REVIEWER = { name: 'Sam Rivera', email: 'sam@example.com', password: 'another long password' };
const STEP_TIMEOUT = 90_000;
const haveChromium = existsSync(CHROMIUM);

let srv: TestServer;
let browser: TestBrowser;
let page: Page;
let agent: AgentConfig;
const browserLog: string[] = [];
const convs: Record<string, Conversation> = {};

async function chat(key: string, customerId: string, channel: string, ...texts: string[]) {
  const { conversation } = await conversationOpener(srv.app, { agentId: agent.id, channel, customerId });
  convs[key] = conversation;
  for (const text of texts) await customerMessageHandler(srv.app, { conversation, text });
}

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 10_000 });
}

/** Nothing on the page is wider than the viewport (no sideways scrolling at 390 px). */
async function overflow(p: Page): Promise<number> {
  return p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describe.skipIf(!haveChromium)('inbox and conversations in Chromium', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    await userCreator(srv.app, 'test', { ...REVIEWER, role: 'reviewer' });
    agent = await northwindAgent(srv.app, 'northwind');
    await chat('cars', 'visitor-cars', 'webchat', 'do you repair cars?', PERSON_REQUEST_TEXT);
    await chat('hours', 'ana@example.com', 'email', 'what time do you open on saturday?');
    await chat('nonsense', 'visitor-zorp', 'webchat', 'zorp blip fnord', 'quux wibble');
    await satisfactionRecorder(srv.app, convs.hours!.id, -1);
    // The car question has waited two hours: past the default one-hour target.
    await srv.db.query(
      `UPDATE escalations SET created_at = now() - interval '2 hours' WHERE conversation_id = $1`,
      [convs.cars!.id],
    );
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.setViewportSize({ width: 1366, height: 900 });
    recordBrowserProblems(browser.context, browserLog);
    await signIn(page, ADMIN);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `inbox-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {});
    console.error(`browser log for "${ctx.task.name}" (at ${page.url()}):\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it(
    "shows each hand-off's real question, channel, customer and waiting clock; assigns, saves and inserts replies",
    async () => {
      await page.goto(`${srv.url}/inbox`);
      const cars = page.locator('.inbox-item', { hasText: 'do you repair cars?' });
      await cars.waitFor();
      expect(await page.locator('.inbox-item-question').allTextContents()).not.toContain(
        `“${PERSON_REQUEST_TEXT}”`,
      );
      expect(await cars.textContent()).toContain('Web chat');
      expect(await cars.textContent()).toContain('visitor-cars');
      const clock = cars.getByTestId('waiting-clock');
      expect(await clock.getAttribute('data-tone')).toBe('red');
      expect(await clock.textContent()).toMatch(/waiting 2 h 0\d min · over target/);
      await screenshot(page, 'inbox-cards-red');

      // The admin moves the target: at 150 minutes two hours is amber, at 240 it is fine.
      await page.getByRole('button', { name: 'Change target' }).click();
      await page.getByLabel('Reply within (minutes)').fill('150');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect.poll(() => page.getByTestId('reply-target').textContent()).toBe('150 min');
      await expect.poll(() => clock.getAttribute('data-tone')).toBe('amber');
      await page.getByRole('button', { name: 'Change target' }).click();
      await page.getByLabel('Reply within (minutes)').fill('240');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect.poll(() => clock.getAttribute('data-tone')).toBe('ok');

      // Open it: the heading is the question; assign it to Sam by name.
      await cars.click();
      const detail = page.getByRole('region', { name: 'Selected escalation' });
      await detail.getByRole('heading', { level: 2, name: '“do you repair cars?”' }).waitFor();
      await detail.getByLabel('Assigned to').selectOption({ label: REVIEWER.name });
      await expect.poll(() => cars.textContent()).toContain(`assigned to ${REVIEWER.name}`);

      // Write a reply, save it for later, clear the box, insert it again, and send it.
      const box = detail.getByLabel('Reply to the customer');
      await box.fill('We only service bicycles, sorry: no cars.');
      await detail.getByRole('button', { name: 'Save reply for later' }).click();
      await detail.getByLabel('Title of the saved reply').fill('No cars');
      await detail.getByRole('button', { name: 'Save', exact: true }).click();
      await detail.getByLabel('Title of the saved reply').waitFor({ state: 'detached' });
      await box.fill('');
      await detail.getByLabel('Saved replies').selectOption({ label: 'No cars' });
      await detail.getByRole('button', { name: 'Insert' }).click();
      expect(await box.inputValue()).toBe('We only service bicycles, sorry: no cars.');
      await detail.getByRole('button', { name: 'Send reply' }).click();
      await detail.getByText('We only service bicycles, sorry: no cars.', { exact: true }).first().waitFor();

      // Growing the knowledge base offers the customer's question, not the button's text.
      const grow = detail.getByRole('region', { name: 'Grow the knowledge base' });
      await grow.waitFor();
      expect(await grow.getByLabel('Entry title').inputValue()).toBe('do you repair cars?');
      expect(await grow.textContent()).not.toContain(PERSON_REQUEST_TEXT);
      expect(await a11yProblems(page)).toEqual([]);
      await screenshot(page, 'inbox-1366');

      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, 'inbox-detail-390');
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await page.goto(`${srv.url}/inbox`);
      await page.locator('.inbox-item', { hasText: 'quux wibble' }).waitFor();
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'inbox-list-390');
      await page.setViewportSize({ width: 1366, height: 900 });
    },
    STEP_TIMEOUT,
  );

  it(
    'lists, searches and filters conversations on the server; the review queue takes a verdict; Wrong answer works',
    async () => {
      await page.goto(`${srv.url}/conversations`);
      await expect.poll(() => page.getByTestId('conv-count').textContent()).toBe('3 conversations');
      await page.getByLabel('Text').fill('cars');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => page.getByTestId('conv-count').textContent()).toBe('1 conversation');
      expect(page.url()).toContain('q=cars');
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByLabel('Channel').selectOption({ label: 'Email' });
      await expect.poll(() => page.getByTestId('conv-count').textContent()).toBe('1 conversation');
      await page.locator('.conv-item', { hasText: 'what time do you open on saturday?' }).waitFor();
      await page.getByRole('button', { name: 'Clear' }).click();
      await expect.poll(() => page.getByTestId('conv-count').textContent()).toBe('3 conversations');
      expect(await a11yProblems(page)).toEqual([]);
      await screenshot(page, 'conversations-1366');

      // The review queue: the unsure clarification and the answer the customer disliked (and any sampled one).
      await expect
        .poll(() => page.getByRole('link', { name: 'Review queue' }).textContent())
        .toMatch(/^Review queue \([23]\)$/);
      await page.getByRole('link', { name: 'Review queue' }).click();
      const unsure = page.locator('.conv-item', { hasText: 'quux wibble' });
      await unsure.waitFor();
      expect(await unsure.textContent()).toContain('to check: low confidence');
      const disliked = page.locator('.conv-item', { hasText: 'what time do you open on saturday?' });
      expect(await disliked.textContent()).toContain('to check: customer said not helpful');
      await screenshot(page, 'conversations-review-1366');

      await unsure.click();
      await page.getByRole('heading', { level: 1, name: 'Conversation' }).waitFor();
      expect(await page.locator('.msg-source').first().textContent()).toMatch(
        /No source · confidence 0\.\d\d/,
      );
      await page.getByRole('button', { name: 'Answers are fine' }).click();
      await page.getByText('Reviewed: the answers were fine').waitFor();
      await page.getByRole('link', { name: '← All conversations' }).click();
      await disliked.waitFor();
      expect(await page.locator('.conv-item', { hasText: 'quux wibble' }).count()).toBe(0);

      // "Wrong answer" under the disliked answer: the question goes to a person from now on.
      await disliked.click();
      await page.getByRole('button', { name: 'Wrong answer' }).first().click();
      await page.getByRole('button', { name: 'Send to a person from now on' }).click();
      await page
        .getByText(/From now on “what time do you open on saturday\?” and questions like it go to a person/)
        .waitFor();
      await page.getByRole('button', { name: 'Mark answers wrong' }).click();
      await page.getByText('Reviewed: the answers were wrong').waitFor();
      expect(await a11yProblems(page)).toEqual([]);
      await screenshot(page, 'conversations-detail-1366');

      await page.setViewportSize({ width: 390, height: 844 });
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'conversations-detail-390');
      await page.goto(`${srv.url}/conversations`);
      await expect.poll(() => page.getByTestId('conv-count').textContent()).toBe('3 conversations');
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'conversations-390');
      await page.setViewportSize({ width: 1366, height: 900 });
    },
    STEP_TIMEOUT,
  );

  it(
    'asks "Was this helpful?" at the end of a web chat and shows the answers per agent',
    async () => {
      const demo = await browser.context.newPage();
      await demo.goto(`${srv.url}/demo?agent=northwind`);
      await demo.getByRole('button', { name: /^Open chat/ }).click();
      const chat = demo.getByRole('dialog', { name: 'Northwind Cycles' });
      await chat.getByLabel('Your message').fill('When are you open?');
      await chat.getByLabel('Your message').press('Enter');
      const rate = chat.getByRole('group', { name: 'Was this helpful?' });
      await rate.waitFor();
      await rate.getByRole('button', { name: 'Yes' }).click();
      await rate.getByText('Thanks for telling us.').waitFor();
      expect(await rate.getByRole('button', { name: 'Yes' }).getAttribute('aria-pressed')).toBe('true');
      await screenshot(demo, 'inbox-widget-rated');
      await demo.close();

      await page.goto(`${srv.url}/conversations`);
      const line = page.getByTestId('satisfaction-northwind');
      await expect
        .poll(() => line.textContent())
        .toMatch(/Northwind Cycles: 1 yes · 1 no \(50 % helpful, 2 of 4 conversations rated\)/);
    },
    STEP_TIMEOUT,
  );
});
