// The measurement routes refuse bad input with a stable id and write nothing: ranges backwards or too long, work
// logged for a future or impossible day, out-of-range minutes, unknown agents; a good work-log entry is stored with
// who logged it and audited on the agent's stream, and counts in the agent's maintenance time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi, buildScriptedAgent } from '../../../test/support/api.ts';
import type { AgentConfig } from '../../runtime/types.ts';

let api: Api;
let agent: AgentConfig;

beforeAll(async () => {
  api = await buildApi();
  agent = await buildScriptedAgent(api.app, { name: 'measured' });
});
afterAll(() => api.close());

const today = () => new Date().toISOString().slice(0, 10);

describe('measurement routes', () => {
  it('refuses hostile work-log entries with 400 and writes nothing', async () => {
    const bad: unknown[] = [
      { minutes: 0 },
      { minutes: 1441 },
      { minutes: 2.5 },
      { minutes: '30' },
      { minutes: 30, date: '2026-02-30' },
      { minutes: 30, date: '9999-01-01' },
      { minutes: 30, date: 'yesterday' },
      { minutes: 30, note: 'x'.repeat(1001) },
      { minutes: 30, note: 'a\u0000b' },
      { minutes: 30, by: 'someone else' },
    ];
    for (const body of bad) {
      const res = await api.as('reviewer').post('/api/agents/measured/work-log', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.id).toBe('validation_failed');
    }
    const [row] = await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM work_log');
    expect(row!.n).toBe(0);
    const missing = await api.as('reviewer').post('/api/agents/nobody/work-log', { minutes: 5 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.id).toBe('not_found');
  });

  it('stores a work-log entry, audits it, and counts it as maintenance', async () => {
    const res = await api
      .as('reviewer')
      .post('/api/agents/measured/work-log', { minutes: 45, note: 'weekly review' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().entry).toMatchObject({ minutes: 45, date: today(), loggedBy: 'token:test-reviewer' });
    const audit = await api.db.query<{ actor: string; action: string; payload: unknown }>(
      `SELECT actor, action, payload FROM audit_events WHERE stream = $1 AND action = 'worklog.logged'`,
      [`agent:${agent.id}`],
    );
    expect(audit).toEqual([
      { actor: 'token:test-reviewer', action: 'worklog.logged', payload: { minutes: 45, date: today() } },
    ]);
    const metrics = await api.as('viewer').get('/api/agents/measured/metrics');
    expect(metrics.statusCode).toBe(200);
    // The readiness assessment when the agent was made is a 2-minute editing session.
    expect(metrics.json().metrics.humanMinutes).toMatchObject({ logged: 45, editing: 2, maintenance: 47 });
    expect(metrics.json().metrics.hours.net).toBe(-0.78);
    // No conversations: the last 30 days are below zero, but an agent with no work is idle, not in the trap.
    expect(metrics.json().trap.evaluation).toMatchObject({ trapped: false, reason: null, work: 0 });
    expect(metrics.json().trap.evaluation.windows.at(-1)).toBe(-0.78);
  });

  it('refuses ranges that end before they start or span more than 24 months', async () => {
    for (const q of [
      'from=2026-05-01&to=2026-04-01',
      'from=2020-01-01&to=2026-01-01',
      'from=2026-01-01T25:00',
    ]) {
      const res = await api.as('viewer').get(`/api/agents/measured/metrics?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.id).toBe('validation_failed');
    }
  });
});
