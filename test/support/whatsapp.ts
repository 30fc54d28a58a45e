// Test-only harness for the WhatsApp tests: a test database, an app on a manual clock, a production-ready support
// agent answering the examples KB on one WhatsApp number, the fake Graph API on a real port, and the real server
// (buildServer, configured through the same TWELVE_WHATSAPP_* variables an operator sets) listening on another.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { vi } from 'vitest';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { type App, createApp } from '../../src/app.ts';
import type { ChannelName, ChannelSender } from '../../src/channels/channel.ts';
import { type WhatsAppConfig, whatsAppConfigFromEnv } from '../../src/channels/whatsapp/config.ts';
import { WEBHOOK_PATH, whatsAppProcessing } from '../../src/channels/whatsapp/routes.ts';
import { buildWhatsAppSender } from '../../src/channels/whatsapp/sender.ts';
import { ManualClock } from '../../src/clock.ts';
import { kbImporter } from '../../src/knowledge/import.ts';
import { assessmentRecorder, evaluationRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../src/runtime/agents.ts';
import type { AgentConfig } from '../../src/runtime/types.ts';
import { buildServer } from '../../src/server/server.ts';
import { type FakeGraph, startFakeGraph } from '../fakes/graph.ts';
import { openTestDb, type TestDb } from './db.ts';

export const PHONE_NUMBER_ID = '106540352242922';
export const VERIFY_TOKEN = 'verify-token-for-tests';
export const APP_SECRET = 'a3f5c0ffee0123456789abcdef012345';
export const ACCESS_TOKEN = 'EAAG-test-access-token';

export interface Harness {
  db: TestDb;
  app: App;
  clock: ManualClock;
  agent: AgentConfig;
  graph: FakeGraph;
  server: FastifyInstance;
  config: WhatsAppConfig;
  /** http://127.0.0.1:<port>/webhooks/whatsapp */
  url: string;
  sender: ChannelSender;
  senders: ReadonlyMap<ChannelName, ChannelSender>;
  /** Waits until everything acknowledged so far has been processed. */
  settled(): Promise<void>;
  count(table: 'channel_inbound' | 'messages' | 'conversations' | 'escalations'): Promise<number>;
  dispose(): Promise<void>;
}

export async function startHarness(options: { template?: string } = {}): Promise<Harness> {
  const db = await openTestDb();
  const clock = new ManualClock(new Date());
  const app = createApp(db, { clock });
  const actor = 'user:owner@example.com';
  let agent = await agentCreator(app, actor, {
    kind: SUPPORT_KIND,
    name: 'wa-support',
    confidenceThreshold: 0.5,
    config: { whatsapp: { phoneNumberId: PHONE_NUMBER_ID } },
  });
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

  const graph = await startFakeGraph({
    accessToken: ACCESS_TOKEN,
    appSecret: APP_SECRET,
    now: () => clock.now().getTime(),
  });
  vi.stubEnv('TWELVE_WHATSAPP_VERIFY_TOKEN', VERIFY_TOKEN);
  vi.stubEnv('TWELVE_WHATSAPP_APP_SECRET', APP_SECRET);
  vi.stubEnv('TWELVE_WHATSAPP_ACCESS_TOKEN', ACCESS_TOKEN);
  vi.stubEnv('TWELVE_GRAPH_BASE_URL', graph.baseUrl);
  vi.stubEnv('TWELVE_WHATSAPP_TEMPLATE', options.template ?? 'support_followup:en');
  const config = whatsAppConfigFromEnv();
  const server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  const sender = buildWhatsAppSender(config, { clock });
  return {
    db,
    app,
    clock,
    agent,
    graph,
    server,
    config,
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    sender,
    senders: new Map([['whatsapp', sender]]),
    settled: async () => whatsAppProcessing(server)?.idle(),
    async count(table) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return row!.n;
    },
    async dispose() {
      await server.close();
      await graph.close();
      vi.unstubAllEnvs();
      await db.dispose();
    },
  };
}

/** A fresh customer number (digits, as WhatsApp writes wa_id). */
export function customerNumber(): string {
  return `44770${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}
