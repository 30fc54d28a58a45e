// Pins the web chat protocol end to end over a real socket: hello/welcome, answers with source titles, resume by
// token (and a wrong token starting afresh), idempotent resends, hand-off to a person announced on every tab, a
// person's reply pushed live, hostile text kept literal, and paused or unknown agents.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kbImporter, SUPPORT_KIND } from '../../../test/support/agents.ts';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { ChatClient, type Frame, NORTHWIND_KB, northwindAgent } from '../../../test/support/webchat.ts';
import { type App, createApp } from '../../app.ts';
import { agentCreator, agentStatusSetter } from '../../runtime/agents.ts';
import { escalationReplier } from '../../runtime/escalations.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { buildServer } from '../../server/server.ts';

let db: TestDb;
let app: App;
let server: FastifyInstance;
let agent: AgentConfig;
let base = '';

const socketUrl = (name = 'northwind') => `${base}/api/webchat/${name}/socket`;
const isMessage = (author: string) => (f: Frame) => f.type === 'message' && f.author === author;

async function hello(extra: Record<string, unknown> = {}, name?: string) {
  const client = await ChatClient.open(socketUrl(name));
  client.send({ type: 'hello', ...extra });
  return { client, welcome: await client.type('welcome') };
}

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
  agent = await northwindAgent(app, 'northwind', { businessHours: { replyTime: '15 minutes' } });
  server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  base = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await server.close();
  await db.dispose();
});

describe('web chat socket', () => {
  let conversationId = '';
  let resumeToken = '';

  it('welcomes a new visitor with a conversation and a resume token', async () => {
    const { client, welcome } = await hello();
    expect(welcome).toMatchObject({
      agent: { name: 'northwind', displayName: 'Northwind Cycles' },
      messages: [],
    });
    expect(welcome.conversationId).toMatch(/^c_/);
    expect(String(welcome.resumeToken)).toMatch(/^[\w-]{20,}$/);
    conversationId = String(welcome.conversationId);
    resumeToken = String(welcome.resumeToken);

    client.send({ type: 'message', text: 'When are you open?', clientId: 'q-1' });
    const echo = await client.next(isMessage('customer'));
    expect(echo).toMatchObject({ text: 'When are you open?', clientId: 'q-1', sources: [] });
    const answer = await client.next(isMessage('agent'));
    expect(answer.text).toContain('Monday to Friday 9:00–18:00');
    expect(answer.sources).toEqual([{ id: expect.stringMatching(/^faq:/), title: 'Opening hours' }]);
    expect(Date.parse(String(answer.at))).not.toBeNaN();
    client.close();
  });

  it('records "Was this helpful?" on the conversation: the same answer twice is one, a new one replaces it (issue 24)', async () => {
    const early = await hello();
    early.client.send({ type: 'rate', rating: 'up' });
    expect(await early.client.type('error')).toMatchObject({ id: 'validation_failed' });
    early.client.send({ type: 'rate', rating: 'meh' });
    expect(await early.client.type('error')).toMatchObject({ id: 'validation_failed' });
    early.client.close();

    const { client } = await hello({ conversationId, resumeToken });
    client.send({ type: 'rate', rating: 'down' });
    expect(await client.type('rated')).toEqual({ type: 'rated', rating: 'down' });
    const stored = async () =>
      (
        await db.query<{ satisfaction: number; satisfaction_at: Date }>(
          'SELECT satisfaction, satisfaction_at FROM conversations WHERE id = $1',
          [conversationId],
        )
      )[0]!;
    const first = await stored();
    expect(first.satisfaction).toBe(-1);
    client.send({ type: 'rate', rating: 'down' });
    await client.type('rated');
    expect((await stored()).satisfaction_at).toEqual(first.satisfaction_at);
    client.send({ type: 'rate', rating: 'up' });
    expect(await client.type('rated')).toEqual({ type: 'rated', rating: 'up' });
    expect((await stored()).satisfaction).toBe(1);
    client.close();
  });

  it('resumes the conversation with its token, and never twice processes a resent clientId', async () => {
    const { client, welcome } = await hello({ conversationId, resumeToken });
    expect(welcome.conversationId).toBe(conversationId);
    expect(welcome.resumeToken).toBeUndefined();
    const messages = welcome.messages as Frame[];
    expect(messages.map((m) => m.author)).toEqual(['customer', 'agent']);
    expect(messages[0]).toMatchObject({ clientId: 'q-1' });
    expect(messages[1]!.sources).toEqual([expect.objectContaining({ title: 'Opening hours' })]);

    // The widget resends what it has no confirmation for: the stored message is echoed again, not re-run.
    client.send({ type: 'message', text: 'When are you open?', clientId: 'q-1' });
    const echo = await client.next(isMessage('customer'));
    expect(echo).toMatchObject({ id: messages[0]!.id, clientId: 'q-1' });
    const runs = await db.query('SELECT id FROM runs WHERE conversation_id = $1', [conversationId]);
    expect(runs).toHaveLength(1);
    client.close();
  });

  it('starts a new conversation when the token is wrong or belongs to nobody', async () => {
    for (const extra of [
      { conversationId, resumeToken: 'not-the-token' },
      { conversationId: 'c_nope', resumeToken },
    ]) {
      const { client, welcome } = await hello(extra);
      expect(welcome.conversationId).not.toBe(conversationId);
      expect(welcome.resumeToken).toEqual(expect.any(String));
      expect(welcome.messages).toEqual([]);
      client.close();
    }
  });

  it('hands over to a person, announces it on every open tab, and pushes the reply live', async () => {
    const tab1 = await hello();
    const id = String(tab1.welcome.conversationId);
    const tab2 = await hello({ conversationId: id, resumeToken: tab1.welcome.resumeToken });

    tab1.client.send({ type: 'human' });
    const handoff = await tab1.client.type('handoff');
    expect(handoff.text).toBe('Connecting you to a person. Usual reply time: within 15 minutes.');
    // The other tab learns of it through the event bus (the escalation.opened notification).
    expect((await tab2.client.type('handoff')).text).toBe(handoff.text);
    const [esc] = await db.query<{ id: string; state: string }>(
      'SELECT id, state FROM escalations WHERE conversation_id = $1',
      [id],
    );
    expect(esc).toMatchObject({ state: 'open' });

    // Asking again while a person has it does not open a second escalation.
    tab1.client.send({ type: 'human' });
    await tab1.client.type('handoff');
    expect(await db.query('SELECT id FROM escalations WHERE conversation_id = $1', [id])).toHaveLength(1);

    await escalationReplier(app, 'user:alex@example.com', esc!.id, 'Hi, Alex here. How can I help?');
    for (const tab of [tab1, tab2]) {
      const reply = await tab.client.next(isMessage('human'));
      expect(reply).toMatchObject({ text: 'Hi, Alex here. How can I help?', sources: [] });
    }

    // While the person has it, the customer's words go to them, and the agent stays out.
    tab1.client.send({ type: 'message', text: 'My order is late', clientId: 'late-1' });
    expect(await tab1.client.next(isMessage('customer'))).toMatchObject({ clientId: 'late-1' });
    const agentReplies = await db.query(
      `SELECT id FROM messages WHERE conversation_id = $1 AND author = 'agent'`,
      [id],
    );
    expect(agentReplies).toHaveLength(0);

    // A reload: the transcript has it all, and the hand-off is announced again.
    const again = await hello({ conversationId: id, resumeToken: tab1.welcome.resumeToken });
    expect((again.welcome.messages as Frame[]).map((m) => m.author)).toEqual([
      'customer',
      'human',
      'customer',
    ]);
    expect((await again.client.type('handoff')).text).toBe(handoff.text);
    for (const c of [tab1.client, tab2.client, again.client]) c.close();
  });

  it('announces a hand-off the agent decides on (an always-human topic)', async () => {
    const { client } = await hello();
    client.send({ type: 'message', text: 'There is a fraudulent charge on my card', clientId: 'f-1' });
    expect((await client.type('handoff')).text).toContain('Connecting you to a person');
    expect(client.frames.filter(isMessage('agent'))).toEqual([]);
    client.close();
  });

  it('never shows a draft: in shadow mode the answer waits for a person, and the customer is told so', async () => {
    const shadow = await agentCreator(app, 'user:admin@example.com', { kind: SUPPORT_KIND, name: 'shadowy' });
    await kbImporter(app, 'user:admin@example.com', shadow.id, join(NORTHWIND_KB, 'faq.json'));
    const { client, welcome } = await hello({}, 'shadowy');
    client.send({ type: 'message', text: 'When are you open?', clientId: 's-1' });
    await client.type('handoff');
    const [draft] = await db.query<{ status: string }>(
      `SELECT status FROM messages WHERE conversation_id = $1 AND direction = 'out'`,
      [welcome.conversationId],
    );
    expect(draft).toMatchObject({ status: 'draft' });
    expect(client.frames.filter(isMessage('agent'))).toEqual([]);
    client.close();
    const resumed = await hello(
      { conversationId: welcome.conversationId, resumeToken: welcome.resumeToken },
      'shadowy',
    );
    expect((resumed.welcome.messages as Frame[]).map((m) => m.author)).toEqual(['customer']);
    resumed.client.close();
  });

  it('keeps hostile text literal, in the echo and in the transcript', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert("x")</script> &amp; "quotes"';
    const { client, welcome } = await hello();
    client.send({ type: 'message', text: hostile, clientId: 'h-1' });
    expect((await client.next(isMessage('customer'))).text).toBe(hostile);
    await client.next((f) => f.type === 'message' && f.author === 'agent');
    client.close();
    const resumed = await hello({ conversationId: welcome.conversationId, resumeToken: welcome.resumeToken });
    expect((resumed.welcome.messages as Frame[])[0]!.text).toBe(hostile);
    resumed.client.close();
  });

  it('refuses unknown and non-support agents, and new chats with a paused agent', async () => {
    await agentCreator(app, 'user:admin@example.com', { kind: 'custom', name: 'not-support' });
    for (const name of ['nobody', 'not-support', 'Bad_Name']) {
      const client = await ChatClient.open(socketUrl(name));
      expect(await client.type('error')).toMatchObject({ id: 'not_found' });
      expect(await client.closed).toBe(4404);
    }

    // A conversation exists once its first message is written (a welcome only promises one).
    const { welcome, client: before } = await hello();
    before.send({ type: 'message', text: 'hello?', clientId: 'first' });
    await before.next(isMessage('customer'));
    before.close();
    await agentStatusSetter(app, 'user:admin@example.com', agent.id, 'paused', 'maintenance');
    try {
      const fresh = await ChatClient.open(socketUrl());
      fresh.send({ type: 'hello' });
      expect(await fresh.type('error')).toMatchObject({ id: 'agent_paused' });
      expect(await fresh.closed).toBe(4404);
      // An existing conversation still resumes: a person's reply must still reach the customer.
      const resumed = await hello({
        conversationId: welcome.conversationId,
        resumeToken: welcome.resumeToken,
      });
      expect(resumed.welcome.conversationId).toBe(welcome.conversationId);
      resumed.client.close();
    } finally {
      await agentStatusSetter(app, 'user:admin@example.com', agent.id, 'active', 'done');
    }
  });
});
