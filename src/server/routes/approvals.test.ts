// Approval routes: the queue's filters and order, exactly one winner when two people decide at once, a denial needs
// a reason, and an expired approval can no longer be approved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, buildApprovalAgent, startSuspendedRun } from '../../../test/support/api.ts';
import { ManualClock } from '../../clock.ts';

let api: Api;
const clock = new ManualClock(new Date());
beforeAll(async () => {
  api = await buildApi({ clock });
});
afterAll(() => api.close());

describe('GET /api/approvals', () => {
  it('lists newest first, filtered by status and agent, with the tool call and agent name', async () => {
    const { agent } = await buildApprovalAgent(api.app);
    const { agent: other } = await buildApprovalAgent(api.app);
    const first = await startSuspendedRun(api.app, agent);
    clock.advance(1000);
    const second = await startSuspendedRun(api.app, agent);
    clock.advance(1000);
    await startSuspendedRun(api.app, other);

    const mine = (await api.as('viewer').get(`/api/approvals?agent=${agent.name}`)).json().approvals;
    expect(mine.map((a: { id: string }) => a.id)).toEqual([second.approvalId, first.approvalId]);
    expect(mine[0]).toMatchObject({ agentName: agent.name, tool: 'notes.delete', risk: 'destructive' });
    expect(mine[0].reason).toMatch(/destructive/);

    await api.as('reviewer').post(`/api/approvals/${first.approvalId}/approve`, {});
    const approved = (
      await api.as('viewer').get(`/api/approvals?agent=${agent.name}&status=approved`)
    ).json();
    expect(approved.approvals.map((a: { id: string }) => a.id)).toEqual([first.approvalId]);
    const pendingEverywhere = (await api.as('viewer').get('/api/approvals?status=pending')).json().approvals;
    expect(pendingEverywhere.map((a: { agentName: string }) => a.agentName).sort()).toEqual(
      [agent.name, other.name].sort(),
    );
  });

  it('refuses an unknown status and answers 404 for an unknown agent', async () => {
    expect((await api.as('viewer').get('/api/approvals?status=maybe')).statusCode).toBe(400);
    expect((await api.as('viewer').get('/api/approvals?agent=ghost')).statusCode).toBe(404);
  });
});

describe('deciding', () => {
  it('lets exactly one of two concurrent decisions win; the other gets already_decided', async () => {
    const { agent } = await buildApprovalAgent(api.app);
    const { runId, approvalId } = await startSuspendedRun(api.app, agent);
    const results = await Promise.all([
      api.as('reviewer').post(`/api/approvals/${approvalId}/approve`, {}),
      api.as('admin').post(`/api/approvals/${approvalId}/deny`, { reason: 'no' }),
    ]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().error.id).toBe('already_decided');
    const calls = await api.db.query<{ status: string }>('SELECT status FROM tool_calls WHERE run_id = $1', [
      runId,
    ]);
    expect(calls).toHaveLength(1);
  });

  it('requires a reason to deny, and records who denied and why', async () => {
    const { agent } = await buildApprovalAgent(api.app);
    const { approvalId } = await startSuspendedRun(api.app, agent);
    const none = await api.as('reviewer').post(`/api/approvals/${approvalId}/deny`, {});
    expect(none.json().error).toMatchObject({ id: 'validation_failed', details: [{ path: 'body.reason' }] });
    const s = await api.login('reviewer');
    const res = await s.client.post(`/api/approvals/${approvalId}/deny`, { reason: 'wrong note' });
    expect(res.json().approval).toMatchObject({
      status: 'denied',
      decidedBy: 'user:reviewer@example.com',
      decisionReason: 'wrong note',
    });
    expect(res.json().run.status).toBe('done');
  });

  it('refuses to approve an approval past its expiry', async () => {
    const { agent } = await buildApprovalAgent(api.app);
    const { approvalId } = await startSuspendedRun(api.app, agent);
    clock.advance(25 * 3600_000);
    const res = await api.as('reviewer').post(`/api/approvals/${approvalId}/approve`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('invalid_state');
  });
});
