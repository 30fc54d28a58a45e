// Concurrent writes to one shared audit stream (`agent:<id>`, `system`): fifty requests at once, each a command whose
// state change and audit event are one transaction, all succeed (none fails with `audit chain conflict`), and the
// trail verifies afterwards. Real concurrency is on the PostgreSQL server (TEST_DATABASE_URL); on PGlite the same
// requests run interleaved on one connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { verifyAudit } from '../../src/audit/verify.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import { type Api, buildApi, type Response } from '../support/api.ts';

const N = 50;
let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

function expectAll(responses: Response[], status: number) {
  const statuses = responses.map((r) => r.statusCode);
  const failed = responses.filter((r) => r.statusCode !== status).map((r) => r.body);
  expect(failed, `statuses: ${statuses.join(' ')}`).toEqual([]);
}

async function expectVerified() {
  const report = await verifyAudit(api.db);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

describe('concurrent writes to one audit stream', () => {
  it(`creates ${N} KB entries of one agent at once`, async () => {
    const agent = await agentCreator(api.app, 'test', { kind: SUPPORT_KIND, name: 'concurrent-kb' });
    const reviewer = api.as('reviewer');
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        reviewer.post(`/api/agents/${agent.name}/kb/entries`, {
          title: `Entry ${i}`,
          answer: `Answer number ${i}.`,
          phrasings: [`question number ${i}`],
        }),
      ),
    );
    expectAll(responses, 201);
    const [row] = await api.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM kb_entries WHERE agent_id = $1',
      [agent.id],
    );
    expect(row!.n).toBe(N);
    await expectVerified();
  });

  it(`creates ${N} API tokens at once`, async () => {
    const admin = api.as('admin');
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        admin.post('/api/tokens', { name: `concurrent-${i}`, role: 'viewer' }),
      ),
    );
    expectAll(responses, 201);
    await expectVerified();
  });

  it(`creates ${N} users at once`, async () => {
    const admin = api.as('admin');
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        admin.post('/api/users', {
          email: `concurrent-${i}@example.com`,
          role: 'viewer',
          password: `Slate-harbor-${i}-Quietly`,
        }),
      ),
    );
    expectAll(responses, 201);
    await expectVerified();
  });

  it(`changes one agent's settings ${N} times at once`, async () => {
    const agent = await agentCreator(api.app, 'test', { kind: SUPPORT_KIND, name: 'concurrent-settings' });
    const admin = api.as('admin');
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        admin.patch(`/api/agents/${agent.name}`, { displayName: `Concurrent ${i}` }),
      ),
    );
    expectAll(responses, 200);
    const [row] = await api.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE stream = $1 AND action = 'agent.updated'`,
      [`agent:${agent.id}`],
    );
    expect(row!.n).toBe(N);
    await expectVerified();
  });

  it('starts a new shared stream from many transactions at once (no head row to lock yet)', async () => {
    const stream = `agent:fresh-${Date.now()}`;
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        api.db.transaction((tx) =>
          api.app.audit.append({ stream, actor: 'test', action: 'test.appended', subject: `n:${i}` }, tx),
        ),
      ),
    );
    const [head] = await api.db.query<{ seq: number }>('SELECT seq FROM audit_heads WHERE stream = $1', [
      stream,
    ]);
    expect(head!.seq).toBe(N);
    await expectVerified();
  });

  it('all of them at once, on the system stream and one agent stream together', async () => {
    const agent = await agentCreator(api.app, 'test', { kind: SUPPORT_KIND, name: 'concurrent-mixed' });
    const admin = api.as('admin');
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        switch (i % 4) {
          case 0:
            return admin.post(`/api/agents/${agent.name}/kb/entries`, {
              title: `Mixed ${i}`,
              answer: `Mixed answer ${i}.`,
              phrasings: [`mixed question ${i}`],
            });
          case 1:
            return admin.post('/api/tokens', { name: `mixed-${i}`, role: 'viewer' });
          case 2:
            return admin.post('/api/users', {
              email: `mixed-${i}@example.com`,
              role: 'viewer',
              password: `Copper-lantern-${i}-Drifts`,
            });
          default:
            return admin.patch(`/api/agents/${agent.name}`, { displayName: `Mixed ${i}` });
        }
      }),
    );
    expect(responses.filter((r) => r.statusCode >= 300).map((r) => r.body)).toEqual([]);
    await expectVerified();
  });
});
