// Each node's engine status, written for the others: two apps on one database stand for two servers. A node's row
// follows its engine (training, then ready at the new version), a node that has not trained has none, a row nobody
// touched for a minute is not listed, a running node keeps its rows fresh, and stopping deletes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { agentCreator } from '../runtime/agents.ts';
import { type EngineNode, engineNodes, reportEngines } from './engine-reports.ts';
import { faqCreator, phrasingAdder } from './kb.ts';

let db: TestDb;
let a: App;
let b: App;
let n = 0;

beforeAll(async () => {
  db = await openTestDb();
  a = createApp(db, { nodeId: `node-a-${process.pid}`, llm: null });
  b = createApp(db, { nodeId: `node-b-${process.pid}`, llm: null });
});
afterAll(async () => {
  await a?.knowledge.engines.close();
  await b?.knowledge.engines.close();
  await db?.dispose();
});

async function supportAgent(): Promise<string> {
  const agent = await agentCreator(a, 'test', { kind: 'support', name: `reports-${++n}` });
  await faqCreator(a, 'test', agent.id, {
    title: 'Opening hours',
    answer: 'Nine to five.',
    phrasings: ['when are you open'],
  });
  return agent.id;
}

async function until(
  read: () => Promise<EngineNode[]>,
  ok: (rows: EngineNode[]) => boolean,
): Promise<EngineNode[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await read();
    if (ok(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`rows never settled: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('engine reports', () => {
  it("writes each node's engine as it trains, and deletes the node's rows when it stops", async () => {
    const agentId = await supportAgent();
    const stopA = reportEngines(a);
    const stopB = reportEngines(b);
    try {
      const read = () => engineNodes(db, agentId, a.nodeId);
      expect(await read()).toEqual([]);
      await a.knowledge.engines.get(db, agentId);
      const [rowA] = await until(read, (r) => r.length === 1 && r[0]!.state === 'ready');
      expect(rowA).toMatchObject({
        nodeId: a.nodeId,
        self: true,
        kbVersion: 1,
        servingVersion: 1,
        trainingVersion: null,
      });
      expect(rowA!.trainMs).toBeGreaterThanOrEqual(0);

      // B has not trained; once it has, both are listed, each from its own point of view.
      await b.knowledge.engines.get(db, agentId);
      const both = await until(read, (r) => r.length === 2 && r.every((x) => x.state === 'ready'));
      expect(both.map((r) => [r.nodeId, r.self])).toEqual([
        [a.nodeId, true],
        [b.nodeId, false],
      ]);

      // An edit: A trains the new version and says so; B, which has not heard of it, still reports version 1.
      await phrasingAdder(
        a,
        'test',
        (await db.query<{ id: string }>('SELECT id FROM kb_entries WHERE agent_id = $1', [agentId]))[0]!.id,
        'what are your hours',
      );
      await a.knowledge.engines.get(db, agentId);
      const after = await until(read, (r) => r.find((x) => x.nodeId === a.nodeId)?.servingVersion === 2);
      expect(after.find((x) => x.nodeId === a.nodeId)).toMatchObject({ kbVersion: 2, state: 'ready' });
      expect(after.find((x) => x.nodeId === b.nodeId)).toMatchObject({ kbVersion: 1, servingVersion: 1 });

      // A node gone without stopping (killed): its row ages out of the list.
      await db.query(`UPDATE engine_nodes SET seen_at = now() - interval '2 minutes' WHERE node_id = $1`, [
        b.nodeId,
      ]);
      expect((await read()).map((r) => r.nodeId)).toEqual([a.nodeId]);
    } finally {
      await stopA();
      await stopB();
    }
    expect(await db.query('SELECT node_id FROM engine_nodes WHERE agent_id = $1', [agentId])).toEqual([]);
  });

  it('touches its rows while it runs, so a live node never ages out', async () => {
    const agentId = await supportAgent();
    const stop = reportEngines(a, undefined, { everyMs: 50 });
    try {
      await a.knowledge.engines.get(db, agentId);
      await until(
        () => engineNodes(db, agentId, a.nodeId),
        (r) => r.length === 1,
      );
      await db.query(`UPDATE engine_nodes SET seen_at = now() - interval '2 minutes' WHERE node_id = $1`, [
        a.nodeId,
      ]);
      await until(
        () => engineNodes(db, agentId, a.nodeId),
        (r) => r.length === 1,
      );
    } finally {
      await stop();
    }
  });
});
