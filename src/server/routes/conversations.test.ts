// The support team's inbox and the Conversations view over the API (issue 24), on PGlite and, with
// TEST_DATABASE_URL, the PostgreSQL server: the inbox card's real question (never the hand-off button's text),
// channel, customer and waiting time; assignment by name; saved replies; the reply-time target; the Conversations
// list's search, filters, server-side pages and review queue; the numbers adding up to the overview's; the CSV exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../../test/support/api.ts';
import { northwindAgent } from '../../../test/support/webchat.ts';
import { PERSON_REQUEST_TEXT } from '../../channels/webchat/session.ts';
import {
  type Conversation,
  conversationOpener,
  customerMessageHandler,
} from '../../conversations/conversations.ts';
import { satisfactionRecorder } from '../../conversations/inbox.ts';
import { conversationOutcomeList, conversationOutcomes } from '../../metrics/outcomes.ts';
import type { AgentConfig } from '../../runtime/types.ts';

let api: Api;
let agent: AgentConfig;
const convs: Record<string, Conversation> = {};

async function chat(key: string, customerId: string, channel: string, ...texts: string[]) {
  const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel, customerId });
  convs[key] = conversation;
  for (const text of texts) await customerMessageHandler(api.app, { conversation, text });
  return conversation;
}

beforeAll(async () => {
  api = await buildApi();
  agent = await northwindAgent(api.app, 'northwind-inbox');
  // A car question the bike shop answers wrongly but confidently, then the hand-off button.
  await chat('cars', 'visitor-cars', 'webchat', 'do you repair cars?', PERSON_REQUEST_TEXT);
  // An answered question about hours (a FAQ entry), on email.
  await chat('hours', 'ana@example.com', 'email', 'what are your opening hours?');
  // Nonsense twice: a clarification, then a hand-off by the agent.
  await chat('nonsense', 'visitor-zorp', 'webchat', 'zorp blip fnord', 'quux wibble');
}, 120_000);
afterAll(() => api.close());

const escalationOf = async (key: string) =>
  (
    await api.db.query<{ id: string }>(
      'SELECT id FROM escalations WHERE conversation_id = $1 ORDER BY created_at DESC',
      [convs[key]!.id],
    )
  )[0]!.id;

describe('inbox cards', () => {
  it("show the customer's real question, the channel, the customer and since when they wait", async () => {
    const res = await api.as('viewer').get('/api/escalations');
    expect(res.statusCode, res.body).toBe(200);
    const card = res
      .json()
      .escalations.find((e: { conversationId: string }) => e.conversationId === convs.cars!.id);
    expect(card).toMatchObject({
      question: 'do you repair cars?',
      questions: ['do you repair cars?'],
      channel: 'webchat',
      customer: 'visitor-cars',
      assignedTo: null,
    });
    expect(card.question).not.toBe(PERSON_REQUEST_TEXT);
    expect(card.waitingSince).toBe(card.createdAt);
  });

  it('stop the clock when a person answers and restart it when the customer writes again', async () => {
    const id = await escalationOf('cars');
    expect(
      (await api.as('reviewer').post(`/api/escalations/${id}/reply`, { text: 'We only do bikes.' }))
        .statusCode,
    ).toBe(201);
    const answered = (await api.as('viewer').get(`/api/escalations/${id}`)).json().escalation;
    expect(answered.waitingSince).toBeNull();
    await customerMessageHandler(api.app, {
      conversation: convs.cars!,
      text: 'ok, and do you sell helmets?',
    });
    const [last] = await api.db.query<{ created_at: Date }>(
      `SELECT created_at FROM messages WHERE conversation_id = $1 AND direction = 'in' ORDER BY created_at DESC LIMIT 1`,
      [convs.cars!.id],
    );
    const again = (await api.as('viewer').get(`/api/escalations/${id}`)).json().escalation;
    expect(again.waitingSince).toBe(last!.created_at.toISOString());
    expect(again.question).toBe('ok, and do you sell helmets?');
    expect(again.questions).toEqual(['do you repair cars?', 'ok, and do you sell helmets?']);
  });
});

describe('assignment', () => {
  it('assigns a hand-off to a teammate, shown by name, and filters the inbox by "assigned to me"', async () => {
    const id = await escalationOf('nonsense');
    const team = (await api.as('viewer').get('/api/teammates')).json().teammates as {
      id: string;
      name: string;
    }[];
    const reviewer = api.users.reviewer;
    expect(team.map((t) => t.id)).toContain(reviewer.id);
    expect(team.map((t) => t.id)).not.toContain(api.users.viewer.id);
    const res = await api.as('admin').post(`/api/escalations/${id}/assign`, { userId: reviewer.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().assignedTo).toEqual({ id: reviewer.id, name: reviewer.name || reviewer.email });
    const card = (await api.as('viewer').get(`/api/escalations/${id}`)).json().escalation;
    expect(card.assignedTo.name).toBe(reviewer.name || reviewer.email);
    const session = await api.login('reviewer');
    const mine = (await session.client.get('/api/escalations?assignee=me')).json().escalations;
    expect(mine.map((e: { id: string }) => e.id)).toEqual([id]);
    const audit = await api.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE subject = $1 ORDER BY id`,
      [`escalation:${id}`],
    );
    expect(audit.map((a) => a.action)).toContain('escalation.assigned');
  });

  it('refuses an unknown or disabled teammate, a bad id and a resolved hand-off, changing nothing', async () => {
    const id = await escalationOf('nonsense');
    const before = (await api.as('viewer').get(`/api/escalations/${id}`)).json().escalation.assignedTo;
    const unknown = await api.as('admin').post(`/api/escalations/${id}/assign`, {
      userId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.id).toBe('validation_failed');
    const bad = await api.as('admin').post(`/api/escalations/${id}/assign`, { userId: 'sam' });
    expect(bad.statusCode).toBe(400);
    expect((await api.as('viewer').post(`/api/escalations/${id}/assign`, { userId: null })).statusCode).toBe(
      403,
    );
    expect((await api.as('viewer').get(`/api/escalations/${id}`)).json().escalation.assignedTo).toEqual(
      before,
    );
    await api.as('admin').post(`/api/escalations/${id}/resolve`, { resolution: 'explained' });
    const late = await api.as('admin').post(`/api/escalations/${id}/assign`, { userId: null });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.id).toBe('invalid_state');
  });
});

describe('saved replies', () => {
  it('are created, listed by title, edited and deleted; a taken title is a conflict', async () => {
    const made = await api
      .as('reviewer')
      .post('/api/canned-replies', { title: 'Opening hours', body: 'We open at 9.' });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().cannedReply.id;
    const twice = await api.as('reviewer').post('/api/canned-replies', { title: 'opening HOURS', body: 'x' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.id).toBe('conflict');
    const empty = await api.as('reviewer').post('/api/canned-replies', { title: ' ', body: 'x' });
    expect(empty.json().error.id).toBe('validation_failed');
    expect((await api.as('viewer').post('/api/canned-replies', { title: 'A', body: 'b' })).statusCode).toBe(
      403,
    );
    const edited = await api.as('reviewer').patch(`/api/canned-replies/${id}`, { body: 'We open at 10.' });
    expect(edited.json().cannedReply).toMatchObject({ title: 'Opening hours', body: 'We open at 10.' });
    const list = (await api.as('viewer').get('/api/canned-replies')).json().cannedReplies;
    expect(list.map((c: { title: string }) => c.title)).toContain('Opening hours');
    expect((await api.as('reviewer').delete(`/api/canned-replies/${id}`)).statusCode).toBe(200);
    const gone = await api.as('reviewer').delete(`/api/canned-replies/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.id).toBe('not_found');
  });
});

describe('reply-time target', () => {
  it('defaults to 60 minutes; only an admin changes it, within 1 minute to 7 days', async () => {
    expect((await api.as('viewer').get('/api/inbox/settings')).json().settings).toEqual({
      replyTargetMinutes: 60,
    });
    expect(
      (await api.as('reviewer').request('PUT', '/api/inbox/settings', { replyTargetMinutes: 5 })).statusCode,
    ).toBe(403);
    expect(
      (await api.as('admin').request('PUT', '/api/inbox/settings', { replyTargetMinutes: 0 })).json().error
        .id,
    ).toBe('validation_failed');
    expect(
      (await api.as('admin').request('PUT', '/api/inbox/settings', { replyTargetMinutes: 15 })).statusCode,
    ).toBe(200);
    expect((await api.as('viewer').get('/api/inbox/settings')).json().settings).toEqual({
      replyTargetMinutes: 15,
    });
  });
});

describe('conversations', () => {
  const list = async (query = '') => {
    const res = await api.as('viewer').get(`/api/conversations?agent=northwind-inbox${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      total: number;
      pages: number;
      conversations: {
        id: string;
        question: string | null;
        outcome: string;
        band: string;
        minConfidence: number | null;
        entries: string[];
        reviewReasons: string[];
        customer: string;
      }[];
    };
  };
  const ids = (r: Awaited<ReturnType<typeof list>>) => r.conversations.map((c) => c.id).sort();

  it('add up to what the overview card and the metrics module count (conversations = sum of outcomes)', async () => {
    const all = await list();
    expect(all.total).toBe(3);
    const now = new Date();
    const metrics = await conversationOutcomes(
      api.db,
      agent.id,
      { from: new Date(0), to: new Date(now.getTime() + 1) },
      now,
    );
    expect(all.total).toBe(metrics.conversations);
    // Each row's outcome (decided for the page only) is the one the metrics module gives it among all.
    const each = await conversationOutcomeList(
      api.db,
      agent.id,
      { from: new Date(0), to: new Date(now.getTime() + 1) },
      now,
    );
    expect(Object.fromEntries(all.conversations.map((c) => [c.id, c.outcome]))).toEqual(
      Object.fromEntries(each.map((o) => [o.id, o.outcome])),
    );
    for (const c of (await list('&limit=1&page=2')).conversations)
      expect(c.outcome).toBe(each.find((o) => o.id === c.id)?.outcome);
    const cards = (await api.as('viewer').get('/api/agents')).json().agents;
    const card = cards.find((a: { name: string }) => a.name === 'northwind-inbox');
    const o = card.measurement.outcomes;
    expect(o.conversations).toBe(o.resolvedByAi + o.clawedBack + o.escalated + o.abandoned + o.open);
    expect(o.conversations).toBe(all.total);
    expect(card.support.conversations).toBe(all.total);
    let sum = 0;
    for (const outcome of ['resolvedByAi', 'clawedBack', 'escalated', 'abandoned', 'open'] as const) {
      const part = await list(`&outcome=${outcome}`);
      expect(part.total, outcome).toBe(metrics[outcome]);
      expect(part.conversations.every((c) => c.outcome === outcome)).toBe(true);
      sum += part.total;
    }
    expect(sum).toBe(all.total);
  });

  it('searches text, customer and the entry that answered, and filters channel and confidence band', async () => {
    expect(ids(await list('&q=HELMETS'))).toEqual([convs.cars!.id]);
    expect(ids(await list('&customer=ana@'))).toEqual([convs.hours!.id]);
    expect(ids(await list('&channel=email'))).toEqual([convs.hours!.id]);
    const hours = (await list('&channel=email')).conversations[0]!;
    expect(hours.entries.length).toBeGreaterThan(0);
    expect(ids(await list(`&entry=${encodeURIComponent(hours.entries[0]!.slice(0, 6))}`))).toContain(
      convs.hours!.id,
    );
    expect((await list('&entry=no-such-entry-anywhere')).total).toBe(0);
    const nonsense = (await list('&customer=visitor-zorp')).conversations[0]!;
    // The clarification carries the engine's real (low) confidence, not 1.
    expect(nonsense.band).toBe('low');
    expect(nonsense.minConfidence).toBeLessThan(0.5);
    expect(ids(await list('&band=low'))).toContain(convs.nonsense!.id);
    expect(ids(await list('&band=high'))).not.toContain(convs.nonsense!.id);
  });

  it('pages on the server and validates every filter with a stable error id', async () => {
    const first = await list('&limit=2&page=1');
    const second = await list('&limit=2&page=2');
    expect(first.conversations).toHaveLength(2);
    expect(second.conversations).toHaveLength(1);
    expect(first.pages).toBe(2);
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(3);
    expect((await list('&limit=2&page=9')).total).toBe(3);
    for (const bad of [
      'band=purple',
      'outcome=won',
      'from=2026-02-30',
      'from=yesterday',
      'limit=1000',
      'page=0',
      'channel=Web Chat',
      'x=1',
    ]) {
      const res = await api.as('viewer').get(`/api/conversations?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.id, bad).toBe('validation_failed');
    }
    const backwards = await api.as('viewer').get('/api/conversations?from=2026-05-02&to=2026-05-01');
    expect(backwards.json().error.id).toBe('validation_failed');
    expect((await api.as('viewer').get('/api/conversations?agent=nobody')).json().error.id).toBe('not_found');
    expect((await api.anon.get('/api/conversations')).statusCode).toBe(401);
    const dated = await list(
      `&from=${new Date().toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
    );
    expect(dated.total).toBe(3);
    expect((await list('&to=2000-01-01')).total).toBe(0);
  });

  it('queues answers to check (low confidence, a thumbs down, a sample) until someone reviews them', async () => {
    const before = await list('&review=true');
    expect(ids(before)).toContain(convs.nonsense!.id);
    expect(before.conversations.find((c) => c.id === convs.nonsense!.id)!.reviewReasons).toContain(
      'low_confidence',
    );
    await satisfactionRecorder(api.app, convs.hours!.id, -1);
    const unhappy = (await list('&review=true')).conversations.find((c) => c.id === convs.hours!.id);
    expect(unhappy?.reviewReasons).toContain('customer_unhappy');
    expect(
      (await api.as('viewer').post(`/api/conversations/${convs.hours!.id}/review`, { verdict: 'ok' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await api.as('reviewer').post(`/api/conversations/${convs.hours!.id}/review`, { verdict: 'meh' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await api.as('reviewer').post('/api/conversations/c_missing/review', { verdict: 'ok' })).json().error
        .id,
    ).toBe('not_found');
    const done = await api
      .as('reviewer')
      .post(`/api/conversations/${convs.hours!.id}/review`, { verdict: 'wrong' });
    expect(done.statusCode, done.body).toBe(200);
    expect(ids(await list('&review=true'))).not.toContain(convs.hours!.id);
    const detail = (await api.as('viewer').get(`/api/conversations/${convs.hours!.id}`)).json();
    expect(detail.conversation).toMatchObject({ satisfaction: -1, review: { verdict: 'wrong' } });
    expect(detail.messages.some((m: { sourceTitles: string[] }) => m.sourceTitles.length > 0)).toBe(true);
    expect((await api.as('viewer').get('/api/conversations/c_nothing')).statusCode).toBe(404);
  });

  it('records satisfaction idempotently: the same answer twice changes nothing, a new one replaces it', async () => {
    const id = convs.cars!.id;
    expect(await satisfactionRecorder(api.app, id, 1)).toEqual({ rating: 1, changed: true });
    expect(await satisfactionRecorder(api.app, id, 1)).toEqual({ rating: 1, changed: false });
    expect(await satisfactionRecorder(api.app, id, -1)).toEqual({ rating: -1, changed: true });
  });
});

describe('CSV exports', () => {
  it('streams the conversations of the filter, one row each, and the escalations', async () => {
    const res = await api.as('reviewer').get('/api/conversations/csv?agent=northwind-inbox&channel=webchat');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,agent,channel,customer,/);
    expect(lines).toHaveLength(3);
    expect(res.body).toContain(convs.cars!.id);
    expect(res.body).not.toContain(convs.hours!.id);
    expect((await api.as('viewer').get('/api/conversations/csv')).statusCode).toBe(403);
    const esc = await api.as('reviewer').get('/api/escalations/csv?agent=northwind-inbox');
    expect(esc.statusCode).toBe(200);
    expect(esc.body.split('\r\n')[0]).toMatch(/^id,agent,kind,state,reason,channel,customer,question,/);
    expect(esc.body).toContain('ok, and do you sell helmets?');
    expect(esc.body).not.toContain(PERSON_REQUEST_TEXT);
  });
});
