// Test-only harness for the voice tests: a test database, an app on a manual clock whose only kind is a test kind
// that serves 'voice' (the custom kind's demo tools plus a human-only name, a brain that answers each message with a
// line holding a time and Markdown), modes read from each agent's config.testMode, the real server (configured by
// the TWELVE_VAPI_* variables an operator sets) and the fake Vapi pointed at it.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { vi } from 'vitest';
import { z } from 'zod';
import { customKind } from '../../src/agents/custom/kind.ts';
import { buildDemoTools } from '../../src/agents/custom/tools.ts';
import type { AgentKind } from '../../src/agents/kind.ts';
import { type App, createApp } from '../../src/app.ts';
import { WEBHOOK_PATH } from '../../src/channels/voice/routes.ts';
import { ManualClock } from '../../src/clock.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import type { Mode } from '../../src/runtime/mode.ts';
import { defineTool, ToolRegistry } from '../../src/runtime/tools.ts';
import type { AgentConfig } from '../../src/runtime/types.ts';
import { buildServer } from '../../src/server/server.ts';
import { type FakeVapi, startFakeVapi, type VapiAuth } from '../fakes/vapi.ts';
import { openTestDb, type TestDb } from './db.ts';

export const SECRET = 'vapi-shared-secret-for-tests';
export const HMAC_SECRET = 'vapi-hmac-secret-for-tests';
/** Monday 5 January 2026, 10:00 in London (open 09:00–17:00 on weekdays). */
export const OPEN_AT = '2026-01-05T10:00:00.000Z';

/** A kind serving voice for the tests: the demo tools, a human-only tool name, and an answering brain. */
export const voiceTestKind: AgentKind = {
  ...customKind,
  channels: ['voice'],
  create(ctx) {
    const tools = new ToolRegistry([
      ...buildDemoTools(ctx.db).list(),
      defineTool({
        name: 'payment.refund',
        description: 'Refunds a payment (human-only: no agent ever runs it)',
        risk: 'write',
        input: z.object({ amount: z.number() }).strict(),
        handler: async () => ({ refunded: true }),
      }),
    ]);
    return {
      tools: () => tools,
      brain: () => ({
        decide: async (c) => ({
          type: 'reply',
          text: `**Yes**: you said "${String(c.run.trigger.text)}". We open at 09:00, see https://example.com/hours.`,
          confidence: 0.95,
          final: true,
        }),
      }),
    };
  },
};

export interface VoiceHarness {
  db: TestDb;
  app: App;
  clock: ManualClock;
  server: FastifyInstance;
  url: string;
  vapi: FakeVapi;
  /** A new agent answering `phoneNumberId` in `mode`. */
  agent(
    mode: Mode,
    config?: Record<string, unknown>,
    settings?: Partial<AgentConfig>,
  ): Promise<AgentConfig & { phoneNumberId: string }>;
  count(sql: string, params?: unknown[]): Promise<number>;
  dispose(): Promise<void>;
}

let n = 0;

export async function startVoiceHarness(
  auth: 'secret' | 'bearer' | 'hmac' = 'secret',
): Promise<VoiceHarness> {
  const db = await openTestDb();
  const clock = new ManualClock(OPEN_AT);
  const app = createApp(db, {
    clock,
    kinds: [voiceTestKind],
    runtime: { modeFor: async (_q, agent) => (agent.config.testMode as Mode | undefined) ?? 'production' },
  });
  vi.stubEnv('TWELVE_VAPI_SECRET', SECRET);
  vi.stubEnv('TWELVE_VAPI_HMAC_SECRET', HMAC_SECRET);
  vi.stubEnv('TWELVE_PUBLIC_URL', '');
  const server = await buildServer(app, { logLevel: 'silent' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  const vapiAuth: VapiAuth =
    auth === 'hmac'
      ? { type: 'hmac', secret: HMAC_SECRET, now: () => clock.now().getTime() }
      : { type: auth, secret: SECRET };
  const vapi = startFakeVapi({ serverUrl: url, auth: vapiAuth, now: () => clock.now().getTime() });
  return {
    db,
    app,
    clock,
    server,
    url,
    vapi,
    async agent(mode, config = {}, settings = {}) {
      const phoneNumberId = `pn-${process.pid}-${++n}`;
      const agent = await agentCreator(app, 'user:owner@example.com', {
        kind: 'custom',
        name: `voice-${n}-${mode}`,
        displayName: 'Northwind Cycles',
        confidenceThreshold: 0.5,
        ...settings,
        config: { voice: { phoneNumberId }, testMode: mode, ...config },
      } as Parameters<typeof agentCreator>[2]);
      return { ...agent, phoneNumberId };
    },
    async count(sql, params = []) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) q`, params);
      return row!.n;
    },
    async dispose() {
      await server.close();
      vi.unstubAllEnvs();
      await app.runtime.settle();
      await db.dispose();
    },
  };
}
