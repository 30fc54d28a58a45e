// Channels suite, WhatsApp: signed webhook events per second and acknowledgement latency at concurrency 16, against
// the real server (buildServer + registerWhatsAppRoutes) listening on a port, on PGlite and on a PostgreSQL server
// (fresh schema). Each request is a distinct, correctly signed text-message notification (PROTOCOLS §2.2), so
// every one is verified, validated, looked up (phone number → agent) and recorded in channel_inbound before its 200.
//
// Processing after the acknowledgement is OFF by default (BENCH_WHATSAPP_PROCESS=1 turns it on): the figure is the
// acknowledgement path Meta sees; messages stay 'received' for the sweep. The baseline, in the same run and process,
// is a bare Fastify route doing the same HMAC check and JSON.parse and nothing else (no validation, no database);
// half of it is measured before the webhook scenarios and half after, so drift on a shared machine hits both.
// The load generator runs in a worker thread (node:http, keep-alive agent, one socket per in-flight request).
//
// Environment: BENCH_SECONDS (per scenario, default 5), BENCH_DRIVERS (default "pglite,pg"), BENCH_DATABASE_URL
// (default postgres://root@127.0.0.1:5432/test), BENCH_WHATSAPP_CONCURRENCY (default 16), BENCH_WHATSAPP_PROCESS.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import { SUPPORT_KIND } from '../src/agents/support/kind.ts';
import { createApp } from '../src/app.ts';
import { registerWhatsAppRoutes, WEBHOOK_PATH } from '../src/channels/whatsapp/routes.ts';
import { SIGNATURE_HEADER, signatureValid } from '../src/channels/whatsapp/signature.ts';
import { agentCreator } from '../src/runtime/agents.ts';
import { buildServer } from '../src/server/server.ts';
import { openTarget } from './db.ts';
import {
  cpuSince,
  cpuSnapshot,
  fmt,
  joinLoads,
  type Load,
  pct,
  round,
  type ScenarioResult,
  type Suite,
  summarize,
  table,
} from './stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 5;
const CONCURRENCY =
  Number(process.env.BENCH_WHATSAPP_CONCURRENCY) > 0 ? Number(process.env.BENCH_WHATSAPP_CONCURRENCY) : 16;
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pglite,pg').split(',').map((s) => s.trim());
const PROCESS = process.env.BENCH_WHATSAPP_PROCESS === '1';
const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '106540352242922';

// The client, as plain JavaScript for an eval'd worker: `concurrency` loops, each POSTing a fresh signed event and
// waiting for the answer; only requests started after the warm-up are measured.
const CLIENT = `
const { parentPort, workerData: w } = require('node:worker_threads');
const http = require('node:http');
const { createHmac } = require('node:crypto');
const agent = new http.Agent({ keepAlive: true, maxSockets: w.concurrency });
let seq = 0;
function event() {
  const n = ++seq;
  const from = String(447700900000 + (n % 1000));
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages',
    value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: w.phoneNumberId },
      contacts: [{ profile: { name: 'Bench' }, wa_id: from }],
      messages: [{ from, id: 'wamid.' + w.runId + '.' + n, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text',
        text: { body: 'When are you open on Saturday?' } }] } }] }] });
}
function post(body) {
  return new Promise((resolve) => {
    const req = http.request({ agent, host: '127.0.0.1', port: w.port, path: w.path, method: 'POST', headers: {
      'content-type': 'application/json', 'content-length': Buffer.byteLength(body),
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', w.secret).update(body).digest('hex') } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
(async () => {
  const start = performance.now();
  const measureFrom = start + w.warmupMs;
  const end = measureFrom + w.durationMs;
  const latencies = [];
  let ok = 0, errors = 0;
  await Promise.all(Array.from({ length: w.concurrency }, async () => {
    while (performance.now() < end) {
      const body = event();
      const t = performance.now();
      const status = await post(body);
      if (t < measureFrom) continue;
      latencies.push(performance.now() - t);
      if (status === 200) ok++; else errors++;
    }
  }));
  agent.destroy();
  parentPort.postMessage({ ok, errors, wallMs: performance.now() - measureFrom, latencies: Float64Array.from(latencies), sent: seq });
})();
`;

function runLoad(port: number, durationMs: number): Promise<Load & { sent: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: {
        port,
        path: WEBHOOK_PATH,
        secret: APP_SECRET,
        phoneNumberId: PHONE_NUMBER_ID,
        concurrency: CONCURRENCY,
        warmupMs: Math.min(1000, durationMs / 3),
        durationMs,
        runId: randomBytes(4).toString('hex'),
      },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function listen(server: FastifyInstance): Promise<number> {
  await server.listen({ port: 0, host: '127.0.0.1' });
  return (server.server.address() as AddressInfo).port;
}

/** The same HMAC check and JSON parse as the webhook, then 200: what any webhook costs before its own work. */
async function baselineServer(): Promise<FastifyInstance> {
  const server = Fastify({ logger: false, bodyLimit: 1_048_576 });
  server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_r, body, done) =>
      done(null, body),
    );
    scope.post(WEBHOOK_PATH, async (req, reply) => {
      const raw = req.body as Buffer;
      if (!signatureValid(raw, req.headers[SIGNATURE_HEADER], APP_SECRET)) return reply.code(401).send();
      JSON.parse(raw.toString('utf8'));
      return reply.code(200).send({ ok: true });
    });
  });
  return server;
}

interface Measured extends Load {
  scenario: string;
  recorded: number | null;
  machineBusy: number | null;
}

async function measureWebhook(driver: string): Promise<Measured | null> {
  const target = await openTarget(driver, 'bench_wa', CONCURRENCY);
  if (!target) return null;
  try {
    const app = createApp(target.db);
    await agentCreator(app, 'system:bench', {
      kind: SUPPORT_KIND,
      name: 'wa-bench',
      config: { whatsapp: { phoneNumberId: PHONE_NUMBER_ID } },
    });
    for (const k of Object.keys(process.env)) if (k.startsWith('TWELVE_WHATSAPP_')) delete process.env[k];
    const server = await buildServer(app, { logLevel: 'silent' });
    registerWhatsAppRoutes(server, app, {
      config: {
        verifyToken: 'bench-verify-token',
        appSecret: APP_SECRET,
        accessToken: 'bench-access-token',
        graphBaseUrl: 'http://127.0.0.1:9/v25.0',
        template: null,
      },
      processAfterAck: PROCESS,
    });
    const port = await listen(server);
    const cpu = cpuSnapshot();
    const load = await runLoad(port, SECONDS * 1000);
    const used = cpuSince(cpu);
    await server.close();
    const [row] = await target.db.query<{ n: number }>('SELECT count(*)::int AS n FROM channel_inbound');
    return {
      scenario: `webhook-${driver}`,
      ...load,
      recorded: row?.n ?? null,
      machineBusy: used.machineBusy,
    };
  } finally {
    await target.cleanup();
  }
}

async function measureBaseline(seconds: number): Promise<Load & { sent: number }> {
  const server = await baselineServer();
  const port = await listen(server);
  try {
    return await runLoad(port, seconds * 1000);
  } finally {
    await server.close();
  }
}

export async function whatsappScenarios(): Promise<ScenarioResult[]> {
  console.log(
    `WhatsApp webhook: concurrency ${CONCURRENCY}, ${SECONDS} s per scenario, processing after the ack ${PROCESS ? 'ON' : 'OFF'}`,
  );
  const halves = [await measureBaseline(SECONDS / 2)];
  const measured: Measured[] = [];
  for (const driver of DRIVERS) {
    const m = await measureWebhook(driver);
    if (m) measured.push(m);
  }
  halves.push(await measureBaseline(SECONDS / 2));
  const baseline: Measured = {
    scenario: 'baseline',
    ...joinLoads(halves[0]!, halves[1]!),
    recorded: null,
    machineBusy: null,
  };
  const rate = (m: Measured) => (m.ok * 1000) / m.wallMs;
  const base = rate(baseline);
  const rows = [baseline, ...measured].map((m) => ({ m, s: summarize(m.latencies), r: rate(m) }));
  console.log(
    table(
      ['scenario', 'events/s', 'p50 ms', 'p99 ms', 'max ms', 'non-200', 'recorded', 'vs baseline'],
      rows.map(({ m, s, r }) => [
        m.scenario,
        r,
        s.p50,
        s.p99,
        s.max,
        String(m.errors),
        m.recorded === null ? '-' : fmt(m.recorded),
        m === baseline ? '100%' : pct(r / base),
      ]),
    ),
  );
  console.log('(recorded = channel_inbound rows, warm-up included: one per acknowledged event)');
  return rows.map(({ m, s, r }) => ({
    suite: 'channels',
    scenario: `whatsapp-${m.scenario}`,
    concurrency: CONCURRENCY,
    processing: PROCESS,
    eventsPerSec: round(r, 1),
    p50Ms: round(s.p50),
    p99Ms: round(s.p99),
    maxMs: round(s.max),
    non200: m.errors,
    ratioToBaseline: round(r / base),
    machineBusy: m.machineBusy === null ? null : round(m.machineBusy),
  }));
}

export const suite: Suite = {
  name: 'channels',
  description:
    'WhatsApp webhook: signed events/s and p99 acknowledgement at concurrency 16, vs a bare HMAC route',
  run: whatsappScenarios,
};
