// The dashboard's main path over HTTP only: create a scripted agent whose run wants a destructive tool, assess it,
// start a run (suspended), find it in the approval queue, approve it (the run finishes; a second decision is 409),
// read the run viewer, then take an escalation through claim → reply → resolve and a checkpoint through close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { type Api, buildApi, type Client } from '../support/api.ts';

let api: Api;
let admin: Client;
let reviewer: Client;
let viewer: Client;
beforeAll(async () => {
  api = await buildApi();
  admin = api.as('admin');
  reviewer = api.as('reviewer');
  viewer = api.as('viewer');
});
afterAll(() => api.close());

describe('approval flow', () => {
  let runId = '';
  let approvalId = '';
  const noteId = '6f1c8a52-0a47-4a7e-9d7e-3f0b3c1e2a10';

  it('creates a scripted agent and records an assessment', async () => {
    const created = await admin.post('/api/agents', {
      kind: 'custom',
      name: 'tidy-notes',
      brain: 'scripted',
      spendCapCents: 100,
      // Pilot replies go out only to the cohort: make every conversation part of it.
      pilotPercent: 100,
      config: {
        script: [
          { type: 'tool', name: 'notes.delete', args: { id: noteId } },
          { type: 'reply', text: 'Your old note is gone.', confidence: 0.95 },
          { type: 'done', outcome: 'tidied' },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const assessed = await admin.post('/api/agents/tidy-notes/readiness', {
      clarity: 3,
      tolerance: 3,
      fallback: 3,
      rationale: 'pilot first',
    });
    expect(assessed.statusCode).toBe(201);
    expect(assessed.json().agent.readiness.effectiveMode).toBe('pilot');
  });

  it('starts a run that suspends on the destructive tool', async () => {
    const res = await reviewer.post('/api/agents/tidy-notes/runs', { text: 'Please delete my old note' });
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    expect(view.run).toMatchObject({ status: 'suspended', mode: 'pilot', agentName: 'tidy-notes' });
    expect(view.toolCalls).toEqual([
      expect.objectContaining({ tool: 'notes.delete', risk: 'destructive', status: 'pending' }),
    ]);
    runId = view.run.id;
  });

  it('lists the pending approval with its tool call, agent and run', async () => {
    const res = await viewer.get('/api/approvals?status=pending&agent=tidy-notes');
    const { approvals } = res.json();
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({
      status: 'pending',
      tool: 'notes.delete',
      args: { id: noteId },
      risk: 'destructive',
      agentName: 'tidy-notes',
      runId,
    });
    expect(Date.parse(approvals[0].expiresAt)).toBeGreaterThan(Date.now());
    approvalId = approvals[0].id;
  });

  it('approves it: the run resumes and finishes', async () => {
    const res = await reviewer.post(`/api/approvals/${approvalId}/approve`, { reason: 'looks right' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().approval).toMatchObject({
      status: 'approved',
      decidedBy: 'token:test-reviewer',
      decisionReason: 'looks right',
    });
    expect(res.json().run).toMatchObject({ id: runId, status: 'done', outcome: 'tidied' });
  });

  it('answers a second decision with 409 already_decided', async () => {
    for (const [action, body] of [
      ['approve', {}],
      ['deny', { reason: 'too late' }],
    ] as const) {
      const res = await admin.post(`/api/approvals/${approvalId}/${action}`, body);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.id).toBe('already_decided');
    }
    expect((await viewer.get('/api/approvals?status=pending&agent=tidy-notes')).json().approvals).toEqual([]);
  });

  it('shows the run in the viewer: steps, tool calls, approval, messages and its audit chain', async () => {
    const res = await viewer.get(`/api/runs/${runId}`);
    const view = res.json();
    expect(view.agent).toEqual({ id: expect.any(String), name: 'tidy-notes', displayName: 'tidy-notes' });
    expect(view.steps.map((s: { decision: string }) => s.decision)).toEqual(['approval', 'send', 'done']);
    expect(view.toolCalls[0]).toMatchObject({ status: 'succeeded', result: { deleted: 0 } });
    expect(view.approvals).toEqual([expect.objectContaining({ id: approvalId, status: 'approved' })]);
    expect(view.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'agent']);
    const actions = view.audit.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'run.started',
        'tool.intent',
        'approval.requested',
        'approval.approved',
        'run.done',
      ]),
    );
    expect(actions.indexOf('approval.approved')).toBeLessThan(actions.lastIndexOf('tool.intent'));
    expect(view.audit.map((e: { seq: number }) => e.seq)).toEqual(
      view.audit.map((_: unknown, i: number) => i + 1),
    );
    expect(JSON.stringify(view)).not.toMatch(/password|token_hash/);
  });

  it('lists the run with filters', async () => {
    const done = (await viewer.get('/api/runs?agent=tidy-notes&status=done')).json().runs;
    expect(done.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect((await viewer.get('/api/runs?agent=tidy-notes&status=suspended')).json().runs).toEqual([]);
    expect((await viewer.get('/api/runs?agent=no-such-agent')).statusCode).toBe(404);
  });

  it('lets a denial carry a reason the run records', async () => {
    const started = (await reviewer.post('/api/agents/tidy-notes/runs', { text: 'delete it again' })).json();
    const [pending] = started.approvals;
    const empty = await reviewer.post(`/api/approvals/${pending.id}/deny`, { reason: '  ' });
    expect(empty.json().error.id).toBe('validation_failed');
    const denied = await reviewer.post(`/api/approvals/${pending.id}/deny`, { reason: 'keep the note' });
    expect(denied.json().approval).toMatchObject({ status: 'denied', decisionReason: 'keep the note' });
    const view = (await viewer.get(`/api/runs/${started.run.id}`)).json();
    expect(view.toolCalls[0]).toMatchObject({ status: 'denied', result: { error: { id: 'denied' } } });
  });
});

describe('escalation flow', () => {
  let escalationId = '';

  it('escalates a customer who asks for a person and lists it in the inbox', async () => {
    const run = await reviewer.post('/api/agents/tidy-notes/runs', {
      text: 'Can I speak to a human?',
      conversationId: 'chat-42',
      channel: 'webchat',
    });
    expect(run.json().run.status).toBe('escalated');
    const inbox = (await viewer.get('/api/escalations?state=open&agent=tidy-notes')).json().escalations;
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      kind: 'escalation',
      agentName: 'tidy-notes',
      conversationId: 'chat-42',
    });
    escalationId = inbox[0].id;
  });

  it('claims, replies to the customer and resolves, with the transcript growing', async () => {
    const claim = await reviewer.post(`/api/escalations/${escalationId}/claim`);
    expect(claim.json().escalation).toMatchObject({ state: 'claimed', claimedBy: 'token:test-reviewer' });
    const stolen = await admin.post(`/api/escalations/${escalationId}/claim`);
    expect(stolen.statusCode).toBe(409);

    const reply = await reviewer.post(`/api/escalations/${escalationId}/reply`, {
      text: 'Hi, I am Sam. How can I help?',
    });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().message).toMatchObject({ author: 'human', direction: 'out', status: 'sent' });

    const detail = (await viewer.get(`/api/escalations/${escalationId}`)).json();
    expect(detail.messages.map((m: { author: string; body: string }) => [m.author, m.body])).toEqual([
      ['customer', 'Can I speak to a human?'],
      ['human', 'Hi, I am Sam. How can I help?'],
    ]);
    expect(detail.run).toMatchObject({ status: 'escalated', outcome: 'asked_for_person' });

    const resolved = await reviewer.post(`/api/escalations/${escalationId}/resolve`, {
      resolution: 'helped in chat',
    });
    expect(resolved.json().escalation).toMatchObject({ state: 'resolved', resolution: 'helped in chat' });
    const late = await reviewer.post(`/api/escalations/${escalationId}/reply`, { text: 'one more thing' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.id).toBe('invalid_state');
  });

  it('records the human steps in the audit trail, which still verifies', async () => {
    const events = (await viewer.get(`/api/audit?subject=escalation:${escalationId}`)).json().events;
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'escalation.resolved',
      'escalation.replied',
      'escalation.claimed',
      'escalation.opened',
    ]);
    const report = (await viewer.post('/api/audit/verify')).json();
    expect(report).toMatchObject({ ok: true, firstBroken: null });
  });
});

describe('checkpoint flow', () => {
  it('closes a run stopped at its step budget', async () => {
    const agent = await admin.post('/api/agents', {
      kind: 'custom',
      name: 'busy-bee',
      brain: 'scripted',
      stepBudget: 1,
      config: {
        script: [1, 2].map((i) => ({ type: 'tool', name: 'notes.search', args: { query: `q${i}` } })),
      },
    });
    expect(agent.statusCode).toBe(201);
    const started = (await reviewer.post('/api/agents/busy-bee/runs', {})).json();
    expect(started.run).toMatchObject({ status: 'checkpoint', trigger: { type: 'manual' } });
    expect(started.escalations).toEqual([expect.objectContaining({ kind: 'checkpoint', state: 'open' })]);
    const shortcut = await reviewer.post(`/api/escalations/${started.escalations[0].id}/resolve`, {
      resolution: 'done',
    });
    expect(shortcut.json().error.id).toBe('invalid_state');
    const closed = await reviewer.post(`/api/runs/${started.run.id}/checkpoint`, {
      choice: 'close',
      note: 'enough',
    });
    expect(closed.json().run).toMatchObject({ status: 'closed', outcome: 'closed_at_checkpoint' });
    expect(closed.json().escalations[0]).toMatchObject({ state: 'resolved', resolution: 'close: enough' });
    const again = await reviewer.post(`/api/runs/${started.run.id}/checkpoint`, { choice: 'continue' });
    expect(again.json().error.id).toBe('invalid_state');
  });
});

describe('agent settings', () => {
  it('refuses business hours it cannot read, naming the field, and keeps the config as it was', async () => {
    const hours = {
      timezone: 'Europe/London',
      hours: { mon: '09:00-18:00', sat: '10:00-16:00' },
      closed: ['2026-12-25'],
      replyTime: '2 hours',
    };
    const created = await admin.post('/api/agents', {
      kind: SUPPORT_KIND,
      name: 'hours-desk',
      config: { businessHours: hours },
    });
    expect(created.statusCode, created.body).toBe(201);
    for (const [bad, path] of [
      [{ ...hours, hours: { sat: '16:00-10:00' } }, 'body.config.businessHours.hours.sat'],
      [{ ...hours, closed: ['25/12/2026'] }, 'body.config.businessHours.closed.0'],
      [{ ...hours, timezone: 'Europe/Londn' }, 'body.config.businessHours.timezone'],
      [{ ...hours, replytime: '1 hour' }, 'body.config.businessHours'],
      ['weekdays', 'body.config.businessHours'],
    ] as const) {
      const res = await admin.patch('/api/agents/hours-desk', { config: { businessHours: bad } });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.id).toBe('validation_failed');
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const after = (await admin.get('/api/agents/hours-desk')).json();
    expect(after.config.businessHours).toEqual(hours);
  });
});
