// Pins the chat widget in a real Chromium on the demo page (served with a strict CSP): answers with sources, hostile
// text shown as text, hand-off announced, a person's reply from the inbox API arriving live, resync after a dropped
// socket, the conversation kept across reloads, keyboard/ARIA basics, and phone width. Screenshots go to
// test-artifacts/screenshots/widget-*.png.
import { existsSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tokenCreator } from '../../src/accounts/users.ts';
import { northwindAgent } from '../support/webchat.ts';
import {
  CHROMIUM,
  launchBrowser,
  screenshot,
  startServer,
  type TestBrowser,
  type TestServer,
} from './harness.ts';

const STEP_TIMEOUT = 60_000;
const haveChromium = existsSync(CHROMIUM);
const HANDOFF = 'Connecting you to a person. Usual reply time: within 15 minutes.';

let srv: TestServer;
let browser: TestBrowser;
let page: Page;
let token = '';
const dialogs: string[] = [];
const browserLog: string[] = [];

const widget = (p: Page) => p.locator('[data-twelve-chat="northwind"]');
const panel = (p: Page) => p.getByRole('dialog', { name: 'Northwind Cycles' });
const log = (p: Page): Locator => panel(p).getByRole('log');

async function ask(p: Page, text: string) {
  const input = panel(p).getByLabel('Your message');
  await input.fill(text);
  await input.press('Enter');
}

/** The person in the inbox answers, through the HTTP API the dashboard uses. */
async function replyFromInbox(text: string) {
  const [esc] = await srv.db.query<{ id: string }>(
    `SELECT id FROM escalations WHERE state <> 'resolved' ORDER BY created_at DESC LIMIT 1`,
  );
  const res = await fetch(`${srv.url}/api/escalations/${esc!.id}/reply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(res.status).toBe(201);
}

describe.skipIf(!haveChromium)('chat widget in Chromium', () => {
  beforeAll(async () => {
    srv = await startServer();
    await northwindAgent(srv.app, 'northwind', { businessHours: { replyTime: '15 minutes' } });
    token = (await tokenCreator(srv.app, 'test', { name: 'inbox', role: 'reviewer' })).token;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    browser.context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    browser.context.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') browserLog.push(`console: ${m.text()}`);
    });
    browser.context.on('weberror', (e) => browserLog.push(`page error: ${e.error().message}`));
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `widget-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
      () => {},
    );
    console.error(`browser log for "${ctx.task.name}":\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it(
    'opens from its launcher, answers with sources, and keeps hostile text as text [channel:escaped-output]',
    async () => {
      await page.goto(`${srv.url}/demo`);
      const launcher = widget(page).getByRole('button', { name: /^Open chat: Chat with us/ });
      await launcher.waitFor();
      await screenshot(page, 'widget-closed', false);
      await launcher.click();
      await expect.poll(() => panel(page).isVisible()).toBe(true);
      // Focus moves into the panel, on the message field.
      expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe(
        'tw-input',
      );
      expect(await log(page).getAttribute('aria-live')).toBe('polite');

      await ask(page, 'When are you open?');
      await log(page)
        .getByText(/Monday to Friday 9:00–18:00/)
        .waitFor();
      await log(page).getByText('Sources: Opening hours').waitFor();
      await screenshot(page, 'widget-answer', false);

      const hostile = '<img src=x onerror=alert(1)>';
      await ask(page, hostile);
      await log(page).getByText(hostile, { exact: true }).waitFor();
      await log(page).locator('.msg.agent').nth(1).waitFor();
      const images = await widget(page).evaluate((host) => host.shadowRoot?.querySelectorAll('img').length);
      expect(images).toBe(0);
      expect(dialogs).toEqual([]);
      expect(browserLog.filter((l) => /Content Security Policy|refused/i.test(l))).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    'hands over to a person and shows their reply live',
    async () => {
      await panel(page).getByRole('button', { name: 'Talk to a person' }).click();
      await log(page).getByText(HANDOFF).waitFor();
      await expect
        .poll(() => panel(page).getByRole('button', { name: 'Talk to a person' }).isVisible())
        .toBe(false);

      await replyFromInbox('Hi, this is Sam from Northwind. Which day suits you?');
      const reply = log(page).locator('.msg.human');
      await reply.getByText('Hi, this is Sam from Northwind. Which day suits you?').waitFor();
      expect(await reply.locator('.who').textContent()).toBe('Team member');
      await screenshot(page, 'widget-handoff', false);
    },
    STEP_TIMEOUT,
  );

  it(
    'resyncs after the socket drops, and keeps the conversation across a reload',
    async () => {
      // Drop the socket from the page; a reply sent while it is gone must appear after the reconnect.
      await page.evaluate(() => {
        const w = (window as unknown as { __twelveChat: Record<string, { conn: { ws: WebSocket } }> })
          .__twelveChat;
        w.northwind!.conn.ws.close();
      });
      await replyFromInbox('Saturday works too.');
      await log(page).getByText('Saturday works too.').waitFor({ timeout: 15_000 });

      await page.reload();
      // The panel was open, so it opens again; the transcript comes back from the server.
      await log(page)
        .getByText(/Monday to Friday 9:00–18:00/)
        .waitFor();
      await log(page).getByText('<img src=x onerror=alert(1)>', { exact: true }).waitFor();
      await log(page).getByText('Saturday works too.').waitFor();
      await log(page).getByText(HANDOFF).waitFor();
      await screenshot(page, 'widget-reloaded', false);

      // Escape closes the panel and gives focus back to the launcher.
      await panel(page).getByLabel('Your message').focus();
      await page.keyboard.press('Escape');
      await expect.poll(() => panel(page).isVisible()).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toBe(
        'launcher',
      );
      expect(dialogs).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    'fills a phone screen and stays usable there',
    async () => {
      const phone = await browser.context.newPage();
      await phone.setViewportSize({ width: 375, height: 740 });
      await phone.goto(`${srv.url}/demo`);
      await widget(phone)
        .getByRole('button', { name: /^Open chat/ })
        .click();
      await log(phone).getByText('Saturday works too.').waitFor();
      const box = await panel(phone).boundingBox();
      expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 740 });
      await screenshot(phone, 'widget-phone', false);
      await phone.getByRole('button', { name: 'Close chat' }).click();
      await expect.poll(() => panel(phone).isVisible()).toBe(false);
      await phone.close();
    },
    STEP_TIMEOUT,
  );
});
