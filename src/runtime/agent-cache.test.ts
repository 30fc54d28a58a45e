// A node caches agents and their readiness modes (run starts read neither); a change committed anywhere (another
// node, the CLI, plain SQL) moves the policy epoch that every run start checks, so no run ever starts from a stale
// copy. Two apps on one database are two nodes: each has its own cache, and (on PostgreSQL) its own pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { northwindAgent } from '../../test/support/webchat.ts';
import { type App, createApp } from '../app.ts';
import { conversationOpener, customerMessageHandler } from '../conversations/conversations.ts';
import { assessmentRecorder } from '../readiness/assessments.ts';
import type { Db } from '../store/db.ts';
import { agentUpdater } from './agents.ts';
import type { AgentConfig } from './types.ts';

const ADMIN = 'user:admin@example.com';
let db: TestDb;
let peer: Db | null;
let nodeA: App;
let nodeB: App;
let agent: AgentConfig;
let reads = 0;

async function ask(text = 'When are you open?') {
  const { conversation } = await conversationOpener(nodeA, { agentId: agent.id, channel: 'webchat' });
  return customerMessageHandler(nodeA, { conversation, text });
}

async function replyIntent(result: Awaited<ReturnType<typeof ask>>) {
  const [row] = await db.query<{ intent: string }>(
    `SELECT meta->>'intent' AS intent FROM messages WHERE run_id = $1 AND direction = 'out'`,
    [result.run!.id],
  );
  return row?.intent;
}

beforeAll(async () => {
  db = await openTestDb();
  peer = db.openPeer();
  // Node A counts its reads of the agent row: the cache is in use when a run starts without one.
  const counting: Db = Object.create(db, {
    query: {
      value: (sql: string, params?: unknown[]) => {
        if (/FROM agents a WHERE/.test(sql)) reads++;
        return db.query(sql, params);
      },
    },
  });
  nodeA = createApp(counting, { nodeId: 'node-a' });
  nodeB = createApp(peer ?? db, { nodeId: 'node-b' });
  agent = await northwindAgent(nodeB, 'cached');
});
afterAll(async () => {
  await peer?.close();
  await db.dispose();
});

describe('agent cache across nodes', () => {
  it('starts runs from its cache while nothing changed', async () => {
    const first = await ask();
    expect(first.run).toMatchObject({ mode: 'production', status: 'done' });
    const before = reads;
    const second = await ask();
    expect(second.run).toMatchObject({ mode: 'production', status: 'done' });
    expect(reads).toBe(before);
  });

  it('sees a configuration change made on another node at its next run start', async () => {
    expect(await replyIntent(await ask())).toBe('answer');
    // Nothing the engine finds is confident enough for a threshold of 1: the agent asks to rephrase instead.
    await agentUpdater(nodeB, ADMIN, agent.id, { confidenceThreshold: 1 });
    expect(await replyIntent(await ask())).toBe('clarify');
    await agentUpdater(nodeB, ADMIN, agent.id, { confidenceThreshold: 0.5 });
    expect(await replyIntent(await ask())).toBe('answer');
  });

  it('sees a change written with plain SQL, outside any app', async () => {
    await (peer ?? db).query(`UPDATE agents SET always_human_topics = '["opening"]' WHERE id = $1`, [
      agent.id,
    ]);
    const result = await ask('When are you opening tomorrow?');
    expect(result.run).toMatchObject({ status: 'escalated', outcome: 'always_human_topic' });
    await (peer ?? db).query(`UPDATE agents SET always_human_topics = '[]' WHERE id = $1`, [agent.id]);
  });

  it('runs in the mode a new readiness assessment on another node allows', async () => {
    expect((await ask()).run).toMatchObject({ mode: 'production' });
    await assessmentRecorder(nodeB, ADMIN, agent.id, { clarity: 1, tolerance: 1, fallback: 1 });
    const result = await ask();
    expect(result.run).toMatchObject({ mode: 'shadow', status: 'escalated', outcome: 'shadow_draft' });
    await assessmentRecorder(nodeB, ADMIN, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
    expect((await ask()).run).toMatchObject({ mode: 'production', status: 'done' });
  });
});
