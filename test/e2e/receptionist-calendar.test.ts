// The receptionist's dashboard wing in a real Chromium against a real server: the calendar books a free time from
// the grid (service, resource, customer) and shows the block, moves it, cancels it after a confirmation, says a
// taken slot in words with the next free times, and confirms a tentative booking; the business page adds a service
// and shows the server's field error for a bad one; the call log lists a call with its transcript. The agent is
// inserted directly and, until the server-side kind is registered, a stub kind serves the receptionist's routes.
// Screenshots: test-artifacts/screenshots/receptionist-*.png (1366 px and 390 px wide).
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userCreator } from '../../src/accounts/users.ts';
import { receptionistAgent } from '../../src/agents/receptionist/test-support.ts';
import { bookingCreator } from '../../src/business/bookings.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../../src/business/profile.ts';
import { addDays, dayLabel, instantAt, localDate } from '../../web/src/agents/receptionist/grid.ts';
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

const ADMIN = { name: 'Rae Admin', email: 'rae@example.com', password: 'a long enough password' };
const TZ = 'Europe/London';
const haveChromium = existsSync(CHROMIUM);

let srv: TestServer;
let browser: TestBrowser;
let page: Page;
const browserLog: string[] = [];
let agentId: string;
let bea: { id: string };
let cy: { id: string };
let cut: { id: string };
// Tomorrow in the business's zone: every time on it is in the future whatever the hour now.
const day = addDays(localDate(new Date(), TZ), 1);
const at = (hhmm: string) => instantAt(day, hhmm, TZ);

async function signIn(p: Page) {
  await p.goto(`${srv.url}/login`);
  await p.getByLabel('Email').fill(ADMIN.email);
  await p.getByLabel('Password').fill(ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Agents' }).waitFor({ timeout: 10_000 });
}

async function bookingsOf(status?: string) {
  return srv.db.query<{ code: string; starts_at: Date; status: string; resource_id: string }>(
    `SELECT code, starts_at, status, resource_id FROM bookings WHERE agent_id = $1 ${status ? 'AND status = $2' : ''}
     ORDER BY starts_at`,
    status ? [agentId, status] : [agentId],
  );
}

async function openTomorrow(p: Page) {
  await p.goto(`${srv.url}/agents/front-desk/calendar`);
  await p.getByRole('heading', { level: 1, name: 'Calendar' }).waitFor();
  await p.getByRole('button', { name: 'Next day' }).click();
  await p.getByRole('heading', { level: 2, name: dayLabel(day) }).waitFor();
}

describe.skipIf(!haveChromium)("the receptionist's calendar, business page and call log in Chromium", () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    srv = await startServer({ llm: null });
    await userCreator(srv.app, 'test', { ...ADMIN, role: 'admin' });
    agentId = await receptionistAgent(srv.app.db, 'front-desk');
    await profileSaver(srv.app, 'test', agentId, {
      timezone: TZ,
      hours: { days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 0, maxDaysAhead: 400, slotStepMin: 30 },
    });
    bea = await resourceCreator(srv.app, 'test', agentId, { name: 'Bea', kind: 'staff' });
    cy = await resourceCreator(srv.app, 'test', agentId, { name: 'Cy', kind: 'staff' });
    cut = await serviceCreator(srv.app, 'test', agentId, {
      name: 'Haircut',
      durationMin: 60,
      priceCents: 3500,
      resourceIds: [bea.id, cy.id],
    });
    // One the agent held in pilot, waiting for a person.
    await bookingCreator(srv.app, 'test', agentId, {
      serviceId: cut.id,
      resourceId: cy.id,
      start: at('15:00').toISOString(),
      customer: { name: 'Tess Tentative' },
      status: 'tentative',
      idempotencyKey: 'tentative-1',
    });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.setViewportSize({ width: 1366, height: 900 });
    recordBrowserProblems(browser.context, browserLog);
    await signIn(page);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(page, `receptionist-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(
      () => {},
    );
    console.error(`browser log for "${ctx.task.name}" (at ${page.url()}):\n${browserLog.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('books a free time from the calendar, moves it, and cancels it after a confirmation', async () => {
    await openTomorrow(page);
    expect(await a11yProblems(page)).toEqual([]);
    await page.getByRole('button', { name: `Book Bea, ${dayLabel(day)} at 10:00` }).click();
    const form = page.getByRole('dialog', { name: 'New booking' });
    await form.getByLabel('Service').selectOption({ label: 'Haircut (60 min)' });
    await form.getByLabel('Customer name').fill('Ada Lovelace');
    await form.getByLabel('Phone (optional)').fill('+44 7700 900123');
    await form.getByRole('button', { name: 'Book' }).click();
    await form.waitFor({ state: 'hidden' });

    const [made] = await bookingsOf('confirmed');
    expect(made).toMatchObject({ status: 'confirmed', resource_id: bea.id });
    expect(new Date(made!.starts_at).toISOString()).toBe(at('10:00').toISOString());
    const block = page.locator(`.rc-booking[data-code="${made!.code}"]`);
    await block.waitFor();
    expect(await block.textContent()).toContain('Haircut');
    expect(await block.textContent()).toContain('Ada Lovelace');
    expect(await block.textContent()).toContain('10:00–11:00');
    // The tentative one is marked as such.
    expect(await page.locator('.rc-booking.rc-tentative').textContent()).toContain('tentative');
    await screenshot(page, 'receptionist-calendar-day');

    // Move it to 14:00 with Cy.
    await block.click();
    const details = page.getByRole('dialog', { name: `Booking ${made!.code}` });
    await details.getByRole('button', { name: 'Move' }).click();
    await details.getByLabel('New time').fill('14:00');
    await details.getByLabel('With').selectOption({ label: 'Cy' });
    await details.getByRole('button', { name: 'Move booking' }).click();
    await details.waitFor({ state: 'hidden' });
    await page.locator(`.rc-booking[data-code="${made!.code}"]`, { hasText: '14:00–15:00' }).waitFor();
    const [moved] = await bookingsOf('confirmed');
    expect(new Date(moved!.starts_at).toISOString()).toBe(at('14:00').toISOString());
    expect(moved!.resource_id).toBe(cy.id);
    expect(await page.locator('[data-resource="Cy"]').locator(`[data-code="${made!.code}"]`).count()).toBe(1);

    // Cancel it: a confirmation first.
    await page.locator(`.rc-booking[data-code="${made!.code}"]`).click();
    await page
      .getByRole('dialog', { name: `Booking ${made!.code}` })
      .getByRole('button', { name: 'Cancel booking' })
      .click();
    const confirm = page.getByRole('dialog', { name: `Cancel booking ${made!.code}?` });
    await confirm.getByLabel('Reason (optional)').fill('customer rang');
    await confirm.getByRole('button', { name: 'Cancel booking' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.locator(`.rc-booking[data-code="${made!.code}"]`).waitFor({ state: 'detached' });
    expect((await bookingsOf('cancelled')).map((b) => b.code)).toEqual([made!.code]);
  });

  it('says a slot taken meanwhile in words with the next free times, and confirms a tentative booking', async () => {
    await openTomorrow(page);
    // Someone books Bea at 11:00 after the page was drawn.
    await bookingCreator(srv.app, 'test', agentId, {
      serviceId: cut.id,
      resourceId: bea.id,
      start: at('11:00').toISOString(),
      customer: { name: 'Phone Caller' },
      idempotencyKey: 'meanwhile-1',
    });
    await page.getByRole('button', { name: `Book Bea, ${dayLabel(day)} at 11:00` }).click();
    const form = page.getByRole('dialog', { name: 'New booking' });
    await form.getByLabel('Customer name').fill('Late Comer');
    await form.getByRole('button', { name: 'Book' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('That time was just booked');
    const nearby = form.locator('.rc-alts button');
    expect(await nearby.count()).toBeGreaterThan(0);
    await screenshot(page, 'receptionist-slot-taken', false);
    // Take the first time offered.
    await nearby.first().click();
    await form.getByRole('button', { name: 'Book' }).click();
    await form.waitFor({ state: 'hidden' });
    const late = (await bookingsOf('confirmed')).filter((b) => b.code);
    expect(late.length).toBe(2);

    const tentative = page.locator('.rc-booking.rc-tentative');
    await tentative.click();
    const details = page.getByRole('dialog', { name: /^Booking / });
    await details.getByRole('button', { name: 'Confirm' }).click();
    await details.waitFor({ state: 'hidden' });
    await page.locator('.rc-booking', { hasText: 'Tess Tentative' }).waitFor();
    expect(await page.locator('.rc-booking.rc-tentative').count()).toBe(0);
    expect(await bookingsOf('tentative')).toEqual([]);

    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: /^Week of/ }).waitFor();
    await screenshot(page, 'receptionist-calendar-week');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await screenshot(page, 'receptionist-calendar-390');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('adds a service on the business page, showing the server’s field error for a bad one', async () => {
    await page.goto(`${srv.url}/agents/front-desk/business`);
    await page.getByRole('heading', { level: 1, name: 'Business' }).waitFor();
    expect(await page.getByLabel('Time zone').inputValue()).toBe(TZ);
    // The week: a Monday that closes before it opens is refused by the server, naming the field; then Sunday off.
    const hours = page.getByRole('form', { name: 'Hours and booking rules' });
    await hours.getByLabel('Opening hours: Monday closes').fill('08:00');
    await hours.getByRole('button', { name: 'Save hours and rules' }).click();
    const refused = hours.getByRole('alert');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('Not saved.');
    expect(await refused.textContent()).toMatch(/mon/);
    await hours.getByLabel('Opening hours: Monday closes').fill('18:00');
    await hours.getByLabel('Sunday', { exact: true }).uncheck();
    await hours.getByRole('button', { name: 'Save hours and rules' }).click();
    await refused.waitFor({ state: 'detached' });
    await expect
      .poll(async () => {
        const [p] = await srv.db.query<{ hours: { hours?: Record<string, string> } }>(
          'SELECT hours FROM business_profiles WHERE agent_id = $1',
          [agentId],
        );
        return p?.hours.hours;
      })
      .toEqual({
        mon: '09:00-18:00',
        tue: '09:00-18:00',
        wed: '09:00-18:00',
        thu: '09:00-18:00',
        fri: '09:00-18:00',
        sat: '09:00-18:00',
      });
    await page.getByRole('button', { name: 'Add service' }).click();
    const form = page.getByRole('dialog', { name: 'New service' });
    await form.getByLabel('Name').fill('Beard trim');
    await form.getByLabel('Duration (minutes)').fill('1');
    await form.getByLabel('Price (optional)').fill('15.50');
    await form.getByRole('button', { name: 'Save service' }).click();
    const error = form.locator('.field-invalid .field-error');
    await error.waitFor();
    expect(await form.getByRole('alert').textContent()).toContain('Not saved.');
    await screenshot(page, 'receptionist-business-error', false);
    await form.getByLabel('Duration (minutes)').fill('20');
    await form.getByLabel('Bea').uncheck();
    await form.getByRole('button', { name: 'Save service' }).click();
    await form.waitFor({ state: 'hidden' });
    const row = page.locator('tr[data-service="Beard trim"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('20 min');
    expect(await row.textContent()).toContain('15.50');
    const [stored] = await srv.db.query<{ duration_min: number; price_cents: number }>(
      `SELECT duration_min, price_cents FROM business_services WHERE agent_id = $1 AND name = 'Beard trim'`,
      [agentId],
    );
    expect(stored).toMatchObject({ duration_min: 20, price_cents: 1550 });
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot(page, 'receptionist-business');

    // A private calendar feed URL for Bea, shown once.
    await page.getByRole('button', { name: 'Create feed URL for Bea' }).click();
    const url = await page.locator('.rc-feed input').inputValue();
    expect(url).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');
  });

  it('lists a call with its outcome and transcript on the call log', async () => {
    const now = new Date();
    await srv.db.query(
      `INSERT INTO voice_calls (call_id, agent_id, conversation_id, customer_number, status, ended_reason, transcript,
         summary, cost, started_at, ended_at, created_at, updated_at)
       VALUES ('call-1', $1, 'v_call-1', '+447700900555', 'ended', 'customer-ended-call',
         'AI: Front desk, how can I help?\nUser: A haircut tomorrow please', 'Asked for a haircut.', 0.42, $2, $3, $2, $3)`,
      [agentId, now, new Date(now.getTime() + 125_000)],
    );
    await page.goto(`${srv.url}/agents/front-desk/calls`);
    const row = page.locator('tr[data-call="call-1"]');
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('+447700900555');
    expect(text).toContain('2 min 5 s');
    expect(text).toContain('$0.42');
    expect(text).toContain('Asked for a haircut.');
    await row.getByText('Transcript').click();
    expect(await row.locator('pre').textContent()).toContain('User: A haircut tomorrow please');
    await screenshot(page, 'receptionist-calls');
  });
});
