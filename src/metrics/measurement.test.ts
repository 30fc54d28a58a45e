// A month of known events driven through the real commands (conversations on web chat and voice, an answer clawed
// back, a hand-off worked, a clarifying question left unanswered, an approval, a paid tool, a draft reviewed in
// shadow, settings and KB edits, token spend, a Vapi end-of-call cost, time logged by hand) comes out of measurement
// exactly as computed by hand, in the API, the CSV and `twelve report`; the agent is not in the maintenance trap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../test/support/api.ts';
import { captureIo } from '../../test/support/cli.ts';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import {
  buildMeasurementApp,
  measurementTestKind,
  say,
  spendTokens,
} from '../../test/support/measurement.ts';
import type { App } from '../app.ts';
import { callFor, reportRecorder } from '../channels/voice/calls.ts';
import { reportCommand } from '../cli/commands/report.ts';
import { faqCreator, faqUpdater } from '../knowledge/kb.ts';
import { agentCreator, agentUpdater } from '../runtime/agents.ts';
import { escalationClaimer, escalationResolver } from '../runtime/escalations.ts';
import type { AgentConfig } from '../runtime/types.ts';
import { conversationCounts } from './conversations.ts';
import { metricsCsv } from './csv.ts';
import { agentMetrics, measurementKindsOf, monthRange } from './measurement.ts';
import { conversationOutcomeList } from './outcomes.ts';
import { measurementReport } from './report.ts';
import { maintenanceTrapChecker } from './trap.ts';
import { workLogger } from './work-log.ts';

const OWNER = 'user:owner@example.com';
const NOV = monthRange('2026-11');
let db: TestDb;
let app: App;
let clock: ReturnType<typeof buildMeasurementApp>['clock'];
let agent: AgentConfig;
const ids: Record<string, string> = {};

const at = (iso: string) => clock.set(`2026-${iso}:00.000Z`);

async function escalationOf(conversationId: string): Promise<string> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM escalations WHERE conversation_id = $1', [
    conversationId,
  ]);
  return row!.id;
}

beforeAll(async () => {
  db = await openTestDb();
  ({ app, clock } = buildMeasurementApp(db, '2026-10-30T09:00:00.000Z'));
  agent = await agentCreator(app, OWNER, {
    kind: 'custom',
    name: 'shop',
    displayName: 'Shop',
    spendCapCents: 1000,
    config: {
      testMode: 'production',
      voice: { phoneNumberId: 'pn-shop' },
      measurement: { hourlyRateCents: 6000 },
    },
  });
  const s = (customer: string, text: string) => say(app, agent.id, customer, text);

  // Before the month: alice's answer on Oct 31 is reopened by her question on Nov 2 (clawed back, not November's).
  at('10-31T10:00');
  ids.c0 = (await s('alice', 'What are your hours?')).conversation.id;
  at('11-02T10:00');
  ids.c1 = (await s('alice', 'What are your hours?')).conversation.id;
  // bob asks the price, and again the next day in a new conversation: the first answer did not hold.
  at('11-03T10:00');
  ids.c2 = (await s('bob', 'What is the price?')).conversation.id;
  at('11-04T10:00');
  ids.c3 = (await s('bob', 'The price again please')).conversation.id;
  // carol's conversation is handed off; a person claims it at 10:05 and resolves it at 10:25: 20 minutes.
  at('11-05T10:00');
  const c4 = await s('carol', 'Please escalate me');
  expect(c4.handledBy).toBe('human');
  ids.c4 = c4.conversation.id;
  at('11-05T10:05');
  await escalationClaimer(app, OWNER, c4.escalationId!);
  at('11-05T10:25');
  await escalationResolver(app, OWNER, c4.escalationId!, 'sorted on the phone');
  // dan is asked which bike he means and never answers: abandoned.
  at('11-06T10:00');
  ids.c5 = (await s('dan', 'which one is yours')).conversation.id;
  // erin's delete waits for approval (destructive); approved 15 minutes later, the run answers: resolved.
  at('11-07T10:00');
  const c6 = await s('erin', 'delete my note');
  expect(c6.run?.status).toBe('suspended');
  ids.c6 = c6.conversation.id;
  const [approval] = await db.query<{ id: string }>('SELECT id FROM approvals WHERE run_id = $1', [
    c6.run!.id,
  ]);
  at('11-07T10:15');
  await app.runtime.decideApproval(approval!.id, 'approve', OWNER);
  // A phone call answered on the hours, 3 minutes, $0.42 by Vapi's end-of-call report.
  at('11-08T10:00');
  const call = await callFor(app, {
    call: { id: 'call-1', phoneNumberId: 'pn-shop', customer: { number: '+447700900001' } },
  } as Parameters<typeof callFor>[1]);
  ids.c7 = call!.conversation.id;
  await say(app, agent.id, '+447700900001', 'what are your hours', call!.conversation);
  at('11-08T10:03');
  await reportRecorder(app, call!, {
    endedReason: 'customer-ended-call',
    transcript: 'AI: We open at 9:00 every day.',
    summary: null,
    cost: 0.42,
    recordingUrl: null,
    startedAt: new Date('2026-11-08T10:00:00Z'),
    endedAt: new Date('2026-11-08T10:03:00Z'),
    messages: [],
  });
  // fay's SMS is a paid tool: 5 cents, executed in production within the cap.
  at('11-09T10:00');
  ids.c10 = (await s('fay', 'send me an sms')).conversation.id;
  // The owner moves the agent to shadow for a morning (two settings edits, 40 minutes apart: two sessions); gus's
  // answer is a draft a person reviews from 10:02 to 10:10: 8 minutes.
  at('11-10T09:50');
  await agentUpdater(app, OWNER, agent.id, { config: { ...agent.config, testMode: 'shadow' } });
  at('11-10T10:00');
  const c9 = await s('gus', 'hours?');
  ids.c9 = c9.conversation.id;
  const review = await escalationOf(ids.c9);
  at('11-10T10:02');
  await escalationClaimer(app, OWNER, review);
  at('11-10T10:10');
  await escalationResolver(app, OWNER, review, 'the draft was right');
  at('11-10T10:30');
  await agentUpdater(app, OWNER, agent.id, { config: { ...agent.config, testMode: 'production' } });
  // KB edits: 10:00, 10:04, 10:12 (one session: 12 + 2 minutes), then 11:00 alone (2 minutes).
  at('11-12T10:00');
  const entry = await faqCreator(app, OWNER, agent.id, { title: 'Hours', answer: 'We open at 9:00.' });
  at('11-12T10:04');
  await faqUpdater(app, OWNER, entry.id, { answer: 'We open at 9:00 every day.' });
  at('11-12T10:12');
  await faqUpdater(app, OWNER, entry.id, { title: 'Opening hours' });
  at('11-12T11:00');
  await faqUpdater(app, OWNER, entry.id, { answer: 'We open at 9:00 every day, 8:00 on Saturdays.' });
  // Two model calls: 100k input tokens at $3/M and 20k output at $15/M = 60 cents each.
  at('11-15T12:00');
  expect(await spendTokens(app, agent.id, { inputTokens: 100_000, outputTokens: 20_000 })).toBe(60);
  expect(await spendTokens(app, agent.id, { inputTokens: 100_000, outputTokens: 20_000 })).toBe(60);
  // Half an hour of work outside Twelve, logged by hand.
  at('11-20T15:00');
  await workLogger(app, OWNER, agent.id, { minutes: 30, date: '2026-11-20', note: 'call with the owner' });
  // The last conversation of the month (hal), and one in December that November must not count.
  at('11-30T20:00');
  ids.c8 = (await s('hal', 'hours please')).conversation.id;
  at('12-01T10:00');
  await s('ivy', 'hours please');
});

afterAll(async () => {
  await app.runtime.settle();
  await db.dispose();
});

const kinds = () => measurementKindsOf(app);

describe('a month of known events', () => {
  it('gives each conversation one outcome by the documented rules', async () => {
    const list = await conversationOutcomeList(db, agent.id, NOV, new Date('2026-12-07T12:00:00Z'));
    const byId = Object.fromEntries(list.map((r) => [r.id, r.outcome]));
    expect(byId).toEqual({
      [ids.c1!]: 'resolvedByAi',
      [ids.c2!]: 'clawedBack',
      [ids.c3!]: 'resolvedByAi',
      [ids.c4!]: 'escalated',
      [ids.c5!]: 'abandoned',
      [ids.c6!]: 'resolvedByAi',
      [ids.c7!]: 'resolvedByAi',
      [ids.c8!]: 'resolvedByAi',
      [ids.c9!]: 'escalated',
      [ids.c10!]: 'resolvedByAi',
    });
    // October's conversation was clawed back by alice's return on Nov 2.
    const oct = await conversationOutcomeList(
      db,
      agent.id,
      monthRange('2026-10'),
      new Date('2026-12-07T12:00:00Z'),
    );
    expect(oct).toEqual([{ id: ids.c0, outcome: 'clawedBack' }]);
  });

  it('comes out exactly as computed by hand', async () => {
    const m = await agentMetrics(db, agent.id, NOV, {
      kinds: kinds(),
      now: new Date('2026-12-07T12:00:00Z'),
    });
    expect(m.outcomes).toEqual({
      conversations: 10,
      resolvedByAi: 6,
      clawedBack: 1,
      escalated: 2,
      abandoned: 1,
      open: 0,
      escalatedTotal: 3,
    });
    expect(m.kindOutcomes).toEqual([
      { name: 'deleted', label: 'Notes deleted', count: 1, minutesEach: 3, source: 'test' },
    ]);
    expect(m.settings).toEqual({
      minutesPerTask: 30,
      minutesPerTaskSource: 'test kind default',
      hourlyRateCents: 6000,
      hourlyRateSource: 'agent setting (config.measurement.hourlyRateCents)',
    });
    // Editing: two settings sessions (2 + 2) and two KB sessions (12 + 2, then 2) = 20 minutes in 4 sessions.
    // Maintenance: reviews 8 + approvals 15 + editing 20 + logged 30 = 73; hand-offs 20 on top.
    expect(m.humanMinutes).toEqual({
      handoffs: 20,
      reviews: 8,
      checkpoints: 0,
      approvals: 15,
      editing: 20,
      editingSessions: 4,
      logged: 30,
      maintenance: 73,
      total: 93,
    });
    // Saved: 6 resolved × 30 min + 1 deletion × 3 min = 183 min = 3.05 h; net (183 − 73) / 60 = 1.83 h.
    expect(m.hours).toEqual({ saved: 3.05, maintenance: 1.22, net: 1.83, handoffs: 0.33 });
    // Tokens 120 + SMS 5 + voice 42 = 167 cents; paid messages: none recorded.
    expect(m.costs).toEqual({
      tokensCents: 120,
      toolsCents: 5,
      voiceCents: 42,
      voiceMinutes: 3,
      voiceCalls: 1,
      paidMessagesCents: 0,
      paidMessages: 0,
      paidMessagesRecorded: false,
      totalCents: 167,
    });
    // AI: 167 / 10 conversations; human: 20 min over 3 escalated conversations at $60/h = 666.67 cents.
    expect(m.perConversation).toEqual({ aiCostCents: 16.7, humanMinutes: 6.67, humanCostCents: 666.67 });
    // Saving: 110 net minutes at $60/h = $110.00, less $1.67 of AI cost.
    expect(m.savingCents).toBe(10833);
  });

  it('counts a conversation still open at the end of the month as open, and the card adds up', async () => {
    const m = await agentMetrics(db, agent.id, NOV, {
      kinds: kinds(),
      now: new Date('2026-12-01T00:00:00Z'),
    });
    expect(m.outcomes).toMatchObject({ conversations: 10, resolvedByAi: 5, open: 1 });
    const card = await conversationCounts(db, agent.id, NOV.from, new Date('2026-12-07T12:00:00Z'));
    // Since Nov 1, with December's conversation: the parts add up to the whole.
    expect(card.conversations).toBe(11);
    expect(card.resolvedByAi + card.clawedBack + card.escalated + card.abandoned + card.open).toBe(11);
    expect(card.answeredByAi).toBe(card.resolvedByAi);
    expect(card.escalatedTotal).toBe(3);
  });

  it('is not in the maintenance trap, and records nothing', async () => {
    clock.set('2026-12-01T00:00:00.000Z');
    const { evaluation, changed } = await maintenanceTrapChecker(app, agent.id, kinds());
    // Windows Sep 2–Oct 2, Oct 2–Nov 1 (Oct 31's conversation was clawed back), Nov 1–Dec 1 (hal's still open):
    // saved 5 × 30 + 3 = 153 min, maintenance 73: net 1.33 h.
    expect(evaluation).toMatchObject({
      trapped: false,
      reason: null,
      windows: [0, 0, 1.33],
      slopePerMonth: 0.67,
    });
    expect(changed).toBeNull();
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM maintenance_traps');
    expect(row!.n).toBe(0);
  });

  it('serves the same figures over the API, as CSV, and from `twelve report`', async () => {
    clock.set('2026-12-07T12:00:00.000Z');
    const expected = await measurementReport(db, agent.id, NOV, { kinds: kinds(), now: clock.now() });
    expect(expected.months).toHaveLength(1);
    expect(expected.months[0]).toEqual(expected.metrics);

    const api = await buildApi({ app });
    try {
      const res = await api
        .as('viewer')
        .request('GET', '/api/agents/shop/metrics?from=2026-11-01&to=2026-12-01T00:00:00Z');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
      const csv = await api
        .as('viewer')
        .request('GET', '/api/agents/shop/metrics/csv?from=2026-11-01&to=2026-12-01');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.body).toBe(metricsCsv(expected.months));
      const [header, row] = csv.body.split('\r\n');
      const cells = Object.fromEntries(header!.split(',').map((h, i) => [h, row!.split(',')[i]]));
      expect(cells).toMatchObject({
        month: '2026-11',
        conversations: '10',
        resolved_by_ai: '6',
        clawed_back: '1',
        net_hours: '1.83',
        cost_total_usd: '1.67',
        ai_cost_per_conversation_usd: '0.17',
        human_cost_per_conversation_usd: '6.67',
        saving_usd: '108.33',
      });
      // Bad input is refused with a stable id.
      const bad = await api
        .as('viewer')
        .request('GET', '/api/agents/shop/metrics?from=2026-12-01&to=2026-11-01');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.id).toBe('validation_failed');
      const long = await api.as('viewer').request('GET', '/api/agents/shop/metrics?from=2020-01-01');
      expect(long.statusCode).toBe(400);
    } finally {
      await api.server.close();
    }

    const io = captureIo({});
    const opener = async () => Object.assign(Object.create(app) as App, { close: async () => {} });
    expect(await reportCommand(opener).run(['--agent', 'shop', '--month', '2026-11', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.join('\n'))).toEqual(JSON.parse(JSON.stringify(expected)));
    const text = captureIo({});
    expect(await reportCommand(opener).run(['--agent', 'shop', '--month', '2026-11'], text)).toBe(0);
    expect(text.stdout).toContain('Net hours                  1.83');
    expect(text.stdout).toContain('Saving                     $108.33');
    expect(text.stdout.join('\n')).toContain('Cost: paid messages        not recorded');
  });

  it('refuses a bad measurement setting with its path', async () => {
    await expect(
      agentUpdater(app, OWNER, agent.id, {
        config: { ...agent.config, measurement: { minutesPerTask: -1 } },
      }),
    ).rejects.toMatchObject({ id: 'validation_failed' });
  });

  it("uses the agent's own minutes per task over the kind's default, and says so", async () => {
    expect(measurementTestKind.measurement?.source).toBe('test kind default');
    clock.set('2026-12-07T12:00:00.000Z');
    const [row] = await db.query<{ config: Record<string, unknown> }>(
      'SELECT config FROM agents WHERE id = $1',
      [agent.id],
    );
    await agentUpdater(app, OWNER, agent.id, {
      config: { ...row!.config, measurement: { minutesPerTask: 12, hourlyRateCents: 6000 } },
    });
    const m = await agentMetrics(db, agent.id, NOV, { kinds: kinds(), now: clock.now() });
    expect(m.settings.minutesPerTask).toBe(12);
    expect(m.settings.minutesPerTaskSource).toBe('agent setting (config.measurement.minutesPerTask)');
    // 6 × 12 + 3 = 75 minutes saved; the December settings edit is not November's editing time.
    expect(m.hours).toEqual({ saved: 1.25, maintenance: 1.22, net: 0.03, handoffs: 0.33 });
  });
});
