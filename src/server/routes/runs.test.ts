// Run routes: what a started run's trigger holds, list filters and order, and a checkpoint continued with a fresh
// budget through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  buildApi,
  buildScriptedAgent,
  type Client,
  startCheckpointRun,
} from '../../../test/support/api.ts';
import { ManualClock } from '../../clock.ts';

let api: Api;
let reviewer: Client;
// A manual clock: "newest first" must not depend on two runs landing in different milliseconds.
const clock = new ManualClock(new Date());
beforeAll(async () => {
  api = await buildApi({ clock });
  reviewer = api.as('reviewer');
});
afterAll(() => api.close());

describe('POST /api/agents/:agent/runs', () => {
  it('starts a message run with the text, conversation, customer and channel in its trigger', async () => {
    const agent = await buildScriptedAgent(api.app);
    const res = await reviewer.post(`/api/agents/${agent.name}/runs`, {
      text: 'hello',
      conversationId: 'c-1',
      customerId: 'cust-9',
      channel: 'webchat',
    });
    expect(res.statusCode).toBe(201);
    const { run, messages, audit } = res.json();
    expect(run).toMatchObject({
      status: 'done',
      conversationId: 'c-1',
      trigger: { type: 'message', text: 'hello', customerId: 'cust-9', channel: 'webchat' },
    });
    expect(messages).toEqual([
      expect.objectContaining({ author: 'customer', body: 'hello', conversationId: 'c-1' }),
    ]);
    expect(audit[0]).toMatchObject({ action: 'run.started', actor: 'token:test-reviewer', seq: 1 });
  });

  it('starts a manual run without text, by agent id as well as name', async () => {
    const agent = await buildScriptedAgent(api.app);
    const res = await reviewer.post(`/api/agents/${agent.id}/runs`, {});
    expect(res.json().run.trigger).toEqual({ type: 'manual' });
    expect(res.json().messages).toEqual([]);
  });

  it('refuses a text over 10,000 characters, an empty text, and an unknown agent', async () => {
    const agent = await buildScriptedAgent(api.app);
    const long = await reviewer.post(`/api/agents/${agent.name}/runs`, { text: 'x'.repeat(10_001) });
    expect(long.json().error).toMatchObject({ id: 'validation_failed', details: [{ path: 'body.text' }] });
    expect((await reviewer.post(`/api/agents/${agent.name}/runs`, { text: '' })).statusCode).toBe(400);
    const unknown = await reviewer.post('/api/agents/no-such-agent/runs', { text: 'hi' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('GET /api/runs', () => {
  it('lists newest first with agent names, filtered by agent and status, limited', async () => {
    const agent = await buildScriptedAgent(api.app);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      ids.push((await api.app.runtime.startRun(agent.id, { type: 'manual' })).id);
    }
    const res = await api.as('viewer').get(`/api/runs?agent=${agent.name}`);
    const runs = res.json().runs as { id: string; agentName: string; createdAt: string }[];
    expect(runs.map((r) => r.id)).toEqual([...ids].reverse());
    expect(runs.every((r) => r.agentName === agent.name)).toBe(true);
    expect(new Date(runs[0]!.createdAt).toISOString()).toBe(runs[0]!.createdAt);
    expect((await api.as('viewer').get(`/api/runs?agent=${agent.name}&limit=2`)).json().runs).toHaveLength(2);
    expect((await api.as('viewer').get(`/api/runs?agent=${agent.name}&status=failed`)).json().runs).toEqual(
      [],
    );
  });
});

describe('POST /api/runs/:id/checkpoint', () => {
  it('continues a run with a fresh budget; it stops at the next checkpoint', async () => {
    const { runId } = await startCheckpointRun(api.app);
    const res = await reviewer.post(`/api/runs/${runId}/checkpoint`, { choice: 'continue', note: 'go on' });
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    // Budget 1 per stretch: the second search runs, then the run checkpoints again.
    expect(view.run).toMatchObject({ status: 'checkpoint', stepsUsed: 2, budget: 2 });
    expect(view.escalations.map((e: { state: string }) => e.state)).toEqual(['resolved', 'open']);
    expect(view.audit.map((e: { action: string }) => e.action)).toContain('checkpoint.continue');
  });

  it('answers 404 for an unknown run and 409 for a run not at a checkpoint', async () => {
    const missing = await reviewer.post('/api/runs/00000000-0000-4000-8000-000000000000/checkpoint', {
      choice: 'close',
    });
    expect(missing.statusCode).toBe(404);
    const agent = await buildScriptedAgent(api.app);
    const run = await api.app.runtime.startRun(agent.id, { type: 'manual' });
    const done = await reviewer.post(`/api/runs/${run.id}/checkpoint`, { choice: 'close' });
    expect(done.statusCode).toBe(409);
    expect(done.json().error.id).toBe('invalid_state');
  });
});
