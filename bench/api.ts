// API suite: the HTTP API of a real node (startTwelve: migrated database, event bus, Fastify server listening on a
// port, no jobs, no channels) driven over keep-alive HTTP at concurrency 32, on PGlite and on a PostgreSQL server
// (fresh schema). Two scenarios per database:
//   read     GET /api/agents/:agent with a Bearer token (token lookup, readiness, counts);
//   approve  POST /api/approvals/:id/approve on runs suspended beforehand: a scripted custom agent whose one step is
//            `notes.delete` (destructive, so every run waits for approval); each approval resumes its run inline and
//            the run finishes before the response (checked in the database afterwards).
// The baseline, in the same run and client, is a bare Fastify hello-world (`GET /hello` → {ok:true}) on its own
// server; half of it is measured before the API scenarios and half after, so drift on a shared machine hits both.
// The load generator runs in a worker thread (undici Pool, one keep-alive connection per in-flight request), so
// its work does not share the server's event loop. Only requests started after a warm-up are measured.
//
// After each scenario a short probe at concurrency 1 times every SQL statement (a metered Db wraps the server's),
// to show where one request's time goes.
//
// Environment: BENCH_SECONDS (per scenario, default 5), BENCH_DRIVERS (default "pglite,pg"), BENCH_DATABASE_URL
// (default postgres://root@127.0.0.1:5432/test), BENCH_API_CONCURRENCY (default 32), BENCH_POOL_MAX (pg pool,
// default 20 = the server's default), BENCH_API_APPROVALS (cap on runs suspended beforehand, default 20000).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { tokenCreator } from '../src/accounts/users.ts';
import type { App } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { assessmentRecorder } from '../src/readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../src/runtime/agents.ts';
import type { ActionInput, AgentConfig } from '../src/runtime/types.ts';
import { startTwelve } from '../src/server/lifecycle.ts';
import type { Db, Queryable } from '../src/store/db.ts';
import { DATABASE_URL, openTarget as openBenchTarget, poolBackends, type Target } from './db.ts';
import {
  type CpuDelta,
  cpuSince,
  cpuSnapshot,
  fmt,
  type PostgresFilter,
  pct,
  round,
  type ScenarioResult,
  type Suite,
  summarize,
  table,
} from './stats.ts';

export function positive(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export const SECONDS = positive(process.env.BENCH_SECONDS, 5);
export const POOL_MAX = positive(process.env.BENCH_POOL_MAX, 20);

export type { Target };
/** PGlite, or a fresh schema on the PostgreSQL server with this suite's pool size (see db.ts). */
export const openTarget = (driver: string, prefix: string) => openBenchTarget(driver, prefix, POOL_MAX);
const CONCURRENCY = positive(process.env.BENCH_API_CONCURRENCY, 32);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pglite,pg').split(',').map((s) => s.trim());
const MAX_APPROVALS = positive(process.env.BENCH_API_APPROVALS, 20_000);
const WARMUP_MS = Math.min(1000, (SECONDS * 1000) / 4);
const PROBE_MS = 1000;
const ACTOR = 'system:bench';

// ---------------------------------------------------------------------------------------------------------
// Databases (shared with bench/support.ts).

/** This pool's backend pids, for the PostgreSQL CPU figure (none when the server runs elsewhere). */
export async function postgresFilter(target: Target): Promise<PostgresFilter | undefined> {
  return target.local ? poolBackends(target.db, target.poolMax) : undefined;
}

/**
 * Samples what the pool's backends are doing (pg_stat_activity, every 20 ms, from its own connection): running,
 * waiting on a lock or on WAL, or idle because the next statement has not arrived from Node yet. Shares of all
 * backend samples; a quick answer to "is PostgreSQL or Node the bottleneck".
 */
export class WaitSampler {
  private readonly counts = new Map<string, number>();
  private total = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private client: pg.Client | null = null;

  constructor(private readonly filter: PostgresFilter | undefined) {}

  async start(): Promise<void> {
    if (!this.filter) return;
    this.client = new pg.Client({ connectionString: DATABASE_URL });
    await this.client.connect();
    const pids = [...this.filter.backends];
    const client = this.client;
    this.loop = (async () => {
      while (!this.stopped) {
        const { rows } = await client.query<{ state: string | null; t: string | null; e: string | null }>(
          'SELECT state, wait_event_type AS t, wait_event AS e FROM pg_stat_activity WHERE pid = ANY($1::int[])',
          [pids],
        );
        for (const r of rows) {
          const label =
            r.state === 'active'
              ? r.t
                ? `${r.t}:${r.e}`
                : 'running'
              : r.state === 'idle'
                ? 'idle (no statement from Node)'
                : r.state === 'idle in transaction'
                  ? 'idle in tx (Node holds the tx)'
                  : String(r.state);
          this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
          this.total++;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
  }

  async stop(): Promise<string | null> {
    this.stopped = true;
    await this.loop?.catch(() => {});
    await this.client?.end().catch(() => {});
    if (!this.total) return null;
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${pct(n / this.total)}`)
      .join(', ');
  }
}

// ---------------------------------------------------------------------------------------------------------
// A Db that counts statements (always) and times them (during probes). BEGIN and COMMIT are counted as round
// trips; their time, pool waits and the JavaScript run inside a transaction are reported together.

export const TX_OVERHEAD = 'BEGIN + COMMIT (+ pool connect, JS inside the tx)';

export class Meter {
  statements = 0;
  transactions = 0;
  byKind = new Map<string, number>();
  /** Set during probes: time per normalized statement. */
  stats: Map<string, { n: number; ms: number }> | null = null;

  get roundTrips(): number {
    return this.statements + 2 * this.transactions;
  }

  snapshot(): { statements: number; transactions: number; byKind: Map<string, number> } {
    return { statements: this.statements, transactions: this.transactions, byKind: new Map(this.byKind) };
  }

  count(sql: string): string {
    this.statements++;
    const kind = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    return kind;
  }

  time(key: string, ms: number): void {
    if (!this.stats) return;
    const s = this.stats.get(key);
    if (s) {
      s.n++;
      s.ms += ms;
    } else this.stats.set(key, { n: 1, ms });
  }
}

function statementKey(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 96 ? `${s.slice(0, 95)}…` : s;
}

function meteredQueryable(q: Queryable, m: Meter, inner?: { ms: number }): Queryable {
  const run = async <T>(sql: string, call: () => Promise<T>): Promise<T> => {
    m.count(sql);
    if (!m.stats) return call();
    const t0 = performance.now();
    try {
      return await call();
    } finally {
      const ms = performance.now() - t0;
      if (inner) inner.ms += ms;
      m.time(statementKey(sql), ms);
    }
  };
  return {
    query: <T>(sql: string, params?: unknown[]) => run(sql, () => q.query<T>(sql, params)),
    exec: (sql: string) => run(sql, () => q.exec(sql)),
  };
}

export function meteredDb(db: Db, m: Meter): Db {
  const base = meteredQueryable(db, m);
  return {
    driver: db.driver,
    pglite: db.pglite,
    pool: db.pool,
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      m.transactions++;
      if (!m.stats) return db.transaction((tx) => fn(meteredQueryable(tx, m)));
      const inner = { ms: 0 };
      const t0 = performance.now();
      try {
        return await db.transaction((tx) => fn(meteredQueryable(tx, m, inner)));
      } finally {
        m.time(TX_OVERHEAD, performance.now() - t0 - inner.ms);
      }
    },
    close: () => db.close(),
  };
}

/** The probe's statements, most time first: where one request (or turn) spends its database time. */
export function probeReport(title: string, stats: Map<string, { n: number; ms: number }>, units: number) {
  let total = 0;
  for (const s of stats.values()) total += s.ms;
  const rows = [...stats.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 12)
    .map(([sql, s]) => [sql, s.n / units, s.ms / units, pct(s.ms / total)]);
  return `${title}\n${table(['statement (top 12 by time)', 'per unit', 'ms per unit', 'share'], rows)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The load generator: plain JavaScript for an eval'd worker. `concurrency` loops, each sending its next request
// and waiting for the whole response; requests started before measureFrom are not measured. With a list of
// approval ids, each id is used once and the loops stop when the list runs out.

/** CPU ms of the calling thread (Linux: /proc/thread-self), or null; as JavaScript for the eval'd workers too. */
export const THREAD_CPU_JS = `
function threadCpuMs() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}
`;

export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, USER_HZ = 100
  } catch {
    return null;
  }
}

const CLIENT = `
const { parentPort, workerData: w } = require('node:worker_threads');
const { Pool } = require(w.undiciPath);
const { readFileSync } = require('node:fs');
${THREAD_CPU_JS}
const pool = new Pool(w.origin, { connections: w.concurrency, pipelining: 1, keepAliveTimeout: 60000 });
let next = 0;
function request() {
  if (!w.ids) return { path: w.path, method: 'GET', headers: w.headers };
  const id = w.ids[next++];
  if (id === undefined) return null;
  return { path: '/api/approvals/' + id + '/approve', method: 'POST',
    headers: Object.assign({ 'content-type': 'application/json' }, w.headers), body: '{}' };
}
(async () => {
  const cpu0 = threadCpuMs();
  const start = performance.now();
  const measureFrom = start + w.warmupMs;
  const end = measureFrom + w.durationMs;
  const latencies = [];
  const codes = {};
  let ok = 0, errors = 0, sent = 0, lastEnd = measureFrom;
  await Promise.all(Array.from({ length: w.concurrency }, async () => {
    while (performance.now() < end) {
      const req = request();
      if (!req) break;
      sent++;
      const t = performance.now();
      let status = 0;
      try {
        const res = await pool.request(req);
        status = res.statusCode;
        await res.body.dump();
      } catch (err) {
        status = 0;
      }
      const done = performance.now();
      if (t < measureFrom) continue;
      lastEnd = Math.max(lastEnd, done);
      latencies.push(done - t);
      if (status >= 200 && status < 300) ok++; else { errors++; codes[status] = (codes[status] || 0) + 1; }
    }
  }));
  await pool.close();
  parentPort.postMessage({ ok, errors, codes, sent, wallMs: lastEnd - measureFrom, latencies: Float64Array.from(latencies),
    clientCpu: cpu0 === null ? null : (threadCpuMs() - cpu0) / (performance.now() - start) });
})().catch((err) => { throw err; });
`;

/** undici is not a direct dependency (it comes with a dependency); resolved when the suite runs, not on import. */
let undiciPath: string | null = null;

export interface Load {
  ok: number;
  errors: number;
  codes: Record<string, number>;
  /** Requests sent, warm-up included. */
  sent: number;
  wallMs: number;
  latencies: Float64Array;
  /** CPU of the client thread, in cores (1 = one core); near 1 would mean the client is the limit. */
  clientCpu: number | null;
}

function runLoad(options: {
  origin: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  path?: string;
  ids?: string[];
  headers?: Record<string, string>;
}): Promise<Load> {
  return new Promise((resolve, reject) => {
    undiciPath ??= createRequire(import.meta.url).resolve('undici');
    const worker = new Worker(CLIENT, { eval: true, workerData: { undiciPath, ...options } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function listen(server: FastifyInstance): Promise<string> {
  await server.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

async function measureHello(seconds: number): Promise<Load> {
  const server = Fastify({ logger: false });
  server.get('/hello', async () => ({ ok: true }));
  const origin = await listen(server);
  try {
    return await runLoad({
      origin,
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_MS / 2,
      durationMs: seconds * 1000,
      path: '/hello',
    });
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The node under test.

export function benchConfig(): Config {
  return {
    dataDir: tmpdir(),
    databaseUrl: undefined,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    publicUrl: undefined,
    llm: null,
  };
}

/** A custom agent on the scripted brain (assessed 3/3/3: pilot) whose one step deletes a note: destructive. */
async function approvalAgent(app: App): Promise<AgentConfig> {
  const agent = await agentCreator(app, ACTOR, {
    kind: 'custom',
    name: `bench-approvals-${randomBytes(3).toString('hex')}`,
    brain: 'scripted',
    spendCapCents: 100,
    config: {},
  });
  await assessmentRecorder(app, ACTOR, agent.id, { clarity: 3, tolerance: 3, fallback: 3 });
  const [note] = await app.db.query<{ id: string }>(
    'INSERT INTO demo_notes (agent_id, body) VALUES ($1, $2) RETURNING id',
    [agent.id, 'an outdated note'],
  );
  const script: ActionInput[] = [
    { type: 'tool', name: 'notes.delete', args: { id: note!.id } },
    { type: 'done', outcome: 'cleaned up' },
  ];
  return agentUpdater(app, ACTOR, agent.id, { config: { script } });
}

/** Suspends runs at concurrency CONCURRENCY for about `seconds` (at most MAX_APPROVALS); returns approval ids. */
async function suspendRuns(app: App, agent: AgentConfig, seconds: number): Promise<string[]> {
  const deadline = performance.now() + seconds * 1000;
  let started = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline && started < MAX_APPROVALS) {
        started++;
        const run = await app.runtime.startRun(agent.id, { type: 'message', text: 'please tidy my notes' });
        if (run.status !== 'suspended') throw new Error(`expected a suspended run, got ${run.status}`);
      }
    }),
  );
  const rows = await app.db.query<{ id: string }>(
    `SELECT id FROM approvals WHERE agent_id = $1 AND status = 'pending' ORDER BY created_at`,
    [agent.id],
  );
  return rows.map((r) => r.id);
}

interface Measured extends Load {
  scenario: string;
  driver: string;
  sqlPerRequest: number | null;
  cpu: CpuDelta | null;
  /** CPU of the server's main thread (where PGlite runs too), in cores. */
  serverThread: number | null;
  /** System (kernel) part of this process's CPU, ms. */
  nodeSysMs: number | null;
  /** pg only: what the pool's backends were doing (sampled). */
  waits: string | null;
  note: string;
  extra: Record<string, number | string | null>;
}

async function measureNode(driver: string, probes: string[]): Promise<Measured[]> {
  const target = await openTarget(driver, 'bench_api');
  if (!target) return [];
  const meter = new Meter();
  const db = meteredDb(target.db, meter);
  const twelve = await startTwelve(benchConfig(), { db, jobs: false, env: {} });
  try {
    const app = twelve.app;
    const origin = `http://127.0.0.1:${(twelve.server.server.address() as AddressInfo).port}`;
    const { token } = await tokenCreator(app, ACTOR, { name: 'bench-reviewer', role: 'reviewer' });
    const headers = { authorization: `Bearer ${token}` };
    const agent = await approvalAgent(app);
    const filter = await postgresFilter(target);
    const out: Measured[] = [];

    const measure = async (scenario: string, load: () => Promise<Load>, note: string): Promise<Measured> => {
      const before = meter.statements + 2 * meter.transactions;
      const sampler = new WaitSampler(filter);
      await sampler.start();
      const cpu0 = cpuSnapshot({ postgres: filter });
      const thread0 = threadCpuMs();
      const l = await load();
      const thread1 = threadCpuMs();
      const cpu = cpuSince(cpu0);
      const sys = process.cpuUsage(cpu0.nodeUs).system / 1000;
      const waits = await sampler.stop();
      const sql = meter.statements + 2 * meter.transactions - before;
      return {
        scenario: `${scenario}-${driver}`,
        driver,
        ...l,
        sqlPerRequest: l.sent ? sql / l.sent : null,
        cpu,
        serverThread: thread0 === null || thread1 === null ? null : (thread1 - thread0) / cpu.wallMs,
        nodeSysMs: sys,
        waits,
        note,
        extra: {},
      };
    };
    const probe = async (title: string, load: () => Promise<Load>) => {
      meter.stats = new Map();
      try {
        const l = await load();
        const s = summarize(l.latencies);
        probes.push(
          `${probeReport(
            `Probe ${title} (${driver}), concurrency 1: ${l.ok} requests, mean ${fmt(s.mean)} ms, p50 ${fmt(s.p50)} ms per request; ` +
              `database time per request (statements + transactions): ${fmt(totalMs(meter.stats) / Math.max(1, l.sent))} ms`,
            meter.stats,
            Math.max(1, l.sent),
          )}`,
        );
      } finally {
        meter.stats = null;
      }
    };

    // (1) An authenticated read.
    const path = `/api/agents/${agent.name}`;
    const read = () =>
      runLoad({
        origin,
        concurrency: CONCURRENCY,
        warmupMs: WARMUP_MS,
        durationMs: SECONDS * 1000,
        path,
        headers,
      });
    out.push(await measure('read', read, `GET ${path.replace(agent.name, ':agent')}`));
    await probe(`GET /api/agents/:agent`, () =>
      runLoad({ origin, concurrency: 1, warmupMs: 100, durationMs: PROBE_MS, path, headers }),
    );

    // (2) Approve-and-resume on runs suspended beforehand (enough for the warm-up, the measurement and the probe).
    const t0 = performance.now();
    const ids = await suspendRuns(app, agent, (WARMUP_MS / 1000 + SECONDS) * 1.2);
    const suspendMs = performance.now() - t0;
    const probeIds = ids.splice(ids.length - Math.min(200, Math.floor(ids.length / 10)));
    const approve = await measure(
      'approve',
      () =>
        runLoad({
          origin,
          concurrency: CONCURRENCY,
          warmupMs: WARMUP_MS,
          durationMs: SECONDS * 1000,
          ids,
          headers,
        }),
      'POST /api/approvals/:id/approve',
    );
    const [check] = await app.db.query<{ approved: number; done: number }>(
      `SELECT count(*)::int AS approved, count(*) FILTER (WHERE r.status = 'done')::int AS done
       FROM approvals a JOIN runs r ON r.id = a.run_id WHERE a.agent_id = $1 AND a.status = 'approved'`,
      [agent.id],
    );
    approve.extra = {
      suspended: ids.length + probeIds.length,
      suspendedPerSec: round(((ids.length + probeIds.length) * 1000) / suspendMs, 1),
      approved: check?.approved ?? null,
      runsDone: check?.done ?? null,
    };
    approve.note =
      `${ids.length + probeIds.length} runs suspended beforehand (${fmt(((ids.length + probeIds.length) * 1000) / suspendMs)}/s); ` +
      `${check?.approved ?? '?'} approved, ${check?.done ?? '?'} of those runs done` +
      (approve.sent >= ids.length ? '; the list ran out before the deadline' : '');
    out.push(approve);
    await probe('POST /api/approvals/:id/approve', () =>
      runLoad({ origin, concurrency: 1, warmupMs: 0, durationMs: PROBE_MS, ids: probeIds, headers }),
    );
    return out;
  } finally {
    await twelve.stop();
    await target.cleanup();
  }
}

/** Total database time over every statement of a probe (Meter.stats). */
export function totalMs(stats: Map<string, { n: number; ms: number }>): number {
  let t = 0;
  for (const s of stats.values()) t += s.ms;
  return t;
}

async function runSuite(): Promise<ScenarioResult[]> {
  console.log(
    `API: concurrency ${CONCURRENCY}, ${SECONDS} s per scenario (+${WARMUP_MS} ms warm-up), pg pool max ${POOL_MAX}, client: undici in a worker thread`,
  );
  const halves = [await measureHello(SECONDS / 2)];
  const measured: Measured[] = [];
  const probes: string[] = [];
  for (const driver of DRIVERS) measured.push(...(await measureNode(driver, probes)));
  halves.push(await measureHello(SECONDS / 2));
  const hello: Measured = {
    scenario: 'hello-baseline',
    driver: '-',
    ok: halves[0]!.ok + halves[1]!.ok,
    errors: halves[0]!.errors + halves[1]!.errors,
    codes: {},
    sent: halves[0]!.sent + halves[1]!.sent,
    wallMs: halves[0]!.wallMs + halves[1]!.wallMs,
    latencies: Float64Array.from([...halves[0]!.latencies, ...halves[1]!.latencies]),
    clientCpu: Math.max(halves[0]!.clientCpu ?? 0, halves[1]!.clientCpu ?? 0),
    sqlPerRequest: null,
    cpu: null,
    serverThread: null,
    nodeSysMs: null,
    waits: null,
    note: 'bare Fastify GET /hello → {ok:true}, own server, same client',
    extra: {},
  };
  const rate = (m: Measured) => (m.ok * 1000) / m.wallMs;
  const base = rate(hello);
  const rows = [hello, ...measured].map((m) => ({ m, s: summarize(m.latencies), r: rate(m) }));
  const perReq = (ms: number | null | undefined, m: Measured) =>
    ms === null || ms === undefined || !m.sent ? null : ms / m.sent;
  console.log('');
  console.log(
    table(
      [
        'scenario',
        'req/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'non-2xx',
        'vs hello',
        'SQL rt/req',
        'node ms/req',
        '(sys)',
        'pg ms/req',
        'cpu ms/s',
        'server thr',
        'client thr',
        'machine',
      ],
      rows.map(({ m, s, r }) => [
        m.scenario,
        r,
        s.p50,
        s.p99,
        s.max,
        m.errors ? `${m.errors} (${Object.entries(m.codes).map(([c, n]) => `${c}×${n}`)})` : '0',
        m === hello ? '100%' : pct(r / base),
        m.sqlPerRequest === null ? '-' : fmt(m.sqlPerRequest, 1),
        fmt(perReq(m.cpu?.nodeMs, m), 2),
        fmt(perReq(m.nodeSysMs, m), 2),
        fmt(perReq(m.cpu?.postgresMs, m), 2),
        m.cpu ? fmt(((m.cpu.nodeMs + (m.cpu.postgresMs ?? 0)) * 1000) / m.cpu.wallMs, 0) : '-',
        m.serverThread === null ? '-' : pct(m.serverThread),
        m.clientCpu === null ? '-' : pct(m.clientCpu),
        m.cpu?.machineBusy == null ? '-' : pct(m.cpu.machineBusy),
      ]),
    ),
  );
  console.log(
    '\nreq/s: 2xx responses per second in the measured window; p50/p99: send → whole response, measured requests only;' +
      '\nvs hello: req/s ÷ the bare Fastify route; SQL rt/req: round trips per request (BEGIN/COMMIT included);' +
      '\nnode ms/req: CPU of this process (server + PGlite + the client worker + GC threads) per request, (sys): its' +
      '\nkernel part (socket syscalls); pg ms/req: the pool’s backends + server auxiliaries; cpu ms/s: node + pg per wall' +
      '\nsecond (2000 = both cores of this machine); server thr / client thr: CPU of the server’s main thread (PGlite' +
      '\nincluded) and of the load generator’s thread, in % of one core; machine: all cores, all tenants.',
  );
  for (const { m } of rows) if (m.note) console.log(`  ${m.scenario}: ${m.note}`);
  for (const { m } of rows)
    if (m.waits) console.log(`  ${m.scenario}, pool backends (sampled every 20 ms): ${m.waits}`);
  for (const p of probes) console.log(`\n${p}`);
  return rows.map(({ m, s, r }) => ({
    suite: 'api',
    scenario: m.scenario,
    concurrency: CONCURRENCY,
    requestsPerSec: round(r, 1),
    p50Ms: round(s.p50),
    p99Ms: round(s.p99),
    maxMs: round(s.max),
    measured: m.ok + m.errors,
    non2xx: m.errors,
    ratioToHello: round(r / base),
    sqlRoundTripsPerRequest: m.sqlPerRequest === null ? null : round(m.sqlPerRequest, 2),
    nodeCpuMsPerRequest: perReq(m.cpu?.nodeMs, m) === null ? null : round(perReq(m.cpu?.nodeMs, m)!),
    pgCpuMsPerRequest: perReq(m.cpu?.postgresMs, m) === null ? null : round(perReq(m.cpu?.postgresMs, m)!),
    nodeSysCpuMsPerRequest: perReq(m.nodeSysMs, m) === null ? null : round(perReq(m.nodeSysMs, m)!),
    serverThreadCores: m.serverThread === null ? null : round(m.serverThread),
    clientThreadCores: m.clientCpu === null ? null : round(m.clientCpu),
    machineBusy: m.cpu?.machineBusy == null ? null : round(m.cpu.machineBusy),
    ...m.extra,
  }));
}

export const suite: Suite = {
  name: 'api',
  description:
    'HTTP API on a real node at concurrency 32: authenticated read and approve-and-resume, vs a bare Fastify route',
  run: runSuite,
};
