// Channels suite, email: inbound emails per second through Twelve's SMTP listener, on PGlite and on a PostgreSQL
// server (fresh schema). A real client (nodemailer, pooled connections as an MTA keeps them) sends N distinct
// messages at concurrency 8; each 250 comes only after the message is parsed, normalized, checked for loops and
// recorded in channel_inbound (PROTOCOLS §3.1), so the time to the last 250 is the time until all are recorded (the
// count is verified after). Processing after the acknowledgement is off: the figure is the intake path.
//
// The baseline, in the same run and process, is a bare smtp-server that accepts and discards (the SMTP dialogue and
// the DATA transfer, no parsing, no database); half of it is measured before and half after, so drift on a shared
// machine hits both. The load generator runs in a worker thread so its CPU is not counted against the server's.
//
// Environment: BENCH_EMAIL_MESSAGES (per scenario, default 1000), BENCH_EMAIL_CONCURRENCY (default 8),
// BENCH_DRIVERS (default "pglite,pg"), BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { SUPPORT_KIND } from '../src/agents/support/kind.ts';
import { createApp } from '../src/app.ts';
import { EMAIL_DEFAULTS } from '../src/channels/email/config.ts';
import { startEmailChannel } from '../src/channels/email/service.ts';
import { agentCreator } from '../src/runtime/agents.ts';
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
  summarize,
  table,
} from './stats.ts';

const MESSAGES =
  Number(process.env.BENCH_EMAIL_MESSAGES) > 0 ? Number(process.env.BENCH_EMAIL_MESSAGES) : 1000;
const CONCURRENCY =
  Number(process.env.BENCH_EMAIL_CONCURRENCY) > 0 ? Number(process.env.BENCH_EMAIL_CONCURRENCY) : 8;
const WARMUP = Math.min(50, Math.ceil(MESSAGES / 4));
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pglite,pg').split(',').map((s) => s.trim());
const SUPPORT = 'support@northwind.example';

// The client, as plain JavaScript for an eval'd worker: a pooled nodemailer transport (one connection per
// in-flight message), `concurrency` loops sending distinct multipart/alternative messages; warm-up unmeasured.
const CLIENT = `
const { parentPort, workerData: w } = require('node:worker_threads');
const nodemailer = require('node:module').createRequire(w.base)('nodemailer');
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: w.port, ignoreTLS: true, pool: true,
  maxConnections: w.concurrency, maxMessages: Infinity });
let seq = 0;
function mail() {
  const n = ++seq;
  return { from: 'Customer ' + n + ' <customer' + n + '.' + w.runId + '@example.com>', to: w.to,
    subject: 'Question ' + n + ' about my order', messageId: '<bench.' + w.runId + '.' + n + '@example.com>',
    text: 'Hello,\\n\\nWhen are you open on Saturday? I would like to collect order ' + n + '.\\n\\nThanks\\n-- \\nA customer\\n',
    html: '<p>Hello,</p><p>When are you open on Saturday? I would like to collect order ' + n + '.</p><p>Thanks</p>' };
}
async function run(count, measured) {
  const latencies = [];
  let ok = 0, errors = 0, left = count;
  const start = performance.now();
  await Promise.all(Array.from({ length: w.concurrency }, async () => {
    while (left > 0) {
      left--;
      const t = performance.now();
      try { await transport.sendMail(mail()); ok++; } catch { errors++; }
      if (measured) latencies.push(performance.now() - t);
    }
  }));
  return { ok, errors, wallMs: performance.now() - start, latencies: Float64Array.from(latencies) };
}
(async () => {
  await run(w.warmup, false);
  const result = await run(w.count, true);
  transport.close();
  parentPort.postMessage(result);
})();
`;

function runLoad(port: number, count: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: {
        base: import.meta.url,
        port,
        to: SUPPORT,
        concurrency: CONCURRENCY,
        warmup: WARMUP,
        count,
        runId: randomBytes(4).toString('hex'),
      },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** Accepts and discards: what any SMTP receiver costs before doing anything with the message. */
async function measureBaseline(count: number): Promise<Load> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    size: EMAIL_DEFAULTS.maxMessageBytes,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await runLoad((server.server.address() as AddressInfo).port, count);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

interface Measured extends Load {
  scenario: string;
  recorded: number | null;
  machineBusy: number | null;
}

async function measureListener(driver: string): Promise<Measured | null> {
  const target = await openTarget(driver, 'bench_mail', CONCURRENCY);
  if (!target) return null;
  try {
    const app = createApp(target.db);
    await agentCreator(app, 'system:bench', {
      kind: SUPPORT_KIND,
      name: 'mail-bench',
      config: { email: { address: SUPPORT } },
    });
    const channel = await startEmailChannel(
      app,
      {
        ...EMAIL_DEFAULTS,
        maxPerSenderPerHour: Number.MAX_SAFE_INTEGER,
        listen: { host: '127.0.0.1', port: 0 },
        smtpUrl: null,
        fromName: null,
        fromAddress: null,
        imap: null,
      },
      { process: false },
    );
    const cpu = cpuSnapshot();
    const load = await runLoad(channel.port!, MESSAGES);
    const used = cpuSince(cpu);
    await channel.stop();
    const [row] = await target.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM channel_inbound WHERE channel = 'email' AND status = 'received'`,
    );
    return { scenario: `smtp-${driver}`, ...load, recorded: row?.n ?? null, machineBusy: used.machineBusy };
  } finally {
    await target.cleanup();
  }
}

export async function runEmailBench(): Promise<ScenarioResult[]> {
  console.log(
    `Email SMTP intake: ${MESSAGES} messages per scenario (+${WARMUP} warm-up) at concurrency ${CONCURRENCY}`,
  );
  const halves = [await measureBaseline(Math.ceil(MESSAGES / 2))];
  const measured: Measured[] = [];
  for (const driver of DRIVERS) {
    const m = await measureListener(driver);
    if (m) measured.push(m);
  }
  halves.push(await measureBaseline(Math.ceil(MESSAGES / 2)));
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
      ['scenario', 'emails/s', 'p50 ms', 'p99 ms', 'max ms', 'refused', 'recorded', 'vs baseline'],
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
  console.log(
    '(recorded = channel_inbound rows, warm-up included; latency = one sendMail, MAIL FROM to the 250 after DATA, on a pooled connection)',
  );
  return rows.map(({ m, s, r }) => ({
    suite: 'channels',
    scenario: `email-${m.scenario}`,
    concurrency: CONCURRENCY,
    messages: m.ok + m.errors,
    emailsPerSec: round(r, 1),
    p50Ms: round(s.p50),
    p99Ms: round(s.p99),
    maxMs: round(s.max),
    refused: m.errors,
    recordedAll: m.recorded === null ? null : m.recorded === m.ok + WARMUP,
    ratioToBaseline: round(r / base),
    machineBusy: m.machineBusy === null ? null : round(m.machineBusy),
  }));
}
