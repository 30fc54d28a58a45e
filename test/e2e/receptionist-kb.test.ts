// The receptionist's knowledge base in a real Chromium against a real server: the agent card links its KB page (the
// page every kind with a knowledge base shares, web/src/knowledge), which lists the salon's imported FAQ without the
// support wing's own sections; an entry added there is what the receptionist answers a customer with in chat (a draft: the agent is in shadow).
// Screenshots: test-artifacts/screenshots/receptionist-kb-*.png.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../src/business/profile.ts';
import { conversationOpener, customerMessageHandler } from '../../src/conversations/conversations.ts';
import { kbImporter } from '../../src/knowledge/import.ts';
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
} from './harness.ts';

const ADMIN = { name: 'Rae Admin', email: 'rae-kb@example.com', password: 'a long enough password' };
const AGENT = 'salon-desk';
const haveChromium = existsSync(CHROMIUM);

let srv: TestServer;
let browser: TestBrowser;
let page: Page;
const browserLog: string[] = [];
let agentId: string;

describe.skipIf(!haveChromium)("the receptionist's knowledge base in Chromium", () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    agentId = (
      await agentCreator(srv.app, 'test', {
        kind: 'receptionist',
        name: AGENT,
        displayName: 'Willow & Wren',
        confidenceThreshold: 0.5,
      })
    ).id;
    await profileSaver(srv.app, 'test', agentId, {
      timezone: 'Europe/London',
      hours: { days: [1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 60, slotStepMin: 30 },
    });
    const maya = await resourceCreator(srv.app, 'test', agentId, { name: 'Maya', kind: 'staff' });
    await serviceCreator(srv.app, 'test', agentId, {
      name: 'Haircut',
      durationMin: 45,
      priceCents: 3800,
      resourceIds: [maya.id],
    });
    await kbImporter(srv.app, 'test', agentId, join(import.meta.dirname, '../../examples/receptionist/kb'));
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    recordBrowserProblems(browser.context, browserLog);
    await page.goto(`${srv.url}/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 10_000 });
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, 'receptionist-kb-failed').catch(() => {});
    console.error(`browser log for "${ctx.task.name}" (at ${page.url()}):\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('opens the KB page from the card, lists the salon FAQ, and an entry added there answers the customer', async () => {
    const card = page.locator(`article[data-agent="${AGENT}"]`);
    await card.getByRole('link', { name: 'Knowledge base' }).click();
    await page
      .getByRole('heading', { level: 1, name: /Knowledge base/ })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByRole('heading', { level: 2, name: 'FAQ entries (12)' }).waitFor();
    await page.locator('article[data-entry="Parking"]').waitFor();
    // The support wing's own sections are not a receptionist's.
    expect(await page.getByRole('heading', { level: 2, name: 'How well it answers' }).count()).toBe(0);
    expect(await page.getByRole('heading', { level: 2, name: 'When a person takes over' }).count()).toBe(0);
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot(page, 'receptionist-kb-page');

    await page.getByRole('button', { name: 'New entry' }).click();
    const form = page.getByRole('region', { name: 'New FAQ entry' });
    await form.getByLabel('Title').fill('Bridal hair');
    await form.getByLabel('Answer').fill('Yes, we do bridal hair and trials; call us to plan the day.');
    await form
      .getByLabel('Phrasings')
      .fill(
        'do you do bridal hair\ncan you do my wedding hair\nwedding hair trial\nhair for my wedding day\ndo you style hair for weddings\n',
      );
    await form.getByRole('button', { name: 'Save entry' }).click();
    await page.locator('article[data-entry="Bridal hair"]').waitFor();
    await page.getByRole('heading', { level: 2, name: 'FAQ entries (13)' }).waitFor();

    const { conversation } = await conversationOpener(srv.app, { agentId, channel: 'webchat' });
    const r = await customerMessageHandler(srv.app, { conversation, text: 'Do you do hair for weddings?' });
    // Not assessed, the agent runs in shadow: its answer is a draft a person reviews in the inbox.
    expect(
      r.written?.filter((m) => m.direction === 'out').map((m) => ({ body: m.body, status: m.status })),
    ).toEqual([{ body: 'Yes, we do bridal hair and trials; call us to plan the day.', status: 'draft' }]);
  }, 60_000);
});
