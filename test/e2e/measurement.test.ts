// Measurement in a real Chromium against a real server: the overview's outcome parts add up to the whole (for all
// agents and on each card), an agent in the maintenance trap shows the banner with its figures and the
// recommendation and a healthy one does not, the Measurement page shows the month's figures as the API computes
// them, the two inline-SVG charts, the CSV export, and logging time moves the human time.
// Screenshots: test-artifacts/screenshots/measurement-*.png.
import { existsSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { type App, createApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { agentMetrics, measurementKindsOf, monthRange } from '../../src/metrics/measurement.ts';
import { maintenanceTrapChecker } from '../../src/metrics/trap.ts';
import { workLogger } from '../../src/metrics/work-log.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import { escalationClaimer, escalationResolver } from '../../src/runtime/escalations.ts';
import type { Mode } from '../../src/runtime/mode.ts';
import { measurementTestKind, say } from '../support/measurement.ts';
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
const DAY = 86_400_000;

let srv: TestServer;
let writer: App;
let clock: ManualClock;
let browser: TestBrowser;
let page: Page;
const browserLog: string[] = [];
let shopId: string;
let heavyId: string;
const daysAgo = (n: number, hour = 10) => {
  const d = new Date(Date.now() - n * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};

async function signIn(p: Page) {
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Email').fill(ADMIN.email);
  await p.getByLabel('Password').fill(ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 10_000 });
}

/** The numbers of an outcomes block: the whole and each part. */
async function outcomesIn(scope: Page | Locator, blockName: RegExp) {
  const block = scope.getByRole('region', { name: blockName });
  await block.waitFor();
  const read = async (key: string) => Number(await block.locator(`[data-outcome="${key}"]`).textContent());
  return {
    conversations: await read('conversations'),
    parts: await Promise.all(['resolvedByAi', 'clawedBack', 'escalated', 'abandoned', 'open'].map(read)),
  };
}

describe.skipIf(!haveChromium)('measurement in Chromium', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    const kinds = [measurementTestKind];
    srv = await startServer({ llm: null, kinds });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    // The events happened in the past: a second app on the same database writes them on a manual clock.
    clock = new ManualClock(daysAgo(45));
    writer = createApp(srv.db, {
      clock,
      kinds,
      runtime: { modeFor: async (_q, a) => (a.config.testMode as Mode | undefined) ?? 'production' },
    });
    const shop = await agentCreator(writer, 'test', {
      kind: 'custom',
      name: 'shop',
      displayName: 'Shop',
      config: { testMode: 'production' },
    });
    const heavy = await agentCreator(writer, 'test', {
      kind: 'custom',
      name: 'heavy',
      displayName: 'Heavy',
      config: { testMode: 'production' },
    });
    shopId = shop.id;
    heavyId = heavy.id;
    clock.set(daysAgo(40));
    await say(writer, shop.id, 'old', 'What are your hours?');
    for (const [i, who] of ['ann', 'ben', 'cat'].entries()) {
      clock.set(daysAgo(10, 10 + i));
      await say(writer, shop.id, who, 'What are your hours?');
    }
    clock.set(daysAgo(9));
    const handoff = await say(writer, shop.id, 'dee', 'please escalate me');
    clock.set(new Date(daysAgo(9).getTime() + 5 * 60_000));
    await escalationClaimer(writer, 'user:mo@example.com', handoff.escalationId!);
    clock.set(new Date(daysAgo(9).getTime() + 25 * 60_000));
    await escalationResolver(writer, 'user:mo@example.com', handoff.escalationId!, 'done');
    clock.set(daysAgo(8));
    await say(writer, shop.id, 'eve', 'which one');
    // heavy: one answer that held against five hours of upkeep: net −4.5 h over the last 30 days.
    clock.set(daysAgo(5));
    await say(writer, heavy.id, 'fay', 'What are your hours?');
    clock.set(daysAgo(3));
    await workLogger(writer, 'user:mo@example.com', heavy.id, { minutes: 300, note: 'hand retraining' });
    clock.set(new Date());
    const measurement = measurementKindsOf(writer);
    expect((await maintenanceTrapChecker(writer, heavy.id, measurement)).changed).toBe('entered');
    expect((await maintenanceTrapChecker(writer, shop.id, measurement)).changed).toBeNull();

    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.setViewportSize({ width: 1366, height: 900 });
    recordBrowserProblems(browser.context, browserLog);
    await signIn(page);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `measurement-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
      () => {},
    );
    console.error(`browser log for "${ctx.task.name}" (at ${page.url()}):\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await writer?.runtime.settle();
    await srv?.close();
  });

  it("adds the overview's parts up to the whole, and shows the trap of the agent in it only", async () => {
    await page.goto(`${srv.url}/`);
    const all = await outcomesIn(page, /All agents, outcomes of the last 30 days/);
    // shop: 3 resolved + 1 escalated + 1 abandoned in the last 30 days; heavy: 1 resolved.
    expect(all.conversations).toBe(6);
    expect(all.parts).toEqual([4, 0, 1, 1, 0]);
    const cards = [];
    for (const name of ['shop', 'heavy']) {
      const card = await outcomesIn(
        page.locator(`article[data-agent="${name}"]`),
        /^Outcomes, last 30 days$/,
      );
      expect(card.parts.reduce((a, b) => a + b, 0)).toBe(card.conversations);
      cards.push(card.conversations);
    }
    expect(cards).toEqual([5, 1]);
    const banners = page.getByRole('alert').filter({ hasText: 'maintenance trap' });
    // The overview's banner and the card's, both for Heavy.
    await expect.poll(() => banners.count()).toBe(2);
    await expect.poll(() => page.locator('[data-trap="shop"]').count()).toBe(0);
    expect(await banners.first().textContent()).toContain('net -4.5 h');
    expect(await banners.first().textContent()).toContain('move it to pilot');
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot(page, 'measurement-overview');
  });

  it("shows a month's figures as the API computes them, with the charts, the CSV and the work log", async () => {
    await page.goto(`${srv.url}/agents/shop/measurement`);
    await page.getByRole('heading', { level: 1, name: 'Measurement of Shop' }).waitFor();
    const monthKey = daysAgo(10).toISOString().slice(0, 7);
    await page.getByRole('button', { name: monthKey }).click();
    const expected = await agentMetrics(srv.db, shopId, monthRange(monthKey), {
      kinds: measurementKindsOf(srv.app),
      now: new Date(),
    });
    const figure = (label: string) => page.locator(`td[data-figure="${label}"]`).textContent();
    expect(await figure('Net hours')).toBe(`${expected.hours.net} h`);
    expect(await figure('Hours saved')).toBe(`${expected.hours.saved} h`);
    expect(await figure('Conversations')).toBe(String(expected.outcomes.conversations));
    expect(await figure('Human time')).toBe(`${expected.humanMinutes.total} min`);
    const netChart = page.getByRole('img', { name: /^Net hours per month/ });
    expect(await netChart.getAttribute('aria-label')).toContain(`${monthKey} ${expected.hours.net} h`);
    await page.getByRole('img', { name: /^Cost per conversation per month/ }).waitFor();
    expect(await page.locator('[data-trap="shop"]').count()).toBe(0);

    const csv = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      (await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'))!,
    );
    expect(csv.split('\r\n')[0]).toContain('net_hours');
    expect(csv).toContain(`shop,${monthKey},`);

    // Logging 15 minutes today adds to this month's human time.
    const thisMonth = new Date().toISOString().slice(0, 7);
    await page.getByLabel('Minutes').fill('15');
    await page.getByLabel('What it was').fill('reviewing transcripts');
    await page.getByRole('button', { name: 'Log time' }).click();
    await page.getByRole('button', { name: thisMonth }).click();
    await expect
      .poll(() => figure('Human time'))
      .toBe(
        `${(await agentMetrics(srv.db, shopId, monthRange(thisMonth), { now: new Date() })).humanMinutes.total} min`,
      );
    const [logged] = await srv.db.query<{ minutes: number; logged_by: string }>(
      'SELECT minutes, logged_by FROM work_log WHERE agent_id = $1',
      [shopId],
    );
    expect(logged).toEqual({ minutes: 15, logged_by: 'user:mo@example.com' });
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot(page, 'measurement-page');
  });

  it('shows the trap banner with its figures on the page of the agent in it', async () => {
    await page.goto(`${srv.url}/agents/heavy/measurement`);
    const banner = page.locator('[data-trap="heavy"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Narrow the agent');
    expect(heavyId).toBeTruthy();
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'measurement-trap-narrow');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('says a new agent with only its set-up time is not judged, instead of putting it in the trap', async () => {
    const fresh = await agentCreator(writer, 'test', {
      kind: 'custom',
      name: 'fresh',
      displayName: 'Fresh',
      config: { testMode: 'production' },
    });
    await workLogger(writer, 'user:mo@example.com', fresh.id, {
      minutes: 90,
      note: 'writing the knowledge base',
    });
    expect((await maintenanceTrapChecker(writer, fresh.id, measurementKindsOf(writer))).changed).toBeNull();
    await page.goto(`${srv.url}/agents/fresh/measurement`);
    await page.getByRole('heading', { level: 1, name: 'Measurement of Fresh' }).waitFor();
    await expect
      .poll(() => page.locator('[data-trap-idle]').textContent())
      .toMatch(/Not judged .* no conversation/);
    expect(await page.locator('[data-trap="fresh"]').count()).toBe(0);
    expect(await page.locator('td[data-figure="Net hours"]').textContent()).toMatch(/^-1\.\d+ h$/);
    expect(await a11yProblems(page)).toEqual([]);
  });
});
