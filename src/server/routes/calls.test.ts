// The call log's route: an agent's voice calls newest first with duration, cost, summary and transcript, the
// outcome read from the call's runs (tools that succeeded) and escalations, paged by cursor without repeats or
// gaps; a bad cursor is a 400 naming the field, an unknown agent 404, and people without a role 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, buildScriptedAgent } from '../../../test/support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

async function insertCall(agentId: string, n: number, extra: Record<string, unknown> = {}) {
  const createdAt = new Date(Date.UTC(2026, 10, 1, 9, n));
  await api.app.db.query(
    `INSERT INTO voice_calls (call_id, agent_id, conversation_id, customer_number, status, ended_reason, transcript,
       summary, cost, started_at, ended_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'ended', $5, $6, $7, $8, $9, $10, $9, $9)`,
    [
      `call-${agentId.slice(0, 8)}-${n}`,
      agentId,
      `v_call-${agentId.slice(0, 8)}-${n}`,
      `+4477009001${String(n).padStart(2, '0')}`,
      extra.endedReason ?? 'customer-ended-call',
      `AI: Hello\nUser: call ${n}`,
      `Summary ${n}`,
      0.1 * n,
      createdAt,
      new Date(createdAt.getTime() + 95_000),
    ],
  );
  return `v_call-${agentId.slice(0, 8)}-${n}`;
}

describe('GET /api/agents/:agent/calls', () => {
  it('lists calls newest first with their facts and outcome, paged without repeats or gaps', async () => {
    const agent = await buildScriptedAgent(api.app, {
      script: [
        { type: 'tool', name: 'notes.search', args: { query: 'hours' } },
        { type: 'done', outcome: 'noted' },
      ],
    });
    const conversations: string[] = [];
    for (let n = 1; n <= 5; n++) conversations.push(await insertCall(agent.id, n));
    // Call 3 ran a tool (a read: it executes in pilot); call 4 was handed to a person.
    await api.app.runtime.startRun(agent.id, {
      type: 'message',
      text: 'what are your hours',
      conversationId: conversations[2],
      channel: 'voice',
    });
    await api.app.db.query(
      `INSERT INTO escalations (agent_id, conversation_id, reason) VALUES ($1, $2, 'caller asked for a person')`,
      [agent.id, conversations[3]],
    );
    const other = await buildScriptedAgent(api.app);
    await insertCall(other.id, 9);

    const viewer = api.as('viewer');
    const first = await viewer.get(`/api/agents/${agent.name}/calls?limit=2`);
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.calls.map((c: { summary: string }) => c.summary)).toEqual(['Summary 5', 'Summary 4']);
    expect(page1.calls[0]).toMatchObject({
      customerNumber: '+447700900105',
      endedReason: 'customer-ended-call',
      durationSec: 95,
      transcript: 'AI: Hello\nUser: call 5',
      outcome: { tools: [], escalated: false },
    });
    expect(page1.calls[0].cost).toBeCloseTo(0.5);
    expect(page1.calls[1].outcome).toEqual({ tools: [], escalated: true });
    expect(page1.next).toEqual(expect.any(String));

    const page2 = (await viewer.get(`/api/agents/${agent.name}/calls?limit=2&before=${page1.next}`)).json();
    expect(page2.calls.map((c: { summary: string }) => c.summary)).toEqual(['Summary 3', 'Summary 2']);
    expect(page2.calls[0].outcome).toEqual({ tools: ['notes.search'], escalated: false });
    const page3 = (await viewer.get(`/api/agents/${agent.name}/calls?limit=2&before=${page2.next}`)).json();
    expect(page3.calls.map((c: { summary: string }) => c.summary)).toEqual(['Summary 1']);
    expect(page3.next).toBeNull();
  });

  it('refuses a bad cursor or limit naming the field, an unknown agent, and anonymous readers', async () => {
    const agent = await buildScriptedAgent(api.app);
    const viewer = api.as('viewer');
    const bad = await viewer.get(`/api/agents/${agent.name}/calls?before=not-a-cursor`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ id: 'validation_failed', details: [{ path: 'query.before' }] });
    const limit = await viewer.get(`/api/agents/${agent.name}/calls?limit=0`);
    expect(limit.statusCode).toBe(400);
    expect(limit.json().error.id).toBe('validation_failed');
    expect((await viewer.get('/api/agents/no-such-agent/calls')).statusCode).toBe(404);
    expect((await api.anon.get(`/api/agents/${agent.name}/calls`)).statusCode).toBe(401);
    expect((await viewer.get(`/api/agents/${agent.name}/calls`)).json()).toEqual({ calls: [], next: null });
  });
});
