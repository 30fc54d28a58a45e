// The voice bench (`npm run bench -- voice`): Vapi's `tool-calls` webhook of a receptionist, as the fake Vapi sends
// it (test/fakes/vapi.ts: real wire format, x-vapi-secret), against a real server listening on a port (createApp +
// buildServer) over the PostgreSQL server (PGlite when it is unreachable). 50 calls at once, each sending one
// `availability_search` tool call after another (a new tool call id each time: every one starts a run, runs the read
// through the runtime's policy and answers). Target: p99 ≤ 30 ms.
//
// Baseline, same server, same client, same concurrency: an authenticated GET /api/agents/NAME (Bearer token), half
// measured before the webhook and half after, so drift on a shared machine hits both. The client runs in the
// server's process (fetch), so its work is counted in both.
//
// Environment: BENCH_VOICE_REQUESTS (per scenario, default 1000), BENCH_VOICE_CONCURRENCY (default 50),
// BENCH_DRIVERS (default "pg"; "pglite" too), BENCH_DATABASE_URL.
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { tokenCreator } from '../src/accounts/users.ts';
import { createApp } from '../src/app.ts';
import { profileSaver, resourceCreator, serviceCreator } from '../src/business/profile.ts';
import { WEBHOOK_PATH } from '../src/channels/voice/routes.ts';
import { agentCreator } from '../src/runtime/agents.ts';
import { buildServer } from '../src/server/server.ts';
import { type FakeCall, startFakeVapi } from '../test/fakes/vapi.ts';
import { openTarget } from './db.ts';
import { fmt, type ScenarioResult, type Suite, type Summary, summarize } from './stats.ts';

const REQUESTS = Number(process.env.BENCH_VOICE_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_VOICE_CONCURRENCY ?? 50);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pg').split(',').map((d) => d.trim());
const SECRET = 'bench-voice-secret';
const PHONE = 'pn-bench';
const ZONE = 'Europe/London';

/** `total` requests, `concurrency` at a time; latencies of the ones after the first `warm`. */
async function load(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<Summary> {
  const samples: number[] = [];
  let next = 0;
  const warm = Math.min(concurrency, Math.floor(total / 10));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await one(i);
        if (i >= warm) samples.push(performance.now() - t);
      }
    }),
  );
  return summarize(samples);
}

async function scenario(driver: string): Promise<ScenarioResult[]> {
  const target = await openTarget(driver, 'bench_voice', 20);
  if (!target) return [];
  process.env.TWELVE_VAPI_SECRET = SECRET;
  process.env.TWELVE_PUBLIC_URL = '';
  const app = createApp(target.db, { runtime: { modeFor: async () => 'production' } });
  const server = await buildServer(app, { logLevel: 'silent' });
  try {
    await server.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const agent = await agentCreator(app, 'bench', {
      kind: 'receptionist',
      name: 'bench-desk',
      config: { voice: { phoneNumberId: PHONE } },
    });
    await profileSaver(app, 'bench', agent.id, {
      timezone: ZONE,
      hours: { days: [0, 1, 2, 3, 4, 5, 6], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 0, maxDaysAhead: 400, slotStepMin: 15 },
    });
    const staff = [];
    for (let i = 0; i < 5; i++)
      staff.push(await resourceCreator(app, 'bench', agent.id, { name: `Staff ${i + 1}` }));
    await serviceCreator(app, 'bench', agent.id, {
      name: 'Trim',
      durationMin: 30,
      resourceIds: staff.map((r) => r.id),
    });
    const { token } = await tokenCreator(app, 'bench', { name: 'bench', role: 'viewer' });
    const vapi = startFakeVapi({
      serverUrl: `${base}${WEBHOOK_PATH}`,
      auth: { type: 'secret', secret: SECRET },
    });
    const calls: FakeCall[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const call = vapi.call({ phoneNumberId: PHONE, customer: `+44770090${String(1000 + i)}` });
      const r = await call.assistantRequest();
      if (r.status !== 200) throw new Error(`assistant-request answered ${r.status}`);
      calls.push(call);
    }
    const day = DateTime.now().setZone(ZONE).plus({ days: 3 }).toISODate()!;
    let failed = 0;
    const webhook = (i: number) =>
      calls[i % calls.length]!.toolCalls([
        { name: 'availability_search', args: { service: 'Trim', date: day }, id: `tc-${i}` },
      ]).then((r) => {
        const result = (r.body as { results?: { result?: string }[] }).results?.[0]?.result;
        if (r.status !== 200 || !result?.includes('slots')) failed++;
      });
    const authed = (_i: number) =>
      fetch(`${base}/api/agents/bench-desk`, { headers: { authorization: `Bearer ${token}` } }).then(
        async (r) => {
          await r.arrayBuffer();
          if (r.status !== 200) failed++;
        },
      );
    const out: ScenarioResult[] = [];
    console.log(`voice (${target.driver}): ${REQUESTS} requests per scenario`);
    // At 1 in flight: one request's own latency; at CONCURRENCY: 50 calls' tool calls queued on this node at once.
    for (const concurrency of [1, CONCURRENCY]) {
      const half = Math.floor(REQUESTS / 2);
      const before = await load(half, concurrency, authed);
      const hook = await load(REQUESTS, concurrency, (i) => webhook(concurrency * 100_000 + i));
      const after = await load(REQUESTS - half, concurrency, authed);
      const baseP50 = (before.p50 + after.p50) / 2;
      const baseP99 = (before.p99 + after.p99) / 2;
      console.log(`  ${concurrency} in flight`);
      console.log(
        `    baseline GET /api/agents/NAME (Bearer)     p50 ${fmt(baseP50)} ms   p99 ${fmt(baseP99)} ms (before ${fmt(before.p99)}, after ${fmt(after.p99)})`,
      );
      console.log(
        `    tool-calls webhook (availability_search)   p50 ${fmt(hook.p50)} ms   p99 ${fmt(hook.p99)} ms   ×${fmt(hook.p99 / baseP99, 2)} baseline p99`,
      );
      out.push({
        suite: 'voice',
        scenario: `tool-calls webhook, ${concurrency} in flight (${target.driver})`,
        p50Ms: Number(hook.p50.toFixed(3)),
        p99Ms: Number(hook.p99.toFixed(3)),
        baselineP50Ms: Number(baseP50.toFixed(3)),
        baselineP99Ms: Number(baseP99.toFixed(3)),
        p99VsBaseline: Number((hook.p99 / baseP99).toFixed(2)),
        target: 'p99 ≤ 30 ms',
        pass: hook.p99 <= 30,
      });
    }
    const runs = (
      await target.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE agent_id = $1`, [
        agent.id,
      ])
    )[0]!.n;
    console.log(`  ${runs} runs, ${failed} failed requests`);
    for (const r of out) {
      r.failed = failed;
      r.pass = r.pass === true && failed === 0;
    }
    return out;
  } finally {
    await server.close();
    await app.runtime.settle();
    await target.cleanup();
  }
}

export const suite: Suite = {
  name: 'voice',
  description: `Vapi tool-calls webhook p50/p99 at ${CONCURRENCY} concurrent calls vs an authenticated GET`,
  async run() {
    const out: ScenarioResult[] = [];
    for (const d of DRIVERS) out.push(...(await scenario(d)));
    return out;
  },
};
