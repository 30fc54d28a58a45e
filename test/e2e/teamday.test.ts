// The team's day in a real Chromium against a real server, at 1366 and 390 px: the empty overview offers the support
// demo in one click (and names the command); a support agent's card has no "Run now"; the main menu shows every item
// at 390 px and its Agents menu reaches each agent's knowledge base and readiness; the knowledge-base page has no
// unnamed control; Settings → People invites by link (the invitee joins and is then shown by name), makes an API
// token shown once, and shows each role's permissions from the permission table; the widget has a dark style; /docs
// renders the API reference. Screenshots: test-artifacts/screenshots/teamday-*.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { conversationOpener, customerMessageHandler } from '../../src/conversations/conversations.ts';
import { findAgent } from '../../src/runtime/agents.ts';
import { PERMISSIONS } from '../../src/server/permissions.ts';
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

const ADMIN = { name: 'Mo Admin', email: 'mo@example.com', password: 'a long enough password' };
const haveChromium = existsSync(CHROMIUM);

let srv: TestServer;
let browser: TestBrowser;
let page: Page;
const browserLog: string[] = [];

async function signIn(p: Page) {
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Email').fill(ADMIN.email);
  await p.getByLabel('Password').fill(ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 15_000 });
}

/** Whether an element is drawn inside the viewport's width (not scrolled or cut off). */
async function inView(p: Page, name: string): Promise<boolean> {
  const box = await p
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name, exact: true })
    .boundingBox();
  const width = p.viewportSize()?.width ?? 0;
  return box !== null && box.x >= 0 && box.x + box.width <= width;
}

/** Elements drawn past the viewport's right edge (outside scrolling tables), to name what makes a page too wide. */
async function widerThan(p: Page, width: number): Promise<string[]> {
  return p.evaluate((w) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      // Scrolling tables and the contents of closed <details> (laid out, never drawn) do not widen a page.
      if (r.right > w + 1 && r.width > 0 && !el.closest('.table-wrap, details:not([open]) > :not(summary)'))
        out.push(`${el.tagName.toLowerCase()}.${String(el.className)} ${Math.round(r.right)}`);
    }
    return out.slice(0, 8);
  }, width);
}

describe.skipIf(!haveChromium)('the team’s day in Chromium', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    browser = await launchBrowser();
    recordBrowserProblems(browser.context, browserLog);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.setViewportSize({ width: 1366, height: 900 });
    await signIn(page);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `teamday-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
      () => {},
    );
    console.error(`browser log for "${ctx.task.name}":\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('offers the support demo on the empty overview, sets it up in one click, without "Run now" on its card', async () => {
    const empty = page.getByText('No agents yet');
    await empty.waitFor();
    await expect.poll(() => page.getByText('npx twelve demo support').isVisible()).toBe(true);
    await screenshot(page, 'teamday-overview-empty');
    await page.getByRole('button', { name: 'Set up the support demo' }).click();
    const card = page.getByRole('article').filter({ hasText: 'Northwind Cycles support' });
    await card.waitFor({ timeout: 150_000 });
    await expect.poll(() => card.getByRole('link', { name: 'Knowledge base' }).isVisible()).toBe(true);
    expect(await card.getByRole('button', { name: 'Run now' }).count()).toBe(0);
    await screenshot(page, 'teamday-overview-demo');
  }, 200_000);

  it('reaches each agent’s knowledge base and readiness from the Agents menu, at 1366 and 390 px', async () => {
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${srv.url}/`);
      await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
      for (const item of ['Overview', 'Approvals', 'Inbox', 'Runs', 'Audit log', 'People'])
        expect(await inView(page, item), `${item} at ${width} px`).toBe(true);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByText('Agents', { exact: true }).click();
      await nav.getByRole('link', { name: 'Knowledge base of Northwind Cycles support' }).click();
      await page.getByRole('heading', { level: 1, name: /Knowledge base/ }).waitFor();
      if (width === 390) await screenshot(page, 'teamday-menu-390');
      await nav.getByText('Agents', { exact: true }).click();
      await nav.getByRole('link', { name: 'Readiness of Northwind Cycles support' }).click();
      await page.getByRole('heading', { level: 1, name: /Readiness/ }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  }, 120_000);

  it('leaves no button, link or field without a name on the knowledge-base page, and exports its entries as CSV', async () => {
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${srv.url}/agents/northwind/kb`);
      await page.getByRole('heading', { level: 2, name: /FAQ entries/ }).waitFor();
      expect(await a11yProblems(page), `at ${width} px`).toEqual([]);
      expect(await widerThan(page, width), `wider than ${width} px`).toEqual([]);
      // Each entry's buttons say which entry they act on.
      const edits = await page.getByRole('button', { name: /^Edit “/ }).count();
      expect(edits).toBe(12);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    const csv = await page.evaluate(async () => {
      const a = document.querySelector<HTMLAnchorElement>('a[href$="/kb/entries.csv"]');
      const res = await fetch(a!.href);
      return { type: res.headers.get('content-type'), text: await res.text() };
    });
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('id,title,answer,phrasings,tags,version,updated_at');
  }, 120_000);

  it('invites by link: the link is shown once, the invitee joins with their name and role, and is named so', async () => {
    await page.goto(`${srv.url}/settings/people`);
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    const invite = page.getByRole('form', { name: 'Invite by link' });
    await invite.getByLabel('Role').selectOption('reviewer');
    await invite.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await invite.getByLabel('Invitation link').inputValue();
    expect(link).toMatch(new RegExp(`^${srv.url}/invite#[A-Za-z0-9_-]{40,}$`));
    await screenshot(page, 'teamday-people');

    const guest = await browser.context.browser()?.newContext();
    const other = guest ? await guest.newPage() : await browser.context.newPage();
    // A fresh context has no session: the invitee signs up from the link.
    if (!guest) await other.context().clearCookies();
    await other.goto(link);
    await other.getByText(/You are invited as/).waitFor();
    await other.getByLabel('Your name').fill('Sam Rivera');
    await other.getByLabel('Email').fill('sam@northwind.example');
    await other.getByLabel('Password').fill('sam picks a sturdy passphrase');
    await other.getByRole('button', { name: 'Join' }).click();
    await other.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 15_000 });
    await other.close();
    if (!guest) {
      await browser.context.clearCookies();
      await signIn(page);
    }

    await page.goto(`${srv.url}/settings/people`);
    const row = page.locator('tr[data-user="sam@northwind.example"]');
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toContain('Sam Rivera');
    expect(await row.getByLabel('Role of Sam Rivera').inputValue()).toBe('reviewer');
    // The link is spent: the pending list no longer has it.
    await expect
      .poll(() => page.getByText('None: every link was used, revoked or has expired.').isVisible())
      .toBe(true);
  }, 120_000);

  it('creates an API token shown once, revokes it, and shows each role’s permissions from the table', async () => {
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${srv.url}/settings/people`);
      await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
      expect(await a11yProblems(page), `at ${width} px`).toEqual([]);
      expect(await widerThan(page, width), `wider than ${width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    const form = page.getByRole('form', { name: 'Create an API token' });
    await form.getByLabel('Token name').fill('crm sync');
    await form.getByLabel('Token role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = await form.getByLabel('New API token').inputValue();
    expect(secret).toMatch(/^tw_/);
    const me = await fetch(`${srv.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    await page.reload();
    await page.locator('tr[data-token="crm sync"]').waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Revoke the token crm sync' }).click();
    await page.locator('tr[data-token="crm sync"]').getByText('revoked').waitFor();
    const after = await fetch(`${srv.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(after.status).toBe(401);

    const rows = page.locator('table.roles-table tbody tr');
    expect(await rows.count()).toBe(Object.keys(PERMISSIONS).length);
    for (const [id, roles] of Object.entries(PERMISSIONS)) {
      for (const role of ['admin', 'reviewer', 'viewer']) {
        const cell = page.locator(`tr[data-permission="${id}"] td[data-role="${role}"] .sr-only`);
        expect(await cell.textContent(), `${id} ${role}`).toBe(
          (roles as readonly string[]).includes(role) ? 'yes' : 'no',
        );
      }
    }
  }, 120_000);

  it('draws the chat widget dark for a reader whose system is dark', async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    const colors = async (scheme: 'light' | 'dark') => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${srv.url}/demo?agent=northwind`);
      const widget = page.locator('[data-twelve-chat="northwind"]');
      const panel = widget.locator('.panel');
      // "Open chat: …", or "Close chat: …" when the widget remembers it was open.
      const launcher = widget.getByRole('button', { name: /^(Open|Close) chat:/ });
      await launcher.waitFor();
      // The widget remembers it was open; open it when it is not.
      if (!(await panel.isVisible())) await launcher.click();
      await panel.waitFor();
      return panel.evaluate((el) => getComputedStyle(el).backgroundColor);
    };
    expect(await colors('light')).toBe('rgb(255, 255, 255)');
    const dark = await colors('dark');
    const [r = 255, g = 255, b = 255] = (dark.match(/\d+/g) ?? []).map(Number);
    expect(r + g + b).toBeLessThan(150);
    await screenshot(page, 'teamday-widget-dark', false);
    await page.emulateMedia({ colorScheme: 'light' });
  }, 60_000);

  it('renders the API reference at /docs from the OpenAPI document', async () => {
    await page.goto(`${srv.url}/docs`);
    await page.getByRole('heading', { level: 1, name: /Twelve API/ }).waitFor();
    expect(await page.getByText('/api/invites', { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(page, 'teamday-docs', false);
    expect(browserLog.filter((l) => l.startsWith('page error'))).toEqual([]);
  }, 60_000);

  it('charts the weeks’ volume and resolution on the overview, at 1366 and 390 px', async () => {
    const agent = await findAgent(srv.db, 'northwind');
    for (const [customer, text] of [
      ['ann', 'When are you open?'],
      ['ben', 'Do you deliver abroad?'],
      ['cat', 'I would like to talk to a person'],
    ] as const) {
      const { conversation } = await conversationOpener(srv.app, {
        agentId: agent.id,
        channel: 'webchat',
        customerId: customer,
      });
      await customerMessageHandler(srv.app, { conversation, text });
    }
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${srv.url}/`);
      const charts = page.getByRole('region', { name: 'The last 12 weeks' });
      await charts.waitFor({ timeout: 20_000 });
      const thisWeek = charts.locator('g[data-week]').last();
      expect(Number(await thisWeek.getAttribute('data-conversations'))).toBe(3);
      expect(await charts.getByRole('img', { name: /^Conversations per week: .*3$/ }).count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await screenshot(page, `teamday-overview-charts-${width}`);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  }, 120_000);
});
