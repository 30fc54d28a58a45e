// Support suite: web chat turns end to end. 64 WebSocket clients (a worker thread, `ws`) each open a conversation
// with a support agent on the local engine (the Northwind Cycles sample KB, production mode) and ask the questions
// of examples/northwind-cycles/eval.jsonl in a loop, each waiting for the agent's answer frame before the next.
// One turn = send `message` → the agent's `message` frame (or a hand-off). On a PostgreSQL server (fresh schema)
// and on PGlite.
//
// The server is the real web chat (registerWebchat: socket, sessions, hub on the event bus, runtime, brain) on a
// Fastify instance set up like buildServer's, with the per-connection and per-IP limits raised out of the way:
// buildServer has no option for them, registerWebchat has (`limits`), and the bench must not measure the limiter.
// The questions are ordered so that two the engine cannot answer never follow each other (two misunderstandings in
// a row hand the chat to a person, after which the agent stays out); a hand-off is counted and the client starts a
// new conversation.
//
// Paced runs, after the closed loop: the same 64 conversations, each due a turn at a fixed interval (staggered, so the
// whole offered rate is even) and still waiting for its answer; latency counts from when a turn was due, so falling
// behind shows (no coordinated omission). Offered: the target rate, which is where the p99 target is read (a closed
// loop's mean latency is clients ÷ turns/s by Little's law, so at 64 clients it cannot show a 50 ms p99 below 1,280
// turns/s), and half the closed loop's turns/s, the latency of a server with headroom.
//
// Baseline, same run, same database and pool, same concurrency: "the same rows inserted directly". The rows one turn
// writes are counted from the database (row-count deltas per table over the measured phase ÷ turns), one real turn's
// rows are taken as templates (rows linked to one answered run), and each baseline turn inserts that many rows, one
// plain INSERT each (autocommit), into copies of those tables (LIKE …: same columns, defaults, CHECKs and primary key;
// no trigger, no foreign key, no other index). Half before and half after the chat measurement. The ratio turns/s ÷
// baseline turns/s is the figure to track.
//
// Environment: BENCH_SECONDS (measurement per scenario, default 5), BENCH_DRIVERS (default "pg,pglite"),
// BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/test), BENCH_SUPPORT_CLIENTS (default 64),
// BENCH_POOL_MAX (pg pool, default 20 = the server's default), BENCH_SUPPORT_RATES (the paced runs' offered turns/s,
// comma-separated, instead of the target rate and half the closed loop's).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { CLARIFY_TEXT } from '../src/agents/support/brain.ts';
import { type App, createApp } from '../src/app.ts';
import { DEFAULT_LIMITS, registerWebchat, type WebchatLimits } from '../src/channels/webchat/routes.ts';
import { type EventBus, openEventBus } from '../src/events/bus.ts';
import { answerFrom } from '../src/knowledge/answer.ts';
import { frameworkErrorHandler, installErrorHandling } from '../src/server/http.ts';
import type { Db } from '../src/store/db.ts';
import { NORTHWIND_KB, northwindAgent } from '../test/support/webchat.ts';
import {
  Meter,
  meteredDb,
  openTarget,
  positive,
  postgresFilter,
  probeReport,
  SECONDS,
  type Target,
  THREAD_CPU_JS,
  threadCpuMs,
  totalMs,
  WaitSampler,
} from './api.ts';
import {
  type CpuDelta,
  cpuSince,
  cpuSnapshot,
  fmt,
  liveBytes,
  type PostgresFilter,
  pct,
  round,
  type ScenarioResult,
  type Suite,
  summarize,
  table,
  verdict,
} from './stats.ts';

const CLIENTS = positive(process.env.BENCH_SUPPORT_CLIENTS, 64);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pg,pglite').split(',').map((s) => s.trim());
const WARMUP_MS = Math.min(1500, (SECONDS * 1000) / 3);
const PROBE_MS = 1500;
const TARGET_TURNS_PER_SEC = 500;
const TARGET_P99_MS = 50;
const TARGET_RAW_RATIO = 0.6;
const EXTRA_RATES = (process.env.BENCH_SUPPORT_RATES ?? '')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isFinite(n) && n > 0);

/**
 * Out of the way, but still on the code path: a 1 ms window keeps each in-memory limiter's bookkeeping (one timestamp
 * per hit in the window) near zero. On a PostgreSQL server the per-IP limit is the shared one (a counter per window,
 * synced in batches): it gets a production-like 10 s window, so its sync writes what it would in production.
 */
function benchLimits(db: Db): WebchatLimits {
  return {
    messages: { max: 1_000_000, windowMs: 1 },
    perIp: db.driver === 'pg' ? { max: 1_000_000_000, windowMs: 10_000 } : { max: 1_000_000, windowMs: 1 },
    frames: { max: 1_000_000, windowMs: 1 },
    connectionsPerIp: 100_000,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The clients: plain JavaScript for an eval'd worker. Each opens a socket, says hello, then loops: send the next
// question, wait for the agent's answer frame (or a hand-off / error). After a hand-off it opens a new chat.

const CLIENT = `
const { parentPort, workerData: w } = require('node:worker_threads');
const WebSocket = require(w.wsPath);
const { readFileSync } = require('node:fs');
${THREAD_CPU_JS}
const isAnswer = (f) => (f.type === 'message' && f.author === 'agent') || f.type === 'handoff' || f.type === 'error';
function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(w.url);
    const c = { ws, waiter: null };
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString('utf8'));
      if (c.waiter && c.waiter.match(f)) { const r = c.waiter.resolve; c.waiter = null; r(f); }
    });
    ws.on('close', () => { if (c.waiter) { const r = c.waiter.resolve; c.waiter = null; r({ type: 'closed' }); } });
    ws.on('open', () => resolve(c));
    ws.on('error', reject);
  });
}
function next(c, match, timeoutMs) {
  return new Promise((resolve) => {
    const t = setTimeout(() => { c.waiter = null; resolve({ type: 'timeout' }); }, timeoutMs);
    c.waiter = { match, resolve: (f) => { clearTimeout(t); resolve(f); } };
  });
}
async function chat() {
  const c = await open();
  const welcome = next(c, (f) => f.type === 'welcome' || f.type === 'error', 15000);
  c.ws.send(JSON.stringify({ type: 'hello' }));
  const f = await welcome;
  if (f.type !== 'welcome') throw new Error('no welcome: ' + JSON.stringify(f));
  return c;
}
(async () => {
  const start = performance.now();
  const measureFrom = start + w.warmupMs;
  const end = measureFrom + w.durationMs;
  const latencies = [];
  const outcomes = { answer: 0, clarify: 0, handoff: 0 };
  const failures = {};
  let turns = 0, measured = 0, lastEnd = measureFrom;
  const clients = await Promise.all(Array.from({ length: w.clients }, () => chat()));
  parentPort.postMessage({ type: 'connected', at: performance.now() - start });
  // The server's memory is read now, with every conversation open and idle: wait for the go.
  await new Promise((r) => parentPort.once('message', r));
  const cpu0 = threadCpuMs();
  const loopStart = performance.now();
  // Paced (w.rate > 0): each conversation is due a turn every clients/rate seconds, staggered; it still waits for
  // its answer before the next (a customer reads the answer), and a late turn's latency counts from when it was
  // due, so a server that falls behind shows it in the latencies (no coordinated omission).
  const every = w.rate > 0 ? (w.clients * 1000) / w.rate : 0;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(clients.map(async (first, i) => {
    let c = first;
    let q = (i * 7) % w.questions.length;
    let n = 0;
    let due = loopStart + (every * i) / w.clients;
    while ((every ? due : performance.now()) < end) {
      if (every && due > performance.now()) await sleep(due - performance.now());
      const text = w.questions[q];
      q = (q + 1) % w.questions.length;
      const answer = next(c, isAnswer, 15000);
      const t = every ? due : performance.now();
      due += every;
      c.ws.send(JSON.stringify({ type: 'message', text, clientId: 'b' + i + '-' + (++n) }));
      const f = await answer;
      const done = performance.now();
      turns++;
      const kind = f.type === 'message' ? (f.text === w.clarify ? 'clarify' : 'answer') : f.type === 'error' ? 'error:' + f.id : f.type;
      if (t >= measureFrom) {
        measured++;
        latencies.push(done - t);
        lastEnd = Math.max(lastEnd, done);
        if (kind in outcomes) outcomes[kind]++; else failures[kind] = (failures[kind] || 0) + 1;
      }
      if (f.type === 'handoff') { c.ws.close(); c = await chat(); }
      else if (f.type !== 'message') break;
    }
    c.ws.close();
  }));
  parentPort.postMessage({ type: 'done', turns, measured, outcomes, failures, wallMs: lastEnd - measureFrom,
    latencies: Float64Array.from(latencies),
    clientCpu: cpu0 === null ? null : (threadCpuMs() - cpu0) / (performance.now() - loopStart) });
})().catch((err) => { parentPort.postMessage({ type: 'failed', message: String(err && err.stack || err) }); });
`;

const WS = createRequire(import.meta.url).resolve('ws');

interface ChatLoad {
  /** Turns answered in all, warm-up included. */
  turns: number;
  measured: number;
  outcomes: { answer: number; clarify: number; handoff: number };
  failures: Record<string, number>;
  wallMs: number;
  latencies: Float64Array;
  /** CPU of the clients' thread after connecting (warm-up included), in cores. */
  clientCpu: number | null;
  /** The server's memory (this isolate's heap and array buffers, after a full GC) before connecting, and once connected. */
  memory: { before: number; connected: number };
}

/** rate: turns/s offered in all, paced (see CLIENT); 0 = closed loop, each client sends as soon as it is answered. */
function runChats(
  url: string,
  questions: string[],
  clients: number,
  warmupMs: number,
  durationMs: number,
  rate = 0,
) {
  return new Promise<ChatLoad>((resolve, reject) => {
    const memory = { before: liveBytes(), connected: 0 };
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: { wsPath: WS, url, questions, clarify: CLARIFY_TEXT, clients, warmupMs, durationMs, rate },
    });
    worker.on('message', (m: { type: string; message?: string } & ChatLoad) => {
      if (m.type === 'connected') {
        memory.connected = liveBytes();
        worker.postMessage('go');
      } else if (m.type === 'done') resolve({ ...m, memory });
      else if (m.type === 'failed') reject(new Error(`chat clients failed: ${m.message}`));
    });
    worker.once('error', reject);
  });
}

/** The questions, ordered so that two the engine would not answer never follow each other (also cyclically). */
async function orderedQuestions(app: App, agentId: string, threshold: number) {
  const all = readFileSync(join(NORTHWIND_KB, 'eval.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const snap = await app.knowledge.engines.get(app.db, agentId);
  const hits: string[] = [];
  const misses: string[] = [];
  for (const q of all) (answerFrom(snap, q).confidence >= threshold ? hits : misses).push(q);
  if (misses.length > hits.length) throw new Error('the engine misses more questions than it answers');
  const out: string[] = [];
  const every = hits.length / Math.max(1, misses.length);
  let m = 0;
  hits.forEach((h, i) => {
    out.push(h);
    while (m < misses.length && i + 1 >= (m + 1) * every - 1e-9) out.push(misses[m++]!);
  });
  return { questions: out, hits: hits.length, misses: misses.length };
}

// ---------------------------------------------------------------------------------------------------------
// The node under test: the web chat on a Fastify instance built like buildServer's (request ids, error handling,
// cookies), with the bench limits.

async function chatServer(app: App, bus: EventBus): Promise<FastifyInstance> {
  const server = Fastify({
    logger: { level: 'silent' },
    bodyLimit: 1_048_576,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    frameworkErrors: frameworkErrorHandler,
  });
  server.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  installErrorHandling(server);
  await server.register(cookie);
  await registerWebchat(server, app, { bus, limits: benchLimits(app.db) });
  await server.listen({ port: 0, host: '127.0.0.1' });
  return server;
}

async function tableCounts(db: Db): Promise<Map<string, number>> {
  const tables = await db.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'bench_raw_%'
       -- A row per address and window, written by the limiter's batched sync, not by a turn.
       AND table_name <> 'rate_limit_hits'
     ORDER BY 1`,
  );
  const out = new Map<string, number>();
  for (const { t } of tables) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
    out.set(t, row!.n);
  }
  return out;
}

/** Rows added per table ÷ turns, for the tables that grew. */
function perTurn(
  before: Map<string, number>,
  after: Map<string, number>,
  turns: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [t, n] of after) {
    const d = n - (before.get(t) ?? 0);
    if (d > 0) out.set(t, d / Math.max(1, turns));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The baseline: one real turn's rows, inserted again as plain INSERTs into trigger-less copies of their tables.

interface RawInsert {
  table: string;
  sql: string;
  /** Text values; every occurrence of the template run id is replaced by the baseline turn's own id. */
  values: (string | null)[];
}

interface Column {
  name: string;
  type: string;
  generated: boolean;
  hasDefault: boolean;
}

async function columnsOf(db: Db, t: string): Promise<Column[]> {
  return db.query<Column>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            (a.attgenerated <> '' OR a.attidentity <> '') AS generated,
            EXISTS (SELECT 1 FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) AS "hasDefault"
     FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [t],
  );
}

async function primaryKeyOf(db: Db, t: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [t],
  );
  return rows.map((r) => r.name);
}

/** Rows of table t that belong to run `runId`, or null when the table has no link to a run. */
function rowsOfRun(t: string, columns: Column[]): string | null {
  const names = new Set(columns.map((c) => c.name));
  if (t === 'runs') return 'id = $1::uuid';
  if (names.has('run_id')) return 'run_id = $1::uuid';
  if (names.has('stream')) return `stream = 'run:' || $1`;
  return null;
}

async function buildBaseline(
  db: Db,
  agentId: string,
  perTurn: Map<string, number>,
): Promise<{ inserts: RawInsert[]; runId: string; notes: string[] }> {
  const [sample] = await db.query<{ id: string }>(
    `SELECT r.id FROM runs r WHERE r.agent_id = $1 AND r.status = 'done' AND EXISTS (
       SELECT 1 FROM messages m WHERE m.run_id = r.id AND m.direction = 'out' AND m.meta->>'intent' = 'answer')
     ORDER BY r.created_at DESC LIMIT 1`,
    [agentId],
  );
  if (!sample) throw new Error('no answered run to take the baseline rows from');
  const runId = sample.id;
  const inserts: RawInsert[] = [];
  const notes: string[] = [];
  for (const [t, rate] of perTurn) {
    const want = Math.round(rate);
    if (want < 1) continue;
    const columns = await columnsOf(db, t);
    const pk = await primaryKeyOf(db, t);
    const where = rowsOfRun(t, columns);
    const select = `SELECT ${columns.map((c) => `${c.name}::text AS ${c.name}`).join(', ')} FROM ${t}`;
    let rows = where
      ? await db.query<Record<string, string | null>>(`${select} WHERE ${where}`, [runId])
      : [];
    if (rows.length !== want) {
      notes.push(
        `${t}: the sample run has ${rows.length} row(s), the average turn ${fmt(rate, 2)}; using ${want} ` +
          (rows.length >= want ? 'of its rows' : 'recent rows of the table'),
      );
      if (rows.length < want) rows = await db.query(`${select} LIMIT ${want}`);
      rows = rows.slice(0, want);
    }
    const raw = `bench_raw_${t}`;
    await db.exec(`DROP TABLE IF EXISTS ${raw}`);
    await db.exec(
      `CREATE TABLE ${raw} (LIKE ${t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED)`,
    );
    if (pk.length) await db.exec(`ALTER TABLE ${raw} ADD PRIMARY KEY (${pk.join(', ')})`);
    for (const row of rows) {
      // Generated keys (uuid defaults, bigserial) are left to their default unless they are the run's own id.
      const used = columns.filter(
        (c) =>
          !c.generated &&
          !(c.hasDefault && pk.includes(c.name) && !String(row[c.name] ?? '').includes(runId)),
      );
      inserts.push({
        table: t,
        sql: `INSERT INTO ${raw} (${used.map((c) => c.name).join(', ')}) VALUES (${used
          .map((c, i) => `$${i + 1}::${c.type}`)
          .join(', ')})`,
        values: used.map((c) => row[c.name] ?? null),
      });
    }
  }
  return { inserts, runId, notes };
}

interface BaselineLoad {
  turns: number;
  wallMs: number;
  latencies: number[];
  nodeMs: number;
  postgresMs: number | null;
}

async function runBaseline(
  db: Db,
  inserts: RawInsert[],
  templateRunId: string,
  concurrency: number,
  seconds: number,
  filter: PostgresFilter | undefined,
): Promise<BaselineLoad> {
  const cpu0 = cpuSnapshot({ postgres: filter });
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const id = randomUUID();
        const s = performance.now();
        for (const ins of inserts)
          await db.query(
            ins.sql,
            ins.values.map((v) => (v === null ? null : v.replaceAll(templateRunId, id))),
          );
        latencies.push(performance.now() - s);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = cpuSince(cpu0);
  return { turns: latencies.length, wallMs, latencies, nodeMs: cpu.nodeMs, postgresMs: cpu.postgresMs };
}

// ---------------------------------------------------------------------------------------------------------

interface Measured {
  scenario: string;
  driver: string;
  load: ChatLoad;
  baseline: BaselineLoad;
  insertsPerTurn: number;
  rowsPerTurn: Map<string, number>;
  sqlPerTurn: Map<string, number>;
  roundTripsPerTurn: number;
  cpu: CpuDelta;
  /** CPU of the server's main thread (PGlite included), in cores. */
  serverThread: number | null;
  nodeSysMs: number;
  waits: string | null;
  questions: { hits: number; misses: number };
  /** The paced runs: offered turns/s (in all) and what they measured. */
  paced: PacedLoad[];
}

interface PacedLoad {
  offered: number;
  load: ChatLoad;
}

async function measureDriver(driver: string, reports: string[]): Promise<Measured | null> {
  const target: Target | null = await openTarget(driver, 'bench_support');
  if (!target) return null;
  const meter = new Meter();
  const db = meteredDb(target.db, meter);
  const app = createApp(db);
  const bus = await openEventBus(db);
  let server: FastifyInstance | null = null;
  try {
    const t0 = performance.now();
    const agent = await northwindAgent(app, 'northwind');
    const { questions, hits, misses } = await orderedQuestions(app, agent.id, agent.confidenceThreshold);
    server = await chatServer(app, bus);
    const url = `ws://127.0.0.1:${(server.server.address() as AddressInfo).port}/api/webchat/${agent.name}/socket`;
    console.log(
      `${driver}: agent ready in ${fmt(performance.now() - t0, 0)} ms (KB import + engine); ${questions.length} questions, ` +
        `${misses} the engine cannot answer (asked to rephrase), spread out`,
    );

    // Probe: one client, every statement timed. Its turns also give the baseline its first rows per turn and
    // its template run; the measured phase's own averages are checked against them afterwards.
    const countsBeforeProbe = await tableCounts(target.db);
    meter.stats = new Map();
    const probe = await runChats(url, questions, 1, 300, PROBE_MS);
    const probeStats = meter.stats;
    meter.stats = null;
    const ps = summarize(probe.latencies);
    const probeRows = perTurn(countsBeforeProbe, await tableCounts(target.db), probe.turns);
    let baseline = await buildBaseline(target.db, agent.id, probeRows);
    const filter = await postgresFilter(target);
    const half1 = await runBaseline(
      target.db,
      baseline.inserts,
      baseline.runId,
      CLIENTS,
      SECONDS / 2,
      filter,
    );
    const countsAtStart = await tableCounts(target.db);
    const sampler = new WaitSampler(filter);
    await sampler.start();
    const cpu0 = cpuSnapshot({ postgres: filter });
    const thread0 = threadCpuMs();
    const sqlAtStart = meter.snapshot();
    const load = await runChats(url, questions, CLIENTS, WARMUP_MS, SECONDS * 1000);
    const thread1 = threadCpuMs();
    const cpu = cpuSince(cpu0);
    const nodeSysMs = process.cpuUsage(cpu0.nodeUs).system / 1000;
    const waits = await sampler.stop();
    const sqlAtEnd = meter.snapshot();
    const rowsPerTurn = perTurn(countsAtStart, await tableCounts(target.db), load.turns);
    const sqlPerTurn = new Map<string, number>();
    for (const [k, n] of sqlAtEnd.byKind) {
      const d = n - (sqlAtStart.byKind.get(k) ?? 0);
      if (d > 0) sqlPerTurn.set(k, d / load.turns);
    }
    const txPerTurn = (sqlAtEnd.transactions - sqlAtStart.transactions) / load.turns;
    sqlPerTurn.set('BEGIN+COMMIT', 2 * txPerTurn);
    const roundTripsPerTurn =
      (sqlAtEnd.statements - sqlAtStart.statements + 2 * (sqlAtEnd.transactions - sqlAtStart.transactions)) /
      load.turns;

    // Second half of the baseline, on the rows the measured turns actually wrote.
    const rounded = (m: Map<string, number>) =>
      [...m]
        .filter(([, r]) => Math.round(r) >= 1)
        .map(([t, r]) => `${t}:${Math.round(r)}`)
        .join(',');
    const same = rounded(rowsPerTurn) === rounded(probeRows);
    if (!same) {
      reports.push(
        `${driver}: the measured turns wrote other rows per turn (${rounded(rowsPerTurn)}) than the probe's ` +
          `(${rounded(probeRows)}); the whole baseline was re-run on the measured rows.`,
      );
      baseline = await buildBaseline(target.db, agent.id, rowsPerTurn);
      half1.turns = 0;
      half1.wallMs = 0;
      half1.latencies = [];
      half1.nodeMs = 0;
      half1.postgresMs = 0;
    }
    const half2 = await runBaseline(
      target.db,
      baseline.inserts,
      baseline.runId,
      CLIENTS,
      same ? SECONDS / 2 : SECONDS,
      filter,
    );
    // Paced: the same conversations at a set rate, once at the target rate (the issue's pair: this many turns/s
    // with this p99) and once at half of what the closed loop just reached (latency on a server with headroom).
    const closedRate = (load.measured * 1000) / Math.max(1, load.wallMs);
    const paced: PacedLoad[] = [];
    const rates = EXTRA_RATES.length
      ? EXTRA_RATES
      : [TARGET_TURNS_PER_SEC, Math.max(1, Math.round(closedRate / 2))];
    for (const offered of rates) {
      const pacedLoad = await runChats(url, questions, CLIENTS, WARMUP_MS, SECONDS * 1000, offered);
      paced.push({ offered, load: pacedLoad });
    }
    const base: BaselineLoad = {
      turns: half1.turns + half2.turns,
      wallMs: half1.wallMs + half2.wallMs,
      latencies: [...half1.latencies, ...half2.latencies],
      nodeMs: half1.nodeMs + half2.nodeMs,
      postgresMs:
        half1.postgresMs === null || half2.postgresMs === null ? null : half1.postgresMs + half2.postgresMs,
    };

    reports.push(
      `${probeReport(
        `Probe (${driver}), 1 client: ${probe.measured} turns, mean ${fmt(ps.mean)} ms, p50 ${fmt(ps.p50)} ms per turn; ` +
          `database time per turn: ${fmt(totalMs(probeStats) / Math.max(1, probe.turns))} ms (every statement, as the ` +
          `server waited for it)`,
        probeStats,
        Math.max(1, probe.turns),
      )}`,
    );
    if (baseline.notes.length) reports.push(`${driver} baseline rows: ${baseline.notes.join('; ')}`);
    return {
      scenario: `chat-${driver}`,
      driver,
      load,
      baseline: base,
      insertsPerTurn: baseline.inserts.length,
      rowsPerTurn,
      sqlPerTurn,
      roundTripsPerTurn,
      cpu,
      serverThread: thread0 === null || thread1 === null ? null : (thread1 - thread0) / cpu.wallMs,
      nodeSysMs,
      waits,
      questions: { hits, misses },
      paced,
    };
  } finally {
    await server?.close().catch(() => {});
    await bus.close().catch(() => {});
    await target.cleanup();
  }
}

async function runSuite(): Promise<ScenarioResult[]> {
  console.log(
    `Support web chat: ${CLIENTS} concurrent conversations, ${SECONDS} s per scenario (+${WARMUP_MS} ms warm-up), ` +
      `local engine, limits raised (defaults: ${DEFAULT_LIMITS.messages.max} messages/${DEFAULT_LIMITS.messages.windowMs / 1000} s per connection, ` +
      `${DEFAULT_LIMITS.perIp.max}/${DEFAULT_LIMITS.perIp.windowMs / 1000} s per IP, ${DEFAULT_LIMITS.connectionsPerIp} sockets per IP)`,
  );
  const reports: string[] = [];
  const measured: Measured[] = [];
  for (const driver of DRIVERS) {
    const m = await measureDriver(driver, reports);
    if (m) measured.push(m);
  }
  const rows = measured.map((m) => {
    const s = summarize(m.load.latencies);
    const b = summarize(m.baseline.latencies);
    const rate = (m.load.measured * 1000) / m.load.wallMs;
    const baseRate = (m.baseline.turns * 1000) / m.baseline.wallMs;
    return { m, s, b, rate, baseRate };
  });
  console.log('');
  console.log(
    table(
      [
        'scenario',
        'turns/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'answer/clarify/handoff',
        'failed',
        'raw turns/s',
        'raw p50',
        'raw p99',
        'ratio',
      ],
      rows.map(({ m, s, b, rate, baseRate }) => [
        m.scenario,
        rate,
        s.p50,
        s.p99,
        s.max,
        `${m.load.outcomes.answer}/${m.load.outcomes.clarify}/${m.load.outcomes.handoff}`,
        Object.entries(m.load.failures)
          .map(([k, n]) => `${k}×${n}`)
          .join(' ') || '0',
        baseRate,
        b.p50,
        b.p99,
        pct(rate / baseRate),
      ]),
    ),
  );
  console.log(
    '\nturns/s: answered turns per second in the measured window; p50/p99: send → the agent’s answer frame;' +
      '\nraw: the rows of one turn inserted directly (one plain INSERT per row, autocommit) into copies of the tables' +
      '\nwithout trigger or foreign key, same pool and concurrency; ratio: turns/s ÷ raw turns/s.',
  );
  console.log('');
  console.log(
    table(
      [
        'per turn',
        'rows written',
        'raw INSERTs',
        'SQL round trips',
        'by kind',
        'node ms',
        '(sys)',
        'pg ms',
        'raw node/pg ms',
        'cpu ms/s',
        'server thr',
        'client thr',
        'machine',
      ],
      rows.map(({ m }) => [
        m.scenario,
        [...m.rowsPerTurn]
          .filter(([, r]) => r >= 0.005)
          .map(([t, r]) => `${t} ${fmt(r, 2)}`)
          .join(', '),
        String(m.insertsPerTurn),
        fmt(m.roundTripsPerTurn, 1),
        [...m.sqlPerTurn]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${fmt(n, 1)}`)
          .join(', '),
        fmt(m.cpu.nodeMs / m.load.turns, 2),
        fmt(m.nodeSysMs / m.load.turns, 2),
        m.cpu.postgresMs === null ? '-' : fmt(m.cpu.postgresMs / m.load.turns, 2),
        `${fmt(m.baseline.nodeMs / m.baseline.turns, 2)} / ${m.baseline.postgresMs === null ? '-' : fmt(m.baseline.postgresMs / m.baseline.turns, 2)}`,
        fmt(((m.cpu.nodeMs + (m.cpu.postgresMs ?? 0)) * 1000) / m.cpu.wallMs, 0),
        m.serverThread === null ? '-' : pct(m.serverThread),
        m.load.clientCpu === null ? '-' : pct(m.load.clientCpu),
        m.cpu.machineBusy === null ? '-' : pct(m.cpu.machineBusy),
      ]),
    ),
  );
  console.log(
    'rows written: row-count growth per table ÷ turns (warm-up included); node ms: CPU of this process per turn' +
      '\n(server, PGlite, the client worker, GC threads), (sys): its kernel part (socket syscalls); pg ms: the pool’s' +
      '\nbackends + server auxiliaries; raw node/pg ms: the same per baseline turn; cpu ms/s: node + pg per wall second (2000 = both cores); server thr / client thr:' +
      '\nCPU of the server’s main thread (PGlite included) and of the clients’ thread, % of one core; machine: all' +
      '\ncores, all tenants.',
  );
  for (const { m } of rows) if (m.waits) console.log(`  ${m.scenario}, pool backends (sampled): ${m.waits}`);
  for (const { m } of rows) {
    const grown = m.load.memory.connected - m.load.memory.before;
    console.log(
      `  ${m.scenario}, server memory with ${CLIENTS} conversations open (heap and buffers after a full GC): ` +
        `${fmt(m.load.memory.connected / 1_048_576, 1)} MB, ${fmt(grown / 1024, 0)} KB more than before they opened ` +
        `(${fmt(grown / 1024 / CLIENTS, 1)} KB each)`,
    );
  }

  console.log('');
  console.log(
    table(
      ['paced', 'offered turns/s', 'achieved turns/s', 'p50 ms', 'p99 ms', 'max ms', 'failed'],
      rows.flatMap(({ m }) =>
        m.paced.map((p) => {
          const ps = summarize(p.load.latencies);
          return [
            m.scenario,
            p.offered,
            pacedRate(p),
            ps.p50,
            ps.p99,
            ps.max,
            String(Object.values(p.load.failures).reduce((a, n) => a + n, 0)),
          ];
        }),
      ),
    ),
  );
  console.log(
    `paced: the same ${CLIENTS} conversations, each due a turn every ${CLIENTS} ÷ offered seconds (staggered) and` +
      '\nstill waiting for its answer before the next; latency counts from when a turn was due, so a server that falls' +
      '\nbehind shows it. Offered: the target rate, and half the closed loop’s turns/s (a server with headroom).',
  );

  const targetRows: (string | number)[][] = [];
  for (const { m, rate, baseRate } of rows) {
    // Issue 25: the turn's cost against the same rows inserted directly, and the p99 of a server with headroom.
    targetRows.push([
      m.scenario,
      'turns/s ÷ raw turns/s',
      fmt(rate / baseRate, 2),
      `≥ ${TARGET_RAW_RATIO}`,
      verdict(rate / baseRate >= TARGET_RAW_RATIO),
    ]);
    const half = halfPaced(m);
    targetRows.push([
      m.scenario,
      'p99 at half the closed loop',
      half
        ? `${fmt(summarize(half.load.latencies).p99)} ms at ${fmt(half.offered)} turns/s offered`
        : 'not run (BENCH_SUPPORT_RATES set)',
      `≤ ${TARGET_P99_MS} ms`,
      half ? verdict(pacedPass(half)) : '-',
    ]);
    targetRows.push([
      m.scenario,
      'turns/s (closed loop)',
      fmt(rate),
      `≥ ${TARGET_TURNS_PER_SEC}`,
      verdict(rate >= TARGET_TURNS_PER_SEC),
    ]);
    const atTarget = targetPaced(m);
    targetRows.push([
      m.scenario,
      `p99 at ${TARGET_TURNS_PER_SEC} turns/s offered`,
      atTarget
        ? `${fmt(summarize(atTarget.load.latencies).p99)} ms (${fmt(pacedRate(atTarget))} turns/s served)`
        : `not run (BENCH_SUPPORT_RATES has no ${TARGET_TURNS_PER_SEC})`,
      `≤ ${TARGET_P99_MS} ms`,
      atTarget ? verdict(pacedPass(atTarget)) : '-',
    ]);
  }
  console.log('');
  console.log(table(['targets', 'figure', 'measured', 'target', ''], targetRows));
  console.log(
    `(the p99 target is read at the target rate: in the closed loop every client waits for its answer, so mean ` +
      `latency = ${CLIENTS} ÷ turns/s there, and a p99 of ${TARGET_P99_MS} ms at ${CLIENTS} clients would need more than ` +
      `${fmt((CLIENTS * 1000) / TARGET_P99_MS)} turns/s; a paced run that serves less than ${pct(SERVED_SHARE)} of the ` +
      'offered rate misses, whatever its p99)',
  );
  for (const r of reports) console.log(`\n${r}`);

  return rows.map(({ m, s, b, rate, baseRate }) => ({
    suite: 'support',
    scenario: m.scenario,
    clients: CLIENTS,
    turnsPerSec: round(rate, 1),
    p50Ms: round(s.p50),
    p99Ms: round(s.p99),
    maxMs: round(s.max),
    measuredTurns: m.load.measured,
    answers: m.load.outcomes.answer,
    clarify: m.load.outcomes.clarify,
    handoffs: m.load.outcomes.handoff,
    failed: Object.values(m.load.failures).reduce((a, n) => a + n, 0),
    rawTurnsPerSec: round(baseRate, 1),
    rawP50Ms: round(b.p50),
    rawP99Ms: round(b.p99),
    rawInsertsPerTurn: m.insertsPerTurn,
    rawNodeCpuMsPerTurn: round(m.baseline.nodeMs / m.baseline.turns),
    rawPgCpuMsPerTurn:
      m.baseline.postgresMs === null ? null : round(m.baseline.postgresMs / m.baseline.turns),
    ratio: round(rate / baseRate),
    sqlRoundTripsPerTurn: round(m.roundTripsPerTurn, 2),
    nodeCpuMsPerTurn: round(m.cpu.nodeMs / m.load.turns),
    pgCpuMsPerTurn: m.cpu.postgresMs === null ? null : round(m.cpu.postgresMs / m.load.turns),
    nodeSysCpuMsPerTurn: round(m.nodeSysMs / m.load.turns),
    serverThreadCores: m.serverThread === null ? null : round(m.serverThread),
    clientThreadCores: m.load.clientCpu === null ? null : round(m.load.clientCpu),
    machineBusy: m.cpu.machineBusy === null ? null : round(m.cpu.machineBusy),
    serverMb: round(m.load.memory.connected / 1_048_576, 1),
    serverKbPerConversation: round((m.load.memory.connected - m.load.memory.before) / 1024 / CLIENTS, 1),
    ...Object.fromEntries(
      m.paced.flatMap((p, i) => {
        const key =
          p.offered === TARGET_TURNS_PER_SEC
            ? 'pacedTarget'
            : EXTRA_RATES.length
              ? `paced${p.offered}`
              : i === 1
                ? 'pacedHalf'
                : `paced${p.offered}`;
        const ps = summarize(p.load.latencies);
        return [
          [`${key}Offered`, p.offered],
          [`${key}TurnsPerSec`, round(pacedRate(p), 1)],
          [`${key}P50Ms`, round(ps.p50)],
          [`${key}P99Ms`, round(ps.p99)],
        ];
      }),
    ),
    targetTurns: verdict(rate >= TARGET_TURNS_PER_SEC),
    targetP99: targetPaced(m) ? verdict(pacedPass(targetPaced(m))) : 'not run',
  }));
}

/** The paced run at half the closed loop's rate (absent when BENCH_SUPPORT_RATES chose the rates). */
function halfPaced(m: Measured): PacedLoad | undefined {
  // The runs are [the target rate, half the closed loop's] unless BENCH_SUPPORT_RATES chose the rates.
  return EXTRA_RATES.length ? undefined : m.paced[1];
}

/** A paced run keeps up when it serves at least this share of the offered rate. */
const SERVED_SHARE = 0.98;

function pacedRate(p: PacedLoad): number {
  return (p.load.measured * 1000) / Math.max(1, p.load.wallMs);
}

function targetPaced(m: Measured): PacedLoad | undefined {
  return m.paced.find((p) => p.offered === TARGET_TURNS_PER_SEC);
}

function pacedPass(p: PacedLoad | undefined): boolean {
  if (!p) return false;
  const failed = Object.values(p.load.failures).reduce((a, n) => a + n, 0);
  return (
    failed === 0 &&
    pacedRate(p) >= SERVED_SHARE * p.offered &&
    summarize(p.load.latencies).p99 <= TARGET_P99_MS
  );
}

export const suite: Suite = {
  name: 'support',
  description: `web chat: ${CLIENTS} concurrent conversations on the local engine, turns/s and p99 per turn, vs the same rows inserted directly`,
  run: runSuite,
};
