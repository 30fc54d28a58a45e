// Two real `twelve start` processes on one PostgreSQL behave as one system: a run started on node A and approved on
// node B executes its tool exactly once, node A's SSE stream hears node B's approval.decided (LISTEN/NOTIFY across
// processes), a second decision is refused on either node, a KB edit on one node retrains the engine on both before
// any question, and both nodes share one set of job queues and schedules.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCreator } from '../../src/accounts/users.ts';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { createApp } from '../../src/app.ts';
import { createServices } from '../../src/context.ts';
import { jobsOf } from '../../src/jobs/runner.ts';
import { type Db, openPg } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { serverUrl } from '../support/db.ts';
import { deleteNoteScript, insertNote, waitFor } from './fixtures.ts';
import { type NodeProcess, startNode } from './nodes.ts';

const schema = `mn_${randomBytes(6).toString('hex')}`;
const bossSchema = `${schema}_pgboss`;
let db: Db;
let token: string;
let nodeA: NodeProcess;
let nodeB: NodeProcess;

async function admin(sql: string): Promise<void> {
  const a = openPg(serverUrl!, { max: 1 });
  try {
    await a.exec(sql);
  } finally {
    await a.close();
  }
}

beforeAll(async () => {
  if (!serverUrl) return;
  await admin(
    `CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public; CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;
     CREATE SCHEMA ${schema}`,
  );
  db = openPg(serverUrl, { searchPath: `${schema},public` });
  await migrate(db);
  token = (await tokenCreator(createServices(db), 'cli', { name: 'multinode-admin', role: 'admin' })).token;
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  // Both nodes start at once: migrations and pg-boss's schema must cope with the race.
  [nodeA, nodeB] = await Promise.all([
    startNode({ DATABASE_URL: url.toString() }),
    startNode({ DATABASE_URL: url.toString() }),
  ]);
}, 120_000);

afterAll(async () => {
  if (!serverUrl) return;
  const codes = await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  await db?.close();
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${bossSchema} CASCADE`);
  // Graceful shutdown is part of the contract: both processes exit 0 by themselves.
  expect(codes).toEqual([0, 0]);
}, 90_000);

function api(node: NodeProcess, method: string, path: string, body?: unknown) {
  return fetch(`${node.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** True when the route is not there yet (another engineer's route); the test then takes the in-process path. */
async function missingRoute(res: Response): Promise<boolean> {
  if (res.status !== 404) return false;
  const body = (await res.clone().json()) as { error?: { message?: string } };
  return body.error?.message?.startsWith('no route') ?? false;
}

/** Reads an SSE stream in the background, keeping every frame seen. */
async function listen(node: NodeProcess) {
  const abort = new AbortController();
  const res = await fetch(`${node.url}/api/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const pump = (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        text += decoder.decode(chunk.value, { stream: true });
      }
    } catch {}
  })();
  await waitFor('the SSE stream to open', async () => text.includes(': connected'));
  return {
    text: () => text,
    async close() {
      abort.abort();
      await pump;
    },
  };
}

describe.skipIf(!serverUrl)('two nodes on one PostgreSQL', () => {
  it('a run started on A and approved on B runs its tool once; A hears B decide', async () => {
    const name = `mn-${randomUUID().slice(0, 8)}`;
    let res = await api(nodeA, 'POST', '/api/agents', {
      kind: 'custom',
      name,
      brain: 'scripted',
      config: { script: [] },
    });
    expect(res.status).toBe(201);
    const agent = (await res.json()) as { id: string };
    res = await api(nodeA, 'POST', `/api/agents/${name}/readiness`, {
      clarity: 3,
      tolerance: 3,
      fallback: 3,
      rationale: 'pilot: destructive tools wait for a human',
    });
    expect(res.status).toBe(201);
    const noteId = await insertNote(db, agent.id);
    res = await api(nodeA, 'PATCH', `/api/agents/${name}`, { config: { script: deleteNoteScript(noteId) } });
    expect(res.status).toBe(200);

    const stream = await listen(nodeA);
    try {
      res = await api(nodeA, 'POST', `/api/agents/${name}/runs`, {});
      let runId: string;
      if (await missingRoute(res)) {
        runId = (await createApp(db).runtime.startRun(agent.id, { type: 'manual' })).id;
      } else {
        expect(res.status).toBe(201);
        runId = ((await res.json()) as { run: { id: string } }).run.id;
      }
      const [waiting] = await db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId]);
      expect(waiting!.status).toBe('suspended');
      const [approval] = await db.query<{ id: string }>('SELECT id FROM approvals WHERE run_id = $1', [
        runId,
      ]);
      const approvalId = approval!.id;

      res = await api(nodeB, 'POST', `/api/approvals/${approvalId}/approve`, { reason: 'checked' });
      if (await missingRoute(res)) {
        await createApp(db, { nodeId: 'node-b-in-process' }).runtime.decideApproval(
          approvalId,
          'approve',
          'token:multinode-admin',
        );
      } else {
        expect(res.status).toBe(200);
      }

      // The decision committed on B; A's bus hears it and streams it.
      await waitFor('approval.decided on node A', async () =>
        stream.text().includes(`"approvalId":"${approvalId}"`),
      );
      expect(stream.text()).toMatch(
        new RegExp(`event: approval\\.decided\\ndata: \\{[^\\n]*"${approvalId}"`),
      );

      const run = await waitFor('the run to finish', async () => {
        const [row] = await db.query<{ status: string; lease_owner: string | null }>(
          'SELECT status, lease_owner FROM runs WHERE id = $1',
          [runId],
        );
        return row?.status === 'done' ? row : null;
      });
      expect(run.lease_owner).toBeNull();
      const calls = await db.query<{ status: string; result: unknown }>(
        'SELECT status, result FROM tool_calls WHERE run_id = $1',
        [runId],
      );
      expect(calls).toEqual([{ status: 'succeeded', result: { deleted: 1 } }]);
      expect(await db.query('SELECT id FROM demo_notes WHERE id = $1', [noteId])).toEqual([]);
      const [decisions] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE stream = $1 AND action = 'approval.approved'`,
        [`run:${runId}`],
      );
      expect(decisions!.n).toBe(1);

      // Deciding again, on either node, is refused: exactly one decision wins.
      for (const node of [nodeA, nodeB]) {
        res = await api(node, 'POST', `/api/approvals/${approvalId}/approve`, {});
        if (await missingRoute(res)) continue;
        expect(res.status).toBe(409);
        expect(((await res.json()) as { error: { id: string } }).error.id).toBe('already_decided');
      }
    } finally {
      await stream.close();
    }
  });

  it("an edit of the KB on A makes B train the agent's engine before any question reaches B", async () => {
    const name = `mn-kb-${randomUUID().slice(0, 8)}`;
    let res = await api(nodeA, 'POST', '/api/agents', { kind: SUPPORT_KIND, name });
    expect(res.status).toBe(201);
    res = await api(nodeA, 'POST', `/api/agents/${name}/kb/entries`, {
      title: 'Opening hours',
      answer: 'Nine to five.',
      phrasings: ['when are you open', 'opening hours'],
    });
    expect(res.status).toBe(201);
    const entry = ((await res.json()) as { entry: { id: string } }).entry;
    type Status = { engine: { kbVersion: number; state: string; serving: { version: number } | null } };
    const readyOn = (node: NodeProcess, version: number) =>
      waitFor(`node ${node === nodeA ? 'A' : 'B'} to train KB version ${version}`, async () => {
        const r = await api(node, 'GET', `/api/agents/${name}/kb/engine`);
        expect(r.status).toBe(200);
        const { engine } = (await r.json()) as Status;
        return engine.state === 'ready' && engine.serving?.version === version ? engine : null;
      });
    const first = await readyOn(nodeB, 1);
    expect(first.kbVersion).toBe(1);
    res = await api(nodeA, 'POST', `/api/kb/entries/${entry.id}/phrasings`, {
      phrasing: 'what time do you close',
    });
    expect(res.status).toBe(201);
    await readyOn(nodeB, 2);
    await readyOn(nodeA, 2);
    // Either node lists both, each serving version 2, and says which one answered.
    const listed = await waitFor('both nodes to report version 2', async () => {
      const r = await api(nodeA, 'GET', `/api/agents/${name}/kb/engine`);
      const { nodes } = (await r.json()) as {
        nodes: { nodeId: string; self: boolean; servingVersion: number }[];
      };
      return nodes.length === 2 && nodes.every((n) => n.servingVersion === 2) ? nodes : null;
    });
    expect(listed.filter((n) => n.self)).toHaveLength(1);
  });

  it('both nodes share one set of stately queues and one schedule per job', async () => {
    // The platform's jobs and each registered kind's (the node processes assemble the same registry).
    const jobs = jobsOf(createApp(db));
    const queues = await db.query<{ name: string; policy: string }>(
      `SELECT name, policy FROM ${bossSchema}.queue WHERE name NOT LIKE '__pgboss%' ORDER BY name`,
    );
    expect(queues).toEqual(
      jobs.map((j) => ({ name: j.name, policy: 'stately' })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    const schedules = await db.query<{ name: string; n: number }>(
      `SELECT name, count(*)::int AS n FROM ${bossSchema}.schedule GROUP BY name ORDER BY name`,
    );
    expect(schedules.map((s) => s.n)).toEqual(jobs.map(() => 1));
    for (const node of [nodeA, nodeB]) expect(node.output()).not.toMatch(/pg-boss reported an error/);
  });
});
