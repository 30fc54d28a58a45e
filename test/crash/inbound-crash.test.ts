// Exactly once across a crash, with real processes, on every channel. A `twelve start` process receives 40 signed
// WhatsApp events, 5 emails over SMTP and a web chat message, and is stopped for good at a chosen point of one
// message of each channel (TWELVE_TEST_STALL, channels/stall.ts: in the brain with the run and the customer's
// message written, on every channel; or a WhatsApp message right after its claim and an email after its answer,
// before its inbound row is marked) and killed with SIGKILL there.
// The test checks the interrupted state is really there, restarts the server, and redelivers everything as the
// providers do (the same wamids, the same Message-IDs, the web chat's reconnect resending the same clientId). Then:
// every customer message is stored once, every customer answered once (sends counted at the fake Graph API and
// the SMTP sink), nothing is left processing, unanswered or running, and `twelve audit verify` passes.
// The first process's outbox is held (the `outbox` stall point), so no send is in flight at the kill: what the
// second process sends is all that is sent. On a PostgreSQL server, two nodes as well: one is killed mid-message
// and the other, running all along, finishes its work at once when the providers redeliver.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { createApp } from '../../src/app.ts';
import { kbImporter } from '../../src/knowledge/import.ts';
import { assessmentRecorder, evaluationRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../src/runtime/agents.ts';
import { type Db, openPg, openPglite } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { type FakeGraph, startFakeGraph } from '../fakes/graph.ts';
import { waitFor } from '../multinode/fixtures.ts';
import { type NodeProcess, startNode } from '../multinode/nodes.ts';
import { driverName, serverUrl } from '../support/db.ts';
import { type SmtpSink, sendTo, startSmtpSink } from '../support/email.ts';
import { ChatClient, type Frame } from '../support/webchat.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PHONE_NUMBER_ID = '106540352242922';
const VERIFY_TOKEN = 'verify-token-for-crash-tests';
const APP_SECRET = 'b4f5c0ffee0123456789abcdef012345';
const ACCESS_TOKEN = 'EAAG-crash-test-access-token';
const AGENT = 'crashy';
const SUPPORT_ADDRESS = 'support@northwind.test';
const MARK = '#crash';
const WHATSAPP_EVENTS = 40;
const STALLED_EVENT = 7;
const EMAILS = 5;
const STALLED_EMAIL = 2;
const QUESTIONS = [
  'What are your opening hours?',
  'Do you repair e-bikes?',
  'How long does a service take?',
  'Can I hire a bike?',
  'Where is the shop?',
];

type Point = 'inbound.claimed' | 'run.brain' | 'inbound.handled';

let graph: FakeGraph;
let sink: SmtpSink;

beforeAll(async () => {
  graph = await startFakeGraph({ accessToken: ACCESS_TOKEN, appSecret: APP_SECRET });
  sink = await startSmtpSink();
});
afterAll(async () => {
  await graph?.close();
  await sink?.close();
});

/** Where one scenario's data lives: a PGlite folder, or a schema on the PostgreSQL server. */
interface Site {
  env: Record<string, string>;
  open(): Promise<Db>;
  dispose(): Promise<void>;
}

async function newSite(): Promise<Site> {
  const server = serverUrl;
  if (server) {
    const schema = `t_crash_${randomBytes(5).toString('hex')}`;
    const admin = openPg(server, { max: 1 });
    await admin.exec(
      `CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public; CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;
       CREATE SCHEMA ${schema}`,
    );
    await admin.close();
    const url = new URL(server);
    url.searchParams.set('options', `-c search_path=${schema},public`);
    return {
      env: { DATABASE_URL: url.toString() },
      open: async () => openPg(server, { searchPath: `${schema},public` }),
      async dispose() {
        const a = openPg(server, { max: 1 });
        await a.exec(
          `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`,
        );
        await a.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'twelve-crash-'));
  return {
    env: { TWELVE_DATA_DIR: dir, DATABASE_URL: '' },
    open: () => openPglite({ dataDir: join(dir, 'pg') }),
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the site's database for a moment (PGlite: only while no server holds the folder). */
async function withDb<T>(site: Site, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await site.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A production-ready support agent on the Northwind KB, on one WhatsApp number and one email address. */
async function setUp(site: Site): Promise<void> {
  await withDb(site, async (db) => {
    await migrate(db);
    const app = createApp(db);
    const actor = 'user:owner@example.com';
    const agent = await agentCreator(app, actor, {
      kind: SUPPORT_KIND,
      name: AGENT,
      confidenceThreshold: 0.5,
    });
    await kbImporter(app, actor, agent.id, join(ROOT, 'examples/northwind-cycles/faq.json'));
    await agentUpdater(app, actor, agent.id, {
      escalationContacts: ['t@example.com'],
      spendCapCents: 0,
      config: {
        whatsapp: { phoneNumberId: PHONE_NUMBER_ID },
        email: { address: SUPPORT_ADDRESS, name: 'Northwind Support' },
      },
    });
    await evaluationRecorder(app, actor, agent.id, { kind: SUPPORT_KIND, passed: true, report: {} });
    await assessmentRecorder(app, actor, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
    await app.runtime.settle();
    await app.knowledge.engines.close();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

function nodeEnv(site: Site, smtpPort: number, stall: string | null): Record<string, string> {
  return {
    ...site.env,
    TWELVE_WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    TWELVE_WHATSAPP_APP_SECRET: APP_SECRET,
    TWELVE_WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    TWELVE_GRAPH_BASE_URL: graph.baseUrl,
    TWELVE_WHATSAPP_TEMPLATE: 'support_followup:en',
    TWELVE_SMTP_LISTEN_PORT: String(smtpPort),
    TWELVE_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    TWELVE_TEST_STALL: stall ?? '',
  };
}

/** Resolves once the process's output shows `count` stall lines of `point`. */
function stalled(node: NodeProcess, point: string, count: number): Promise<string[]> {
  return waitFor(
    `${count} stalls at ${point}`,
    async () => {
      const lines = node
        .output()
        .match(new RegExp(`twelve-test: stalled at ${point.replace('.', '\\.')} \\S+`, 'g'));
      return lines && lines.length >= count ? lines : null;
    },
    60_000,
  );
}

interface Traffic {
  tag: string;
  whatsapp: { from: string; id: string; payload: Record<string, unknown> }[];
  emails: { from: string; messageId: string; subject: string; text: string }[];
  chat: { clientId: string; text: string; conversationId?: string; resumeToken?: string };
}

function traffic(tag: string): Traffic {
  const whatsapp = Array.from({ length: WHATSAPP_EVENTS }, (_, i) => {
    const from = `4477${tag}${String(i).padStart(4, '0')}`;
    const id = `wamid.crash.${tag}.${i}`;
    const text = `${QUESTIONS[i % QUESTIONS.length]}${i === STALLED_EVENT ? ` ${MARK}-wa` : ''}`;
    return { from, id, payload: graph.messageEvent({ phoneNumberId: PHONE_NUMBER_ID, from, id, text }) };
  });
  const emails = Array.from({ length: EMAILS }, (_, i) => ({
    from: `customer${i}.${tag}@example.com`,
    messageId: `<crash.${tag}.${i}@example.com>`,
    subject: `Question ${i}`,
    text: `${QUESTIONS[i % QUESTIONS.length]}${i === STALLED_EMAIL ? ` ${MARK}-mail` : ''}`,
  }));
  return {
    tag,
    whatsapp,
    emails,
    chat: { clientId: `chat-${tag}`, text: `Do you repair e-bikes? ${MARK}-chat` },
  };
}

/** Everything a provider would send: every WhatsApp event (signed), every email over SMTP. */
async function deliverAll(node: NodeProcess, smtpPort: number, t: Traffic): Promise<void> {
  for (const e of t.whatsapp) {
    const res = await graph.deliver(`${node.url}/webhooks/whatsapp`, e.payload);
    expect(res.status).toBe(200);
  }
  for (const m of t.emails) {
    await sendTo(smtpPort, {
      from: m.from,
      to: SUPPORT_ADDRESS,
      subject: m.subject,
      text: m.text,
      messageId: m.messageId,
    });
  }
}

function chatUrl(node: NodeProcess): string {
  return `${node.url.replace(/^http/, 'ws')}/api/webchat/${AGENT}/socket`;
}

/** Where the first process stops: on the marked WhatsApp message, the marked email, and (in the brain) the chat. */
interface Points {
  whatsapp: Point;
  email: Point;
  chat: boolean;
}

async function crashScenario(points: Points): Promise<void> {
  const site = await newSite();
  const smtpPort = await freePort();
  const t = traffic(String(randomBytes(3).readUIntBE(0, 3) % 1_000_000).padStart(6, '0'));
  let node: NodeProcess | null = null;
  try {
    await setUp(site);
    const sentBefore = graph.sent.length;
    const mailBefore = sink.messages.length;

    // 1. The first process: everything is delivered; one message per channel stops at its point; then kill -9.
    const stall = [
      `${points.whatsapp}@${MARK}-wa`,
      `${points.email}@${MARK}-mail`,
      ...(points.chat ? [`run.brain@${MARK}-chat`] : []),
      'outbox',
    ];
    node = await startNode(nodeEnv(site, smtpPort, stall.join(',')), 90_000);
    const chatChannel = points.chat;
    const at = [points.whatsapp, points.email, ...(points.chat ? ['run.brain' as const] : [])];
    let chat: ChatClient | null = null;
    if (chatChannel) {
      chat = await ChatClient.open(chatUrl(node));
      chat.send({ type: 'hello' });
      const welcome = await chat.type('welcome');
      t.chat.conversationId = String(welcome.conversationId);
      t.chat.resumeToken = String(welcome.resumeToken);
      chat.send({ type: 'message', text: t.chat.text, clientId: t.chat.clientId });
    }
    await deliverAll(node, smtpPort, t);
    for (const point of new Set(at)) await stalled(node, point, at.filter((p) => p === point).length);
    expect(await node.stop('SIGKILL')).toBeNull();
    chat?.close();
    expect(graph.sent.length).toBe(sentBefore);

    // The interrupted state is there: the stalled messages are claimed by a process that is gone.
    await withDb(site, async (db) => {
      const stuck = await db.query<{ external_id: string; status: string }>(
        `SELECT external_id, status FROM channel_inbound WHERE external_id = ANY($1::text[])`,
        [[t.whatsapp[STALLED_EVENT]!.id, t.emails[STALLED_EMAIL]!.messageId]],
      );
      expect(stuck.map((r) => r.status)).toEqual(['processing', 'processing']);
      const stored = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE direction = 'in' AND body LIKE $1`,
        [`%${MARK}%`],
      );
      expect(stored[0]!.n).toBe(at.filter((p) => p !== 'inbound.claimed').length);
      const running = await db.query(
        `SELECT id FROM runs WHERE status = 'running' AND trigger->>'text' LIKE $1`,
        [`%${MARK}%`],
      );
      expect(running).toHaveLength(at.filter((p) => p === 'run.brain').length);
    });

    // 2. The restart, and every provider redelivers; the web chat reconnects and resends its message.
    node = await startNode(nodeEnv(site, smtpPort, null), 90_000);
    let answer: Frame | null = null;
    if (chatChannel) {
      chat = await ChatClient.open(chatUrl(node));
      chat.send({ type: 'hello', conversationId: t.chat.conversationId, resumeToken: t.chat.resumeToken });
      const welcome = await chat.type('welcome');
      expect(welcome.conversationId).toBe(t.chat.conversationId);
      chat.send({ type: 'message', text: t.chat.text, clientId: t.chat.clientId });
      answer = await chat.next((f) => f.type === 'message' && f.author === 'agent', 60_000);
    }
    await deliverAll(node, smtpPort, t);
    await waitFor(
      'every WhatsApp customer answered',
      async () => graph.sent.length - sentBefore >= WHATSAPP_EVENTS,
      90_000,
    );
    await sink.waitFor(mailBefore + EMAILS, 90_000);
    expect(await node.stop('SIGTERM')).toBe(0);
    node = null;
    if (chat) {
      expect(answer).toMatchObject({ author: 'agent' });
      chat.close();
    }

    // 3. Exactly once, everywhere.
    const sends = graph.sent.slice(sentBefore);
    const perCustomer = new Map<string, number>();
    for (const s of sends) perCustomer.set(s.to, (perCustomer.get(s.to) ?? 0) + 1);
    expect([...perCustomer.values()]).toEqual(t.whatsapp.map(() => 1));
    expect(new Set(perCustomer.keys())).toEqual(new Set(t.whatsapp.map((e) => e.from)));
    const mails = sink.messages.slice(mailBefore);
    expect(mails.map((m) => m.envelope.to.join(',')).sort()).toEqual(t.emails.map((m) => m.from).sort());

    await withDb(site, async (db) => {
      const pending = await db.query(
        `SELECT channel, external_id, status FROM channel_inbound WHERE status <> 'processed'`,
      );
      expect(pending).toEqual([]);
      expect(await db.query(`SELECT id, status FROM runs WHERE status = 'running'`)).toEqual([]);
      // One customer message and one answer (or hand-off notice) per conversation, every answer delivered.
      const perConversation = await db.query<{
        channel: string;
        inbound: number;
        outbound: number;
        undelivered: number;
      }>(
        `SELECT c.channel,
           count(*) FILTER (WHERE m.direction = 'in')::int AS inbound,
           count(*) FILTER (WHERE m.direction = 'out' AND m.status = 'sent')::int AS outbound,
           count(*) FILTER (WHERE m.direction = 'out' AND c.channel <> 'webchat' AND m.delivery <> 'sent')::int AS undelivered
         FROM conversations c JOIN messages m ON m.conversation_id = c.id GROUP BY c.id, c.channel`,
      );
      const expected = WHATSAPP_EVENTS + EMAILS + (chatChannel ? 1 : 0);
      expect(perConversation).toHaveLength(expected);
      for (const c of perConversation) expect(c).toMatchObject({ inbound: 1, outbound: 1, undelivered: 0 });
      const [conversations] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations');
      expect(conversations!.n).toBe(expected);
    });

    const verify = spawnSync(process.execPath, [join(ROOT, 'bin', 'twelve.js'), 'audit', 'verify'], {
      cwd: ROOT,
      env: { ...process.env, ...site.env, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(verify.status, `${verify.stdout}\n${verify.stderr}`).toBe(0);
  } finally {
    await node?.stop('SIGKILL').catch(() => {});
    await site.dispose();
  }
}

/**
 * Two nodes on one PostgreSQL: node A stops in the brain on a WhatsApp message and a web chat message and is killed;
 * node B, running all along and never restarted, gets the redelivery and the chat's reconnect and finishes both at
 * once (A's presence lock went with its connection), answering every customer once.
 */
async function twoNodeScenario(): Promise<void> {
  const site = await newSite();
  const t = traffic(String(randomBytes(3).readUIntBE(0, 3) % 1_000_000).padStart(6, '0'));
  const events = t.whatsapp.slice(0, 10);
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  try {
    await setUp(site);
    const sentBefore = graph.sent.length;
    [a, b] = await Promise.all([
      startNode(nodeEnv(site, await freePort(), `run.brain@${MARK},outbox`), 90_000),
      startNode(nodeEnv(site, await freePort(), null), 90_000),
    ]);
    const chat = await ChatClient.open(chatUrl(a));
    chat.send({ type: 'hello' });
    const welcome = await chat.type('welcome');
    chat.send({ type: 'message', text: t.chat.text, clientId: t.chat.clientId });
    for (const e of events)
      expect((await graph.deliver(`${a.url}/webhooks/whatsapp`, e.payload)).status).toBe(200);
    await stalled(a, 'run.brain', 2);
    expect(await a.stop('SIGKILL')).toBeNull();
    a = null;
    chat.close();

    const again = await ChatClient.open(chatUrl(b));
    again.send({ type: 'hello', conversationId: welcome.conversationId, resumeToken: welcome.resumeToken });
    expect((await again.type('welcome')).conversationId).toBe(welcome.conversationId);
    again.send({ type: 'message', text: t.chat.text, clientId: t.chat.clientId });
    await again.next((f) => f.type === 'message' && f.author === 'agent', 60_000);
    again.close();
    for (const e of events)
      expect((await graph.deliver(`${b.url}/webhooks/whatsapp`, e.payload)).status).toBe(200);
    await waitFor(
      'every customer answered',
      async () => graph.sent.length - sentBefore >= events.length,
      90_000,
    );
    expect(await b.stop('SIGTERM')).toBe(0);
    b = null;

    const sends = graph.sent.slice(sentBefore).map((s) => s.to);
    expect(sends.sort()).toEqual(events.map((e) => e.from).sort());
    await withDb(site, async (db) => {
      expect(await db.query(`SELECT external_id FROM channel_inbound WHERE status <> 'processed'`)).toEqual(
        [],
      );
      expect(await db.query(`SELECT id FROM runs WHERE status = 'running'`)).toEqual([]);
      const perConversation = await db.query<{ inbound: number; outbound: number }>(
        `SELECT count(*) FILTER (WHERE m.direction = 'in')::int AS inbound,
           count(*) FILTER (WHERE m.direction = 'out' AND m.status = 'sent')::int AS outbound
         FROM conversations c JOIN messages m ON m.conversation_id = c.id GROUP BY c.id`,
      );
      expect(perConversation).toHaveLength(events.length + 1);
      for (const c of perConversation) expect(c).toEqual({ inbound: 1, outbound: 1 });
    });
  } finally {
    await Promise.all([a?.stop('SIGKILL').catch(() => {}), b?.stop('SIGKILL').catch(() => {})]);
    await site.dispose();
  }
}

describe(`inbound messages across a crash, real processes (${driverName})`, () => {
  it.skipIf(!serverUrl)(
    'two nodes on one server: the survivor finishes at once what the killed node was doing, once [channel:inbound-exactly-once]',
    async () => {
      await twoNodeScenario();
    },
    300_000,
  );

  it('killed in the brain (the run and the message written, no answer): answered once on every channel [channel:inbound-exactly-once]', async () => {
    await crashScenario({ whatsapp: 'run.brain', email: 'run.brain', chat: true });
  }, 300_000);

  it('killed right after a claim (WhatsApp: nothing written) and after an answer before its row was marked (email): once', async () => {
    await crashScenario({ whatsapp: 'inbound.claimed', email: 'inbound.handled', chat: false });
  }, 300_000);
});
