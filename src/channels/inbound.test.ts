// Exactly-once inbound processing when the process handling a message dies. A second app on the same database plays
// the process that died: it is stopped for good at a named point (channels/stall.ts) and holds no presence lock, as
// a killed process holds none. The sweep of a live node then finds the row 'processing' under a claimant that no
// longer runs, takes it over at once, and finishes what is left without repeating what was written. The crash
// tests with real processes are test/crash/inbound-crash.test.ts.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { kbImporter, SUPPORT_KIND } from '../../test/support/agents.ts';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { type App, createApp } from '../app.ts';
import { ManualClock } from '../clock.ts';
import { conversationOpener, customerMessageHandler } from '../conversations/conversations.ts';
import { assessmentRecorder, evaluationRecorder } from '../readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../runtime/agents.ts';
import { startPresence } from '../runtime/presence.ts';
import type { AgentConfig } from '../runtime/types.ts';
import { sqlState } from '../store/db.ts';
import type { InboundMessage } from './channel.ts';
import { inboundProcessor, inboundRecorder, inboundSweeper } from './inbound.ts';

let db: TestDb;
let app: App;
let agent: AgentConfig;
const clock = new ManualClock(new Date());

function inbound(text: string): InboundMessage {
  return {
    channel: 'whatsapp',
    agentId: agent.id,
    externalId: `wamid.${Math.random().toString(36).slice(2)}`,
    from: `+4477009${Math.floor(Math.random() * 1e5)}`,
    text,
    receivedAt: clock.now().toISOString(),
  };
}

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, { clock, nodeId: 'node-live' });
  const actor = 'user:a@example.com';
  agent = await agentCreator(app, actor, { kind: SUPPORT_KIND, name: 'wa-sweep', confidenceThreshold: 0.5 });
  await kbImporter(
    app,
    actor,
    agent.id,
    join(import.meta.dirname, '../../examples/northwind-cycles/faq.json'),
  );
  agent = await agentUpdater(app, actor, agent.id, {
    escalationContacts: ['t@example.com'],
    spendCapCents: 0,
  });
  await evaluationRecorder(app, actor, agent.id, { kind: SUPPORT_KIND, passed: true, report: {} });
  await assessmentRecorder(app, actor, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await db.dispose();
});

/** Records the message and has a process that then "dies" at `point` take it; resolves once it stopped there. */
async function dieAt(point: string, msg: InboundMessage): Promise<void> {
  vi.stubEnv('TWELVE_TEST_STALL', `${point}@${msg.text}`);
  const stopped = new Promise<void>((resolve) => {
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk, ...rest) => {
      if (String(chunk).includes(`stalled at ${point} `)) {
        spy.mockRestore();
        resolve();
        return true;
      }
      return write(chunk as string, ...(rest as []));
    });
  });
  const dead = createApp(db, { clock, nodeId: `node-dead-${msg.externalId}` });
  expect(await inboundRecorder(app, msg)).toBe(true);
  void inboundProcessor(dead, 'whatsapp', msg.externalId); // never returns: the process is gone
  await stopped;
  vi.unstubAllEnvs();
}

async function effects(msg: InboundMessage) {
  const [row] = await db.query<{ status: string; conversation_id: string | null; attempts: number }>(
    `SELECT status, conversation_id, attempts FROM channel_inbound WHERE channel = 'whatsapp' AND external_id = $1`,
    [msg.externalId],
  );
  const messages = await db.query<{ direction: string; author: string; delivery: string | null }>(
    `SELECT m.direction, m.author, m.delivery FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE c.address = $1 ORDER BY m.created_at, m.direction`,
    [msg.from],
  );
  const [conversations] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM conversations WHERE address = $1',
    [msg.from],
  );
  const [runs] = await db.query<{ n: number; running: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'running')::int AS running FROM runs
     WHERE conversation_id IN (SELECT id FROM conversations WHERE address = $1)`,
    [msg.from],
  );
  return {
    status: row?.status,
    customer: messages.filter((m) => m.direction === 'in').length,
    answers: messages.filter((m) => m.direction === 'out').length,
    queued: messages.filter((m) => m.delivery !== null).length,
    conversations: conversations?.n,
    runs: runs?.n,
    running: runs?.running,
  };
}

describe('the inbound sweep after a process died mid-message', () => {
  it('does not re-apply a message whose effects were written: it only marks it processed, at once and after 10 minutes [channel:inbound-exactly-once]', async () => {
    const msg = inbound('When are you open on Saturday? #handled');
    await dieAt('inbound.handled', msg);
    // The dead process stored the customer's message, answered it and queued the answer; the row says processing.
    const before = await effects(msg);
    expect(before).toMatchObject({
      status: 'processing',
      customer: 1,
      answers: 1,
      queued: 1,
      conversations: 1,
    });

    // Long past the old ten-minute retry: whatever the age, the sweep repeats nothing.
    clock.advance(11 * 60_000);
    expect(await inboundSweeper(app)).toBeGreaterThanOrEqual(1);
    expect(await effects(msg)).toEqual({ ...before, status: 'processed' });
    // A later sweep and a redelivery change nothing either.
    await inboundSweeper(app, 0);
    expect(await inboundRecorder(app, msg)).toBe(false);
    expect(await inboundProcessor(app, 'whatsapp', msg.externalId)).toBe('skipped');
    expect(await effects(msg)).toEqual({ ...before, status: 'processed' });
  });

  it('finishes a run its dead process started (the message stored, no answer yet) at once, answering once', async () => {
    const msg = inbound('Do you repair e-bikes? #brain');
    await dieAt('run.brain', msg);
    expect(await effects(msg)).toMatchObject({ status: 'processing', customer: 1, answers: 0, running: 1 });
    // No clock moved: the run's lease and the claim are both fresh, but their holder no longer runs.
    expect(await inboundSweeper(app)).toBe(1);
    expect(await effects(msg)).toEqual({
      status: 'processed',
      customer: 1,
      answers: 1,
      queued: 1,
      conversations: 1,
      runs: 1,
      running: 0,
    });
  });

  it('processes a message its dead process had only claimed at once, in one conversation', async () => {
    const msg = inbound('Where is the shop? #claimed');
    await dieAt('inbound.claimed', msg);
    expect(await effects(msg)).toMatchObject({ status: 'processing', customer: 0, conversations: 0 });
    expect(await inboundSweeper(app)).toBe(1);
    expect(await effects(msg)).toMatchObject({
      status: 'processed',
      customer: 1,
      answers: 1,
      conversations: 1,
    });
  });

  it('processes at once a message recorded by a process that died before processing it', async () => {
    const msg = inbound('Do you sell gift cards? #recorded');
    const dead = createApp(db, { clock, nodeId: `node-dead-${msg.externalId}` });
    expect(await inboundRecorder(dead, msg)).toBe(true); // acknowledged, then the process died
    expect(await inboundSweeper(app)).toBe(1); // no clock moved: not 30 seconds later
    expect(await effects(msg)).toMatchObject({
      status: 'processed',
      customer: 1,
      answers: 1,
      conversations: 1,
    });
  });

  it('leaves a message to the live process that holds it (until it has held it for ten minutes)', async () => {
    const msg = inbound('Can I hire a bike? #live');
    const liveId = `node-busy-${msg.externalId}`;
    const presence = await startPresence(db, liveId);
    try {
      vi.stubEnv('TWELVE_TEST_STALL', `inbound.claimed@${msg.text}`);
      const busy = createApp(db, { clock, nodeId: liveId });
      expect(await inboundRecorder(app, msg)).toBe(true);
      void inboundProcessor(busy, 'whatsapp', msg.externalId);
      await vi.waitFor(async () => expect((await effects(msg)).status).toBe('processing'));
      vi.unstubAllEnvs();
      expect(await inboundProcessor(app, 'whatsapp', msg.externalId)).toBe('skipped');
      clock.advance(11 * 60_000);
      expect(await inboundProcessor(app, 'whatsapp', msg.externalId)).toBe('processed');
      expect(await effects(msg)).toMatchObject({ status: 'processed', customer: 1, answers: 1 });
    } finally {
      await presence.stop();
    }
  });
});

describe('a customer message is stored once per client id', () => {
  it('whoever races: five handlers at once store it once, and the database refuses a second copy', async () => {
    const { conversation } = await conversationOpener(app, { agentId: agent.id, channel: 'webchat' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        customerMessageHandler(app, { conversation, text: 'Do you repair e-bikes?', clientId: 'race-1' }),
      ),
    );
    expect(results.filter((r) => r.handledBy === 'duplicate')).toHaveLength(4);
    const stored = await db.query<{ id: string }>(
      `SELECT id FROM messages WHERE conversation_id = $1 AND direction = 'in'`,
      [conversation.id],
    );
    expect(stored).toHaveLength(1);
    const copy = db.query(
      `INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, meta)
       VALUES ($1, $2, 'in', 'customer', 'received', 'again', '{"clientId":"race-1"}')`,
      [agent.id, conversation.id],
    );
    await expect(copy.then(() => null, sqlState)).resolves.toBe('23505');
  });
});
