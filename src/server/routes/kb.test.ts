// Knowledge-base routes: entries are created, edited, versioned and deleted through the commands (revisions kept),
// articles import from HTML, the inbox turns a human answer into an entry or a question into a phrasing, and a
// human reply to a drafted escalation records how far it agreed with the draft.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, buildScriptedAgent, startEscalatedRun } from '../../../test/support/api.ts';
import { answerFrom } from '../../agents/support/brain.ts';
import { conversationOpener, customerMessageHandler } from '../../agents/support/conversations.ts';
import { faqCreator } from '../../agents/support/kb.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';

let api: Api;
let n = 0;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

async function supportAgent(): Promise<AgentConfig> {
  return agentCreator(api.app, 'test', { kind: 'support', name: `support-${++n}`, confidenceThreshold: 0.5 });
}

/** A web chat conversation in which the customer asks for a person, then asks `question` while waiting. */
async function handedOver(agent: AgentConfig, question: string, channel = 'webchat') {
  const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel });
  const first = await customerMessageHandler(api.app, { conversation, text: 'I want to speak to a person' });
  expect(first.handledBy).toBe('human');
  await customerMessageHandler(api.app, { conversation, text: question });
  return { conversation, escalationId: first.escalationId! };
}

describe('FAQ entries', () => {
  it('creates, edits, versions and deletes an entry, keeping every revision', async () => {
    const agent = await supportAgent();
    const reviewer = api.as('reviewer');
    const created = await reviewer.post(`/api/agents/${agent.name}/kb/entries`, {
      title: 'Opening hours',
      answer: 'Monday to Friday, 9:00 to 17:30.',
      phrasings: ['when are you open', 'When are you OPEN', 'opening times'],
      tags: ['shop'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const entry = created.json().entry;
    // Phrasings differing only in case are one phrasing.
    expect(entry).toMatchObject({
      version: 1,
      phrasings: ['when are you open', 'opening times'],
      tags: ['shop'],
    });

    // A patch changes only what it names: tags and phrasings survive a new title.
    const patched = await reviewer.patch(`/api/kb/entries/${entry.id}`, { title: 'Shop opening hours' });
    expect(patched.json().entry).toMatchObject({
      title: 'Shop opening hours',
      version: 2,
      phrasings: ['when are you open', 'opening times'],
      tags: ['shop'],
    });
    const phrased = await reviewer.post(`/api/kb/entries/${entry.id}/phrasings`, {
      phrasing: 'are you open now?',
    });
    expect(phrased.statusCode).toBe(201);
    expect(phrased.json().entry).toMatchObject({ version: 3, tags: ['shop'] });
    expect(phrased.json().entry.phrasings).toContain('are you open now?');
    expect((await reviewer.patch(`/api/kb/entries/${entry.id}`, {})).statusCode).toBe(400);

    const kb = (await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.entries.map((e: { id: string }) => e.id)).toEqual([entry.id]);
    expect(kb.version).toBe(3);

    expect((await reviewer.delete(`/api/kb/entries/${entry.id}`)).statusCode).toBe(200);
    expect((await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json().entries).toEqual([]);
    expect((await reviewer.patch(`/api/kb/entries/${entry.id}`, { answer: 'x' })).statusCode).toBe(404);
    expect((await reviewer.delete(`/api/kb/entries/${entry.id}`)).statusCode).toBe(404);

    const revisions = (await api.as('viewer').get(`/api/kb/entries/${entry.id}/revisions`)).json().revisions;
    expect(revisions.map((r: { version: number }) => r.version)).toEqual([4, 3, 2, 1]);
    expect(revisions[0].snapshot).toEqual({ deleted: true });
    expect(revisions[2]).toMatchObject({
      editedBy: 'token:test-reviewer',
      snapshot: { title: 'Shop opening hours' },
    });
    const audit = await api.db.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE subject = $1 ORDER BY id',
      [`kb_entry:${entry.id}`],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'kb.entry_created',
      'kb.entry_updated',
      'kb.entry_updated',
      'kb.entry_deleted',
    ]);
    const missing = await api
      .as('viewer')
      .get('/api/kb/entries/00000000-0000-4000-8000-000000000000/revisions');
    expect(missing.statusCode).toBe(404);
  });

  it('refuses a viewer, and an unknown agent', async () => {
    const agent = await supportAgent();
    const body = { title: 'T', answer: 'A' };
    expect((await api.as('viewer').post(`/api/agents/${agent.name}/kb/entries`, body)).statusCode).toBe(403);
    expect((await api.as('admin').post('/api/agents/nobody/kb/entries', body)).statusCode).toBe(404);
  });
});

describe('articles', () => {
  it('imports pasted HTML as text passages; the same content again changes nothing', async () => {
    const agent = await supportAgent();
    const body = {
      title: 'Warranty',
      source: 'warranty.html',
      format: 'html',
      content:
        '<h1>Warranty</h1><p>Frames carry a <b>lifetime</b> warranty.</p><script>alert(1)</script><h2>Batteries</h2><p>Two years or 800 charge cycles.</p>',
    };
    const first = await api.as('reviewer').post(`/api/agents/${agent.name}/kb/articles`, body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      changed: true,
      article: { title: 'Warranty', format: 'html', version: 1 },
    });
    const passages = await api.db.query<{ heading: string; text: string }>(
      'SELECT heading, text FROM kb_passages WHERE agent_id = $1 ORDER BY idx',
      [agent.id],
    );
    expect(passages.map((p) => p.heading)).toContain('Batteries');
    expect(passages.map((p) => p.text).join(' ')).toContain('lifetime warranty');
    expect(JSON.stringify(passages)).not.toMatch(/<b>|alert/);

    const again = await api.as('reviewer').post(`/api/agents/${agent.name}/kb/articles`, body);
    expect(again.json()).toMatchObject({ changed: false, article: { version: 1 } });
    const kb = (await api.as('viewer').get(`/api/agents/${agent.name}/kb`)).json();
    expect(kb.articles).toEqual([
      expect.objectContaining({ source: 'warranty.html', passages: passages.length }),
    ]);
  });

  it('refuses HTML without text, unknown formats and bodies over 1 MiB', async () => {
    const agent = await supportAgent();
    const post = (content: string, format = 'html') =>
      api
        .as('admin')
        .post(`/api/agents/${agent.name}/kb/articles`, { title: 'x', source: 'x', format, content });
    expect((await post('<img src="a.png">')).statusCode).toBe(400);
    expect((await post('%PDF-1.7', 'pdf')).statusCode).toBe(400);
    // The server's 1 MiB body limit bounds a pasted article.
    const huge = await post('x'.repeat(1_100_000), 'text');
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.id).toBe('payload_too_large');
  });
});

describe('POST /api/escalations/:id/to-kb', () => {
  it("saves the human's reply as a new entry with the customer's question, and the agent then knows it", async () => {
    const agent = await supportAgent();
    const { conversation, escalationId } = await handedOver(agent, 'Do you open on Sundays?');
    const early = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'Sunday opening',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.id).toBe('invalid_state');

    await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, {
      text: 'Yes: on Sundays we open from 10:00 to 16:00.',
    });
    // A closing message after the reply is not the question the reply answered.
    await customerMessageHandler(api.app, { conversation, text: 'Great, thanks!' });
    const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'Sunday opening',
      tags: ['hours'],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().entry).toMatchObject({
      title: 'Sunday opening',
      answer: 'Yes: on Sundays we open from 10:00 to 16:00.',
      phrasings: ['Do you open on Sundays?'],
      tags: ['hours'],
      version: 1,
    });
    const answer = answerFrom(await api.app.engines.get(api.db, agent.id), 'are you open on a sunday?');
    expect(answer.text).toBe('Yes: on Sundays we open from 10:00 to 16:00.');

    // An explicit answer and question win over the transcript.
    const explicit = await api.as('admin').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'Bank holidays',
      question: 'open on bank holidays?',
      answer: 'Closed on bank holidays.',
    });
    expect(explicit.json().entry).toMatchObject({
      phrasings: ['open on bank holidays?'],
      answer: 'Closed on bank holidays.',
    });
  });

  it("adds the customer's question as a phrasing of an existing entry of the same agent", async () => {
    const agent = await supportAgent();
    const hours = await faqCreator(api.app, 'test', agent.id, {
      title: 'Opening hours',
      answer: 'Monday to Friday, 9:00 to 17:30.',
      phrasings: ['when are you open'],
    });
    const { escalationId } = await handedOver(agent, 'what time do you shut tonight?');
    const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'phrasing',
      entryId: hours.id,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().entry).toMatchObject({
      id: hours.id,
      version: 2,
      phrasings: ['when are you open', 'what time do you shut tonight?'],
    });

    const other = await supportAgent();
    const foreign = await faqCreator(api.app, 'test', other.id, { title: 'T', answer: 'A' });
    const wrong = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'phrasing',
      entryId: foreign.id,
    });
    expect(wrong.statusCode).toBe(404);
    expect(
      (await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, { mode: 'phrasing' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await api.as('viewer').post(`/api/escalations/${escalationId}/to-kb`, { mode: 'new', title: 'x' }))
        .statusCode,
    ).toBe(403);
  });

  it('is for support agents only', async () => {
    const custom = await buildScriptedAgent(api.app);
    const { escalationId } = await startEscalatedRun(api.app, custom);
    await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, { text: 'Hello' });
    const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/to-kb`, {
      mode: 'new',
      title: 'x',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      id: 'invalid_state',
      message: expect.stringMatching(/support/),
    });
  });
});

describe('draft agreement', () => {
  it('stores how close the first human reply came to a shadow draft, and averages it on the agent', async () => {
    // No readiness assessment: the agent runs in shadow, so every answer is a draft for a person.
    const agent = await supportAgent();
    await faqCreator(api.app, 'test', agent.id, {
      title: 'Opening hours',
      answer: 'We are open Monday to Friday, 9:00 to 17:30.',
      phrasings: ['when are you open', 'what are your opening hours'],
    });
    const drafted = async (text: string) => {
      const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel: 'webchat' });
      const r = await customerMessageHandler(api.app, { conversation, text });
      const detail = (await api.as('viewer').get(`/api/escalations/${r.escalationId}`)).json();
      expect(detail.escalation).toMatchObject({ kind: 'review', draftAgreement: null });
      expect(detail.escalation.suggestedReply).toContain('Monday to Friday');
      return r.escalationId!;
    };

    const same = await drafted('When are you open?');
    const sent = await api
      .as('reviewer')
      .post(`/api/escalations/${same}/reply`, { text: "We're open Monday to Friday, 9:00 to 17:30." });
    expect(sent.json().escalation.draftAgreement).toBe(1);
    // A follow-up reply is not compared again.
    await api.as('reviewer').post(`/api/escalations/${same}/reply`, { text: 'Anything else?' });
    expect((await api.as('viewer').get(`/api/escalations/${same}`)).json().escalation.draftAgreement).toBe(1);

    const rewritten = await drafted('what are your opening hours');
    const res = await api.as('reviewer').post(`/api/escalations/${rewritten}/reply`, {
      text: 'Sorry, we are closed this week for stocktaking.',
    });
    const partial = res.json().escalation.draftAgreement as number;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(0.5);

    const view = (await api.as('viewer').get(`/api/agents/${agent.name}`)).json();
    expect(view.support).toMatchObject({ draftsCompared: 2, conversations: 2, escalated: 2 });
    expect(view.support.draftAgreement).toBeCloseTo((1 + partial) / 2, 5);
    // Non-support agents carry no support block.
    const custom = await buildScriptedAgent(api.app);
    expect((await api.as('viewer').get(`/api/agents/${custom.name}`)).json().support).toBeUndefined();
  });

  it('shows each transcript message with its channel and delivery state', async () => {
    const agent = await supportAgent();
    const { escalationId } = await handedOver(agent, 'Where is my order?', 'email');
    const reply = await api
      .as('reviewer')
      .post(`/api/escalations/${escalationId}/reply`, { text: 'On its way.' });
    await api.db.query(`UPDATE messages SET delivery = 'failed', delivery_error = $2 WHERE id = $1`, [
      reply.json().message.id,
      'outside the 24-hour window: the customer last wrote 25 hours ago',
    ]);
    const detail = (await api.as('viewer').get(`/api/escalations/${escalationId}`)).json();
    expect(detail.agent).toMatchObject({ name: agent.name, kind: 'support' });
    expect(detail.messages.at(-1)).toMatchObject({
      author: 'human',
      channel: 'email',
      delivery: 'failed',
      deliveryError: expect.stringMatching(/^outside the 24-hour window/),
    });
    expect(detail.messages[0]).toMatchObject({ author: 'customer', delivery: null, deliveryError: null });
  });
});
