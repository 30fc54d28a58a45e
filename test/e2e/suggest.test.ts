// Phrasings suggested by the LLM on the KB page, in a real Chromium against a real server and a fake Anthropic API:
// the panel names the model while it asks, shows an error in place and asks again, lists each suggestion with
// what the engine does with it today (new ones picked, known ones and another entry's question not), shows the
// model's text as text, says what the call cost, and adds the picked phrasings in one new version. Without an LLM
// the button is not offered. Screenshots: test-artifacts/screenshots/kb-suggest*.png.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { type EventBus, openEventBus } from '../../src/events/bus.ts';
import { prepareEngines } from '../../src/knowledge/engines.ts';
import { faqCreator } from '../../src/knowledge/kb.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import {
  anthropicMessageTexts,
  type FakeAnthropic,
  fakeAnthropicSettings,
  startFakeAnthropic,
} from '../fakes/anthropic.ts';
import {
  a11yProblems,
  CHROMIUM,
  ensureDashboardBuilt,
  launchBrowser,
  lookalikeAgent,
  recordBrowserProblems,
  screenshot,
  startServer,
  type TestBrowser,
  type TestServer,
} from './harness.ts';

const ADMIN = { name: 'Kim Reviewer', email: 'kim@example.com', password: 'a long enough password' };
const AGENT = 'northwind';
const MODEL = 'fake-model-1';
const STEP_TIMEOUT = 60_000;

const ENTRIES = [
  {
    title: 'Opening hours',
    answer: 'We are open Monday to Friday, 9:00 to 17:30.',
    phrasings: ['when are you open', 'what are your opening hours', 'what time do you close'],
  },
  {
    title: 'Gift cards',
    answer: 'Gift cards from £10, in the shop and online.',
    phrasings: ['do you sell gift cards', 'can I buy a gift card', 'gift voucher for a friend'],
  },
  {
    title: 'Returns',
    answer: 'Send it back within 30 days for a full refund.',
    phrasings: ['how do I return an item', 'can I send my order back', 'refund policy'],
  },
  {
    title: 'Delivery times',
    answer: 'Two to four working days.',
    phrasings: ['how long does delivery take', 'when will my parcel arrive', 'shipping time'],
  },
];

// What the model "writes" for "Opening hours". The verdicts come from the agent's own engine (threshold 0.5); these
// texts are far from the line on this KB (confidences about 0.01, 0.99, 1.0 and 0.87 when this test was written).
/** Words the KB has never seen: the engine does not answer it yet, so adding it teaches it something. */
const NEW = 'is anybody staffing the counter on bank holiday mornings';
/** An existing phrasing re-cased: the server drops it. */
const DUPLICATE = 'When Are You Open';
/** Really a question for "Gift cards". */
const CONFLICT = 'can I buy gift cards online';
/** Answered with this entry already. */
const KNOWN = 'what are your opening hours today';
/** Markup from the model is text on the page, never an element. */
const HOSTILE = '<img src=x onerror=alert(1)> what are your opening hours';

const haveChromium = existsSync(CHROMIUM);

let fake: FakeAnthropic;
let srv: TestServer;
let stopPreparing: () => Promise<void>;
let bus: EventBus;
let browser: TestBrowser;
let page: Page;
const browserLog: string[] = [];

async function heading(p: Page, name: string | RegExp) {
  await p.getByRole('heading', { level: 1, name }).waitFor({ state: 'visible', timeout: 10_000 });
}

async function signIn(p: Page, url: string) {
  await p.goto(`${url}/login`);
  await p.getByLabel('Email').fill(ADMIN.email);
  await p.getByLabel('Password').fill(ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await heading(p, 'Agents');
}

/** An admin and the Northwind agent with its four entries, on `server`'s database. */
async function seed(server: TestServer): Promise<void> {
  await userCreator(server.app, 'test', { ...ADMIN, role: 'admin' });
  const agent = await agentCreator(server.app, 'test', {
    kind: SUPPORT_KIND,
    name: AGENT,
    displayName: 'Northwind Cycles',
    confidenceThreshold: 0.5,
  });
  for (const e of ENTRIES) await faqCreator(server.app, 'test', agent.id, e);
}

async function kbVersion(): Promise<number> {
  const [row] = await srv.db.query<{ version: number }>(
    'SELECT s.version FROM kb_state s JOIN agents a ON a.id = s.agent_id WHERE a.name = $1',
    [AGENT],
  );
  return Number(row!.version);
}

describe.skipIf(!haveChromium)('phrasings suggested by the LLM in Chromium', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    fake = await startFakeAnthropic();
    srv = await startServer({
      llm: fakeAnthropicSettings(fake, MODEL, { [MODEL]: { input: 300, output: 1500 } }),
    });
    // As `twelve start` does: engines train when their KB changes, not on the next question.
    bus = await openEventBus(srv.db);
    stopPreparing = prepareEngines(srv.app, bus);
    await seed(srv);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    recordBrowserProblems(browser.context, browserLog);
    await signIn(page, srv.url);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `kb-suggest-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
      () => {},
    );
    console.error(`browser log for "${ctx.task.name}" (at ${page.url()}):\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stopPreparing?.();
    await bus?.close();
    await srv?.close();
    await fake?.close();
  });

  it(
    'asks the model, shows each suggestion with its verdict as text, and adds the picked ones in one version',
    async () => {
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      await page.goto(`${srv.url}/agents/${AGENT}/kb`);
      await heading(page, 'Knowledge base of Northwind Cycles');
      await page.getByText(`KB version ${ENTRIES.length}`).waitFor();
      const before = await kbVersion();
      expect(before).toBe(ENTRIES.length);

      // The first call fails (the provider's 500, no retries): the panel says so, and asking again works.
      fake.script(
        { status: 500, errorType: 'api_error', message: 'Internal server error' },
        {
          text: JSON.stringify({ phrasings: [NEW, DUPLICATE, CONFLICT, KNOWN, HOSTILE] }),
          usage: { input_tokens: 812, output_tokens: 164 },
          // Long enough to see the busy state.
          delayMs: 1_500,
        },
      );
      const entry = page.locator('article[data-entry="Opening hours"]');
      const open = entry.getByRole('button', { name: 'Suggest phrasings' });
      expect(await open.getAttribute('aria-expanded')).toBe('false');
      await open.click();
      expect(await open.getAttribute('aria-expanded')).toBe('true');
      const panel = entry.getByRole('form', { name: 'Suggested phrasings for “Opening hours”' });
      await panel.getByRole('alert').waitFor();
      expect((await panel.getByRole('alert').textContent())?.trim()).not.toBe('');
      expect(await panel.getByRole('button', { name: 'Add 0 selected' }).isDisabled()).toBe(true);

      await panel.getByRole('button', { name: 'Ask again' }).click();
      await panel.getByText(`Asking ${MODEL}…`).waitFor();
      expect(await panel.getByRole('alert').count()).toBe(0);
      const list = panel.getByRole('group', { name: /^4 suggested phrasings for “Opening hours”$/ });
      await list.waitFor();

      // The duplicate is gone; the others in the model's order, each with what adding it would do.
      const items = list.locator('li');
      expect(await items.locator('label').allTextContents()).toEqual([NEW, CONFLICT, KNOWN, HOSTILE]);
      const item = (text: string) => items.filter({ has: page.getByText(text, { exact: true }) });
      expect(await item(NEW).textContent()).toContain('New to the engine');
      expect(await item(NEW).getAttribute('data-verdict')).toBe('new');
      expect(await item(CONFLICT).textContent()).toMatch(
        /Now answered with “Gift cards” \(confidence [01]\.\d\d\)/,
      );
      expect(await item(CONFLICT).getAttribute('data-verdict')).toBe('conflict');
      expect(await item(KNOWN).textContent()).toContain('Already answered with this entry');
      expect(await item(HOSTILE).getAttribute('data-verdict')).toBe('known');
      // Only what is new to the engine is picked; the checkbox is named by the text, the verdict describes it.
      const box = (text: string) => list.getByRole('checkbox', { name: text, exact: true });
      expect(await box(NEW).isChecked()).toBe(true);
      expect(await box(CONFLICT).isChecked()).toBe(false);
      expect(await box(KNOWN).isChecked()).toBe(false);
      expect(await box(HOSTILE).isChecked()).toBe(false);
      expect(await box(CONFLICT).getAttribute('aria-describedby')).toBeTruthy();

      // The model's markup is shown as text: no image, no handler run.
      expect(await page.locator('main img[src="x"]').count()).toBe(0);
      expect(dialogs).toBe(0);

      await panel.getByText(`${MODEL} · 812 + 164 tokens · 1¢`).waitFor();
      await panel
        .getByText(/^Suggested by the LLM \(fake-model-1\): nothing is added until you choose/)
        .waitFor();

      // The model was told which entry: its title and answer are in the prompt.
      expect(fake.requests).toHaveLength(2);
      const prompt = anthropicMessageTexts(fake.requests[1]!.body, 'user').join('\n');
      expect(prompt).toContain('Opening hours');
      expect(prompt).toContain(ENTRIES[0]!.answer);

      expect(await a11yProblems(page)).toEqual([]);
      await screenshot(page, 'kb-suggest');
      // On a phone the panel fits the width.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'kb-suggest-phone');
      await page.setViewportSize({ width: 1280, height: 800 });

      await panel.getByRole('button', { name: 'Add 1 selected' }).click();
      await panel.waitFor({ state: 'detached' });
      expect(await open.getAttribute('aria-expanded')).toBe('false');
      await page.getByText(`KB version ${before + 1}`).waitFor();
      await entry.getByText('4 phrasings').click();
      await entry.getByRole('listitem').filter({ hasText: NEW }).waitFor();
      expect(await kbVersion()).toBe(before + 1);
      const [row] = await srv.db.query<{ phrasings: string[]; version: number }>(
        `SELECT phrasings, version FROM kb_entries WHERE title = 'Opening hours' AND deleted_at IS NULL`,
      );
      expect(row!.phrasings).toEqual([...ENTRIES[0]!.phrasings, NEW]);
      expect(Number(row!.version)).toBe(2);
      expect(fake.pending()).toBe(0);
    },
    STEP_TIMEOUT,
  );

  it(
    'asks for phrasings that tell apart two entries the KB health finds mistaken for one another',
    async () => {
      // Two entries asked in the same words: training takes one for the other.
      const agentId = await lookalikeAgent(
        srv.app,
        [
          ['Reset password', 'reset my password'],
          ['Book a repair', 'book a repair'],
        ],
        { confidenceThreshold: 0.5 },
      );
      await page.goto(`${srv.url}/agents/lookalike/kb`);
      await heading(page, 'Knowledge base of Lookalike');
      const section = page.getByRole('region', { name: 'How well it tells entries apart' });
      await section.getByText(/^While training version 4, the engine held out/).waitFor();
      const pairs = section.getByRole('table', { name: 'Entries it takes for one another' });
      const row = pairs.locator('tbody tr').first();
      const [entry, other] = (await row.getByRole('link').allTextContents()) as [string, string];
      expect([entry, other].sort()).toEqual(['Cancel an order', 'Cancel my order']);

      fake.script({
        text: JSON.stringify({ phrasings: ['stop the order I placed this morning before it ships'] }),
      });
      const tell = row.getByRole('button', { name: `Tell apart “${entry}” from “${other}”` });
      await tell.click();
      expect(await tell.getAttribute('aria-expanded')).toBe('true');
      const panel = section.getByRole('form', {
        name: `Suggested phrasings for “${entry}” to tell it from “${other}”`,
      });
      const box = panel.getByRole('checkbox', {
        name: 'stop the order I placed this morning before it ships',
      });
      await box.waitFor();
      // The model saw both entries: this one, and the one it is mistaken for.
      const prompt = anthropicMessageTexts(fake.requests.at(-1)!.body, 'user').join('\n');
      expect(prompt).toContain(`<contrast>\n<title>${other}</title>`);
      expect(await a11yProblems(page)).toEqual([]);
      await screenshot(page, 'kb-suggest-apart');

      if (!(await box.isChecked())) await box.check();
      await panel.getByRole('button', { name: 'Add 1 selected' }).click();
      await panel.waitFor({ state: 'detached' });
      // Saved as a phrasing of that entry, and the health is measured again on the new version.
      await section.getByText(/^While training version 5, the engine held out/).waitFor();
      const [saved] = await srv.db.query<{ phrasings: string[] }>(
        'SELECT phrasings FROM kb_entries WHERE agent_id = $1 AND title = $2',
        [agentId, entry],
      );
      expect(saved!.phrasings.at(-1)).toBe('stop the order I placed this morning before it ships');
    },
    STEP_TIMEOUT,
  );

  it(
    'does not offer suggestions when no LLM is configured',
    async () => {
      const plain = await startServer({ llm: null });
      try {
        await seed(plain);
        // Another port, the same host: the cookie of the first server is replaced by this one's.
        await signIn(page, plain.url);
        await page.goto(`${plain.url}/agents/${AGENT}/kb`);
        await heading(page, 'Knowledge base of Northwind Cycles');
        const entry = page.locator('article[data-entry="Opening hours"]');
        await entry.getByRole('button', { name: 'Add phrasing' }).waitFor();
        expect(await page.getByRole('button', { name: 'Suggest phrasings' }).count()).toBe(0);
      } finally {
        await plain.close();
      }
    },
    STEP_TIMEOUT,
  );
});
