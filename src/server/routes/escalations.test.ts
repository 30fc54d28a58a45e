// Escalation routes and the reply command: replying claims an open escalation, is refused when someone else holds
// it or it is resolved, announces message.sent on the event channel, and audits a reference, not the text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  buildApi,
  buildScriptedAgent,
  startCheckpointRun,
  startEscalatedRun,
} from '../../../test/support/api.ts';
import { northwindAgent } from '../../../test/support/webchat.ts';
import { conversationOpener, customerMessageHandler } from '../../conversations/conversations.ts';
import { openEventBus } from '../../events/bus.ts';
import type { Db } from '../../store/db.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

/** Collects the events of this install, on either driver, through the real event bus. */
async function listen(db: Db): Promise<{ events: unknown[]; stop: () => Promise<void> }> {
  const events: unknown[] = [];
  const bus = await openEventBus(db);
  const off = bus.subscribe((e) => events.push(e));
  return {
    events,
    stop: async () => {
      off();
      await bus.close();
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('POST /api/escalations/:id/reply', () => {
  it('claims an open escalation for the person who answers and announces the message', async () => {
    const agent = await buildScriptedAgent(api.app);
    const { escalationId, conversationId } = await startEscalatedRun(api.app, agent);
    const bus = await listen(api.db);
    try {
      const res = await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, { text: 'On it!' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().escalation).toMatchObject({ state: 'claimed', claimedBy: 'token:test-reviewer' });
      expect(res.json().message).toMatchObject({ body: 'On it!', conversationId, author: 'human' });
      await until(() => bus.events.length > 0);
      expect(bus.events).toContainEqual({
        type: 'message.sent',
        conversationId,
        escalationId,
        messageId: res.json().message.id,
      });
    } finally {
      await bus.stop();
    }
    const audit = await api.db.query<{ action: string; payload: unknown }>(
      `SELECT action, payload FROM audit_events WHERE subject = $1 ORDER BY id`,
      [`escalation:${escalationId}`],
    );
    expect(audit.map((e) => e.action)).toEqual([
      'escalation.opened',
      'escalation.claimed',
      'escalation.replied',
    ]);
    expect(JSON.stringify(audit)).not.toContain('On it!');
  });

  it('lets the claimer reply again, and refuses anyone else', async () => {
    const agent = await buildScriptedAgent(api.app);
    const { escalationId } = await startEscalatedRun(api.app, agent);
    await api.as('reviewer').post(`/api/escalations/${escalationId}/claim`);
    expect(
      (await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, { text: 'a' })).statusCode,
    ).toBe(201);
    expect(
      (await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, { text: 'b' })).statusCode,
    ).toBe(201);
    const other = await api.as('admin').post(`/api/escalations/${escalationId}/reply`, { text: 'c' });
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({
      id: 'invalid_state',
      message: expect.stringContaining('claimed by'),
    });
    const detail = (await api.as('viewer').get(`/api/escalations/${escalationId}`)).json();
    expect(detail.messages.map((m: { body: string }) => m.body)).toEqual([
      'Can I talk to a person please?',
      'a',
      'b',
    ]);
  });

  it('refuses blank text and unknown escalations', async () => {
    const agent = await buildScriptedAgent(api.app);
    const { escalationId } = await startEscalatedRun(api.app, agent);
    expect(
      (await api.as('reviewer').post(`/api/escalations/${escalationId}/reply`, { text: '   ' })).statusCode,
    ).toBe(400);
    const missing = await api
      .as('reviewer')
      .post('/api/escalations/00000000-0000-4000-8000-000000000000/reply', { text: 'hi' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('POST /api/escalations/:id/resolve', () => {
  it('lets only the claimer resolve a claimed escalation, as only the claimer may reply', async () => {
    const agent = await buildScriptedAgent(api.app);
    const { escalationId } = await startEscalatedRun(api.app, agent);
    expect((await api.as('reviewer').post(`/api/escalations/${escalationId}/claim`)).statusCode).toBe(200);
    for (const path of ['reply', 'resolve']) {
      const other = await api
        .as('admin')
        .post(
          `/api/escalations/${escalationId}/${path}`,
          path === 'reply' ? { text: 'mine now' } : { resolution: 'x' },
        );
      expect(other.statusCode, path).toBe(409);
      expect(other.json().error).toMatchObject({
        id: 'invalid_state',
        message: 'the escalation is claimed by token:test-reviewer',
      });
    }
    expect((await api.as('viewer').get(`/api/escalations/${escalationId}`)).json().escalation.state).toBe(
      'claimed',
    );
    const own = await api
      .as('reviewer')
      .post(`/api/escalations/${escalationId}/resolve`, { resolution: 'done' });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().escalation).toMatchObject({ state: 'resolved', resolvedBy: 'token:test-reviewer' });
  });

  it('lets anyone resolve an open escalation, which then counts as theirs', async () => {
    const agent = await buildScriptedAgent(api.app);
    const { escalationId } = await startEscalatedRun(api.app, agent);
    const res = await api
      .as('admin')
      .post(`/api/escalations/${escalationId}/resolve`, { resolution: 'phoned' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().escalation).toMatchObject({ state: 'resolved', claimedBy: 'token:test-admin' });
    const again = await api.as('admin').post(`/api/escalations/${escalationId}/resolve`, { resolution: 'x' });
    expect(again.json().error).toMatchObject({ id: 'invalid_state', message: 'the escalation is resolved' });
  });
});

describe('GET /api/escalations', () => {
  it('filters by kind, state and agent, and shows only that conversation in a transcript', async () => {
    const agent = await buildScriptedAgent(api.app);
    const a = await startEscalatedRun(api.app, agent, 'conv-a');
    await startEscalatedRun(api.app, agent, 'conv-b');
    const { agent: busy } = await startCheckpointRun(api.app);

    const list = async (q: string) =>
      (await api.as('viewer').get(`/api/escalations?${q}`)).json().escalations as {
        kind: string;
        id: string;
      }[];
    expect((await list(`agent=${agent.name}`)).length).toBe(2);
    expect((await list(`agent=${busy.name}&kind=checkpoint`)).map((e) => e.kind)).toEqual(['checkpoint']);
    expect(await list(`agent=${busy.name}&kind=review`)).toEqual([]);
    await api
      .as('reviewer')
      .post(`/api/escalations/${a.escalationId}/resolve`, { resolution: 'called back' });
    expect((await list(`agent=${agent.name}&state=resolved`)).map((e) => e.id)).toEqual([a.escalationId]);

    const detail = (await api.as('viewer').get(`/api/escalations/${a.escalationId}`)).json();
    expect(detail.messages.every((m: { conversationId: string }) => m.conversationId === 'conv-a')).toBe(
      true,
    );
    expect(detail.escalation).toMatchObject({
      agentName: agent.name,
      state: 'resolved',
      resolvedBy: 'token:test-reviewer',
    });
  });
});

describe('GET /api/escalations/:id', () => {
  it("names where each of the agent's answers came from, and how sure it was", async () => {
    const agent = await northwindAgent(api.app, 'sources-desk');
    const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel: 'web' });
    await customerMessageHandler(api.app, { conversation, text: 'When are you open on Saturday?' });
    await customerMessageHandler(api.app, {
      conversation,
      text: 'how long is the warranty on an e-bike motor and battery?',
    });
    const handed = await customerMessageHandler(api.app, {
      conversation,
      text: 'I want to talk to a person',
    });
    expect(handed.escalationId).toBeTruthy();
    const res = await api.as('viewer').get(`/api/escalations/${handed.escalationId}`);
    expect(res.statusCode, res.body).toBe(200);
    const messages = res.json().messages as {
      author: string;
      sourceTitles: string[];
      confidence: number | null;
    }[];
    const [answer, passage] = messages.filter((m) => m.author === 'agent');
    expect(answer?.sourceTitles).toEqual(['Opening hours']);
    expect(answer?.confidence).toBeGreaterThanOrEqual(0.5);
    // An article's answer names its section, for the person judging it.
    expect(passage?.sourceTitles).toEqual(['Warranty — Components and e-bike systems']);
    for (const m of messages.filter((x) => x.author !== 'agent')) expect(m.sourceTitles).toEqual([]);
  });
});
