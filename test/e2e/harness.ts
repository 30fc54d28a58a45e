// Helpers for the browser tests: build the dashboard when web/dist is missing or older than its sources, start a
// real Twelve server on a free port, launch Debian's Chromium through playwright-core, and a few checks
// (keyboard reachability, labelled inputs) that Playwright's core library does not ship.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import type { AgentKind } from '../../src/agents/kind.ts';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { type App, createApp } from '../../src/app.ts';
import type { LlmSettings } from '../../src/engines/llm/settings.ts';
import { faqCreator } from '../../src/knowledge/kb.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import { buildServer } from '../../src/server/server.ts';
import { openTestDb, type TestDb } from '../support/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = join(ROOT, 'web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * The dashboard under test is the built one (what `twelve start` serves). It is built here when web/dist is
 * missing or older than web/src, web/public, web/index.html or web/vite.config.ts, so `npx vitest run test/e2e`
 * works from a clean clone and never tests a stale build.
 */
export function ensureDashboardBuilt(): void {
  const sources = ['src', 'public', 'index.html', 'vite.config.ts']
    .map((p) => join(WEB, p))
    .filter((p) => existsSync(p));
  const fresh =
    existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= Math.max(...sources.map(newestMtime));
  if (fresh) return;
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface TestServer {
  app: App;
  db: TestDb;
  server: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * A server on a fresh test database. `llm`: the LLM provider's settings (a fake's, say), or null for none; when
 * left out, createApp reads TWELVE_LLM_* from the environment as `twelve start` does. `kinds`: the kinds to assemble
 * (default: the registry's).
 */
export async function startServer(
  options: { llm?: LlmSettings | null; kinds?: readonly AgentKind[] } = {},
): Promise<TestServer> {
  const db = await openTestDb();
  const app = createApp(db, {
    ...(options.llm !== undefined ? { llm: options.llm } : {}),
    ...(options.kinds ? { kinds: options.kinds } : {}),
  });
  const server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    db,
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      await db.dispose();
    },
  };
}

/**
 * The support agent "lookalike" (shown as "Lookalike"): an entry per `topics` title ("Reset password" → phrasings of
 * "reset password"), then "Cancel my order" and "Cancel an order", asked in the same words, which training takes for
 * one another. One KB version per entry. Returns the agent's id.
 */
export async function lookalikeAgent(
  app: App,
  topics: [title: string, topic: string][],
  options: { confidenceThreshold?: number } = {},
): Promise<string> {
  const agent = await agentCreator(app, 'test', {
    kind: SUPPORT_KIND,
    name: 'lookalike',
    displayName: 'Lookalike',
    ...options,
  });
  const templates = ['how do I {t}', 'I want to {t}', 'can I {t} online', 'help me {t}', 'where do I {t}'];
  const phrase = (t: string, u = t) => templates.map((x, i) => x.replace('{t}', i % 2 ? t : u));
  const entries: [string, string[]][] = [
    ...topics.map(([title, topic]): [string, string[]] => [title, phrase(topic)]),
    ['Cancel my order', phrase('cancel my order', 'cancel an order')],
    ['Cancel an order', phrase('cancel an order', 'cancel my order')],
  ];
  for (const [title, phrasings] of entries)
    await faqCreator(app, 'test', agent.id, { title, answer: `${title}.`, phrasings });
  return agent.id;
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Records what went wrong in the page, for a failing test's message: console errors, uncaught page errors and API
 * answers of 400 or more.
 */
export function recordBrowserProblems(context: BrowserContext, log: string[]): void {
  context.on('console', (m) => {
    if (m.type() === 'error') log.push(`console: ${m.text()}`);
  });
  context.on('weberror', (e) => log.push(`page error: ${e.error().message}`));
  context.on('response', (r) => {
    if (r.status() >= 400 && r.url().includes('/api/'))
      log.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
}

export async function launchBrowser(): Promise<TestBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'twelve-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // A full-page capture of a scrolled page draws the sticky header in the middle: start from the top.
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path, fullPage });
  return path;
}

/** Presses Tab from the top of the page until `target` has focus; fails when it is not reachable by keyboard. */
export async function tabTo(page: Page, target: Locator, maxTabs = 120): Promise<number> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.locator('body').focus();
  for (let i = 1; i <= maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return i;
  }
  throw new Error(`not reachable with ${maxTabs} presses of Tab: ${target.toString()}`);
}

export interface A11yProblem {
  element: string;
  problem: string;
}

/**
 * Accessibility basics on the current page: every visible form control has an accessible name (a <label>,
 * aria-label or aria-labelledby), and nothing but native controls is made focusable or clickable-looking
 * (no tabindex on divs, no role=button on non-buttons).
 */
export async function a11yProblems(page: Page): Promise<A11yProblem[]> {
  return page.evaluate(() => {
    const problems: { element: string; problem: string }[] = [];
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if ((el as HTMLInputElement).type === 'hidden' || !visible(el)) continue;
      const labels = (el as HTMLInputElement).labels;
      const named =
        (labels && [...labels].some((l) => (l.textContent ?? '').trim() !== '')) ||
        (el.getAttribute('aria-label') ?? '').trim() !== '' ||
        (el.getAttribute('aria-labelledby') ?? '').trim() !== '';
      if (!named)
        problems.push({ element: describe(el), problem: 'form control without an accessible name' });
    }
    const native = new Set(['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'SUMMARY', 'DIALOG']);
    for (const el of document.querySelectorAll('[tabindex]')) {
      const t = Number(el.getAttribute('tabindex'));
      if (t >= 0 && !native.has(el.tagName))
        problems.push({ element: describe(el), problem: 'focusable element that is not a native control' });
    }
    for (const el of document.querySelectorAll('[role="button"], [role="link"]')) {
      if (!native.has(el.tagName))
        problems.push({ element: describe(el), problem: 'ARIA button/link on a non-control' });
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!visible(el)) continue;
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
      if (!name) problems.push({ element: describe(el), problem: 'button or link without text' });
    }
    return problems;
  });
}
