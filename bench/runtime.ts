// Runtime suite: the per-step overhead of policy + audit, with a brain that answers instantly and a `read` tool
// whose handler does nothing. Every step therefore costs only what the runtime itself does: validate, decide,
// write the intent ahead (tool_calls + audit + steps), run the no-op handler, record the result (+ audit).
//
// Each run takes STEPS_PER_RUN tool steps and then `done`, so run setup is amortized. Per-step latency is the
// time from one decide() returning to the next decide() call of the same run (it covers one whole tool step,
// including the next step's lease renewal). Throughput is tool steps per wall-clock second, setup included.
//
// In the same process and on the same pool, a raw baseline measures plain single-statement INSERTs of an
// equivalent audit row into a table without trigger, at the same concurrency; half before and half after the
// runtime measurement, so drift in a noisy machine hits both. The ratio runtime steps/s ÷ raw inserts/s is the
// figure to track. A wrapped Db counts SQL round trips (BEGIN and COMMIT included) and times each statement.
//
// Environment: BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/test), BENCH_SECONDS (runtime
// measurement per scenario, default 5), BENCH_CONCURRENCY (default "1,32"), BENCH_DRIVERS (default "pglite,pg").
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { systemClock } from '../src/clock.ts';
import { createServices } from '../src/context.ts';
import { agentCreator } from '../src/runtime/agents.ts';
import { leaseReturning } from '../src/runtime/run/lease.ts';
import { Runtime } from '../src/runtime/runtime.ts';
import { defineTool, ToolRegistry } from '../src/runtime/tools.ts';
import type { ActionInput, Brain, BrainContext } from '../src/runtime/types.ts';
import type { Db, Queryable } from '../src/store/db.ts';
import { openTarget, poolBackends, type Target } from './db.ts';
import {
  type CpuDelta,
  cpuSince,
  cpuSnapshot,
  fmt,
  pct,
  round,
  type ScenarioResult,
  type Suite,
  sleep,
  summarize,
  table,
  verdict,
} from './stats.ts';

const STEPS_PER_RUN = 10;
const STEP_BUDGET = 25;
const SECONDS = positive(process.env.BENCH_SECONDS, 5);
const WARMUP_SECONDS = Math.max(1, SECONDS * 0.3);
const RAW_SECONDS = Math.max(1, SECONDS * 0.6); // split in two halves around the runtime measurement
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,32')
  .split(',')
  .map((s) => Number.parseInt(s, 10))
  .filter((n) => n > 0);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pglite,pg').split(',').map((s) => s.trim());

// Targets (PostgreSQL only).
const TARGET_P99_MS = 10;
const TARGET_P99_CONCURRENCY = 32;
const TARGET_RATIO = 0.5;
// Issue 25, against the step baseline (the same rows in two plain round trips), PostgreSQL, c=1 and c=32.
const TARGET_STEP_RATIO = 0.65;
const TARGET_CPU_RATIO = 1.5;
// Issue 25: a 50 ms brain at concurrency 32, step time − brain time (PostgreSQL).
const BRAIN_MS = positive(process.env.BENCH_BRAIN_MS, 50);
const BRAIN_CONCURRENCY = positive(process.env.BENCH_BRAIN_CONCURRENCY, 32);
const TARGET_OVERHEAD_P50_MS = 2;
/** The jittered brain beside the fixed one: decisions of 50 ms ± this share (BENCH_BRAIN_JITTER, default 0.2). */
const BRAIN_JITTER = Math.min(0.9, positive(process.env.BENCH_BRAIN_JITTER, 0.2));
const TARGET_OVERHEAD_P99_MS = 5;
const BREAKDOWN = process.env.BENCH_RUNTIME_BREAKDOWN === '1';

function nullableRound(v: number | null, decimals = 3): number | null {
  return v === null ? null : round(v, decimals);
}

function positive(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

// ---------------------------------------------------------------------------------------------------------
// A Db that counts round trips and times statements.

interface StatementStat {
  n: number;
  ms: number;
}

class Meter {
  roundTrips = 0;
  statements = 0;
  transactions = 0;
  /** When set, every round trip is appended (normalized SQL), for the per-step listing. */
  log: string[] | null = null;
  /** When set, time per statement kind (only meaningful at concurrency 1: pool waits are included). */
  stats: Map<string, StatementStat> | null = null;

  reset(): void {
    this.roundTrips = 0;
    this.statements = 0;
    this.transactions = 0;
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

const TX_OVERHEAD = 'BEGIN + COMMIT (+ pool connect, JS in the tx)';

function statementKey(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 84 ? `${s.slice(0, 83)}…` : s;
}

function meteredQueryable(q: Queryable, m: Meter, inner?: { ms: number }): Queryable {
  const run = async <T>(sql: string, call: () => Promise<T>): Promise<T> => {
    m.roundTrips++;
    m.statements++;
    // The meter's own CPU counts as the runtime's: name the statement only when a listing asks for it.
    if (!m.log && !m.stats && !inner) return call();
    const key = m.log || m.stats ? statementKey(sql) : '';
    m.log?.push(key);
    const t0 = performance.now();
    try {
      return await call();
    } finally {
      const ms = performance.now() - t0;
      if (inner) inner.ms += ms;
      m.time(key, ms);
    }
  };
  return {
    query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      return run(sql, () => q.query<T>(sql, params));
    },
    exec(sql: string): Promise<void> {
      return run(sql, () => q.exec(sql));
    },
  };
}

function meteredDb(db: Db, m: Meter): Db {
  const base = meteredQueryable(db, m);
  return {
    driver: db.driver,
    pglite: db.pglite,
    pool: db.pool,
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      m.transactions++;
      m.roundTrips += 2; // BEGIN and COMMIT (or ROLLBACK)
      m.log?.push('BEGIN');
      const inner = { ms: 0 };
      const t0 = performance.now();
      try {
        return await db.transaction((tx) => fn(meteredQueryable(tx, m, inner)));
      } finally {
        m.log?.push('COMMIT');
        m.time(TX_OVERHEAD, performance.now() - t0 - inner.ms);
      }
    },
    close: () => db.close(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The zero-latency brain: STEPS_PER_RUN tool calls, then done. It records the time between consecutive decide
// calls of each run (from one returning to the next being called).

class BenchBrain implements Brain {
  private readonly lastReturn = new Map<string, number>();
  samples: number[] = [];
  recording = false;
  onDecide: ((runId: string, stepsSoFar: number) => void) | null = null;

  /** A brain that thinks: each decision takes this long (the NeMo-style overhead scenario). */
  delayMs = 0;
  /** Spread of the decision time: uniform in delayMs × (1 ± jitter), as a model's latency varies. */
  jitter = 0;

  async decide(ctx: BrainContext): Promise<ActionInput> {
    const now = performance.now();
    if (this.delayMs > 0) {
      const ms = this.delayMs * (1 + this.jitter * (2 * Math.random() - 1));
      await new Promise((r) => setTimeout(r, ms));
    }
    const prev = this.lastReturn.get(ctx.run.id);
    if (prev !== undefined && this.recording) this.samples.push(now - prev);
    this.onDecide?.(ctx.run.id, ctx.history.length);
    if (ctx.history.length >= STEPS_PER_RUN) {
      this.lastReturn.delete(ctx.run.id);
      return { type: 'done', outcome: 'bench finished' };
    }
    this.lastReturn.set(ctx.run.id, performance.now());
    return { type: 'tool', name: 'lookup', args: { q: `record-${ctx.history.length + 1}` } };
  }
}

const tools = new ToolRegistry([
  defineTool({
    name: 'lookup',
    description: 'Reads a record (no-op)',
    risk: 'read',
    input: z.object({ q: z.string() }).strict(),
    handler: async () => ({ ok: true }),
  }),
]);

// ---------------------------------------------------------------------------------------------------------
// Workloads.

interface Harness {
  driver: 'pglite' | 'pg';
  /** Whether the PostgreSQL server runs on this machine (its processes' CPU time can be read). */
  localServer: boolean;
  poolMax: number;
  db: Db; // metered
  raw: Db; // unmetered, same pool / instance
  meter: Meter;
  brain: BenchBrain;
  runtime: Runtime;
  agentId: string;
  agentName: string;
}

async function driveRuns(h: Harness, concurrency: number, seconds: number) {
  const server = await serverProcesses(h);
  const deadline = performance.now() + seconds * 1000;
  let runs = 0;
  const cpu0 = cpuSnapshot({ postgres: server });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const run = await h.runtime.startRun(h.agentId, { type: 'bench' });
        if (run.status !== 'done' || run.stepsUsed !== STEPS_PER_RUN + 1)
          throw new Error(
            `bench run ${run.id} ended ${run.status} (${run.outcome ?? 'no outcome'}) after ${run.stepsUsed} steps`,
          );
        runs++;
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { runs, steps: runs * STEPS_PER_RUN, wallMs, cpu: cpuSince(cpu0) };
}

const RAW_INSERT = `INSERT INTO bench_raw_audit (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`;

/** A payload like the runtime's `tool.intent` event for this tool (the bigger of the two events per step). */
function intentPayload(runId: string): string {
  return JSON.stringify({
    args: { q: 'record-10' },
    decision: 'execute',
    idempotencyKey: `${runId}:10`,
    risk: 'read',
    tool: 'lookup',
  });
}

async function rawInserts(h: Harness, concurrency: number, seconds: number) {
  const server = await serverProcesses(h);
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const cpu0 = cpuSnapshot({ postgres: server });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const runId = randomUUID();
      const stream = `run:${runId}`;
      const payload = intentPayload(runId);
      const prev = randomBytes(32).toString('hex');
      const hash = randomBytes(32).toString('hex');
      let seq = 0;
      while (performance.now() < deadline) {
        const s = performance.now();
        await h.raw.query(RAW_INSERT, [
          stream,
          ++seq,
          new Date(),
          `agent:${h.agentName}`,
          'tool.intent',
          stream,
          payload,
          prev,
          hash,
        ]);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { n: latencies.length, wallMs, latencies, cpu: cpuSince(cpu0) };
}

// The step baseline (issue 25): exactly the rows one tool step writes, as plain statements in two round trips, into
// copies of the tables with their columns, defaults, CHECKs and primary key but no trigger, no foreign key and no
// other index. Round trip 1, the intent: the tool call, the step, the `tool.intent` audit event with its chain (prev
// hash and SHA-256 computed here, the stream's head row moved); round trip 2, the outcome: the call's and the
// step's result, the `tool.succeeded` event and its head. Each client is one run's stream, a new one every
// STEPS_PER_RUN steps (the head row inserted once per run, like a run's first event).

const BASELINE_TABLES = ['tool_calls', 'steps', 'audit_events', 'audit_heads'];

async function createBaselineTables(db: Db): Promise<void> {
  for (const t of BASELINE_TABLES) {
    await db.exec(`CREATE TABLE bench_raw_${t} (LIKE ${t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  }
  await db.exec(`ALTER TABLE bench_raw_tool_calls ADD PRIMARY KEY (id);
    ALTER TABLE bench_raw_steps ADD PRIMARY KEY (run_id, idx);
    ALTER TABLE bench_raw_audit_events ADD PRIMARY KEY (id);
    ALTER TABLE bench_raw_audit_heads ADD PRIMARY KEY (stream)`);
}

/**
 * The baseline's two statements. `plain` is the baseline; the other variants put back, one at a time, what the
 * runtime's tables add to the same rows (BENCH_RUNTIME_BREAKDOWN=1 measures them): `chain`, the real audit_events
 * (the insert trigger that checks and moves the head, its four indexes); `tables`, also the real tool_calls and steps
 * (foreign keys to runs, their unique keys; a runs row written per run).
 */
type BaselineVariant = 'plain' | 'chain' | 'tables' | 'lease';

function baselineSql(v: BaselineVariant): { intent: string; outcome: string } {
  const real = v === 'tables' || v === 'lease';
  const tc = real ? 'tool_calls' : 'bench_raw_tool_calls';
  const st = real ? 'steps' : 'bench_raw_steps';
  const au = v === 'plain' ? 'bench_raw_audit_events' : 'audit_events';
  const intentHead =
    v === 'plain'
      ? `,
  hd AS (INSERT INTO bench_raw_audit_heads (stream, seq, hash) VALUES ($7, $12, $11)
    ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash)`
      : '';
  return {
    intent: `WITH tc AS (INSERT INTO ${tc} (run_id, step_idx, tool, args, risk, decision, status, idempotency_key, created_at)
    VALUES ($1, $2, 'lookup', $3, 'read', 'execute', 'executing', $4, $5) RETURNING id),
  st AS (INSERT INTO ${st} (run_id, idx, action, decision, created_at) VALUES ($1, $2, $6, 'execute', $5)),
  au AS (INSERT INTO ${au} (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
    VALUES ($7, $12, $5, $8, 'tool.intent', $7, $9, $10, $11))${intentHead}
SELECT id FROM tc`,
    outcome: `WITH tc AS (UPDATE ${tc} SET status = 'succeeded', result = $2, completed_at = $3 WHERE id = $1),
  st AS (UPDATE ${st} SET result = $2 WHERE run_id = $4 AND idx = $5)
${
  v === 'plain'
    ? `, au AS (INSERT INTO bench_raw_audit_events (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
    VALUES ($6, $7, $3, $8, 'tool.succeeded', $6, $9, $10, $11))
UPDATE bench_raw_audit_heads SET seq = $7, hash = $11 WHERE stream = $6`
    : v === 'lease'
      ? // The runtime's outcome statement: the run's step count and lease move with it, and it reads what the next
        // step starts from (the agent's status, the kill switch, an open call).
        `, au AS (INSERT INTO audit_events (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
    VALUES ($6, $7, $3, $8, 'tool.succeeded', $6, $9, $10, $11))
UPDATE runs r SET steps_used = GREATEST(r.steps_used, $5), updated_at = $3,
  lease_until = CASE WHEN r.lease_owner = 'bench' AND r.status = 'running' THEN $3::timestamptz + interval '30 seconds' ELSE r.lease_until END
FROM agents a WHERE r.id = $4 AND a.id = r.agent_id
${leaseReturning(undefined, '$1::uuid')}`
      : `INSERT INTO audit_events (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
    VALUES ($6, $7, $3, $8, 'tool.succeeded', $6, $9, $10, $11)`
}`,
  };
}

function chainLink(prev: string, fields: Record<string, unknown>): string {
  return createHash('sha256').update(prev).update(JSON.stringify(fields)).digest('hex');
}

/** A brain for the step baseline: it sleeps like BenchBrain before each step and records the step's time after it. */
interface BaselineBrain {
  ms: number;
  jitter: number;
  samples: number[];
}

async function baselineSteps(
  h: Harness,
  concurrency: number,
  seconds: number,
  variant: BaselineVariant = 'plain',
  brain?: BaselineBrain,
) {
  const sql = baselineSql(variant);
  const server = await serverProcesses(h);
  const deadline = performance.now() + seconds * 1000;
  let steps = 0;
  const cpu0 = cpuSnapshot({ postgres: server });
  const t0 = performance.now();
  const actor = `agent:${h.agentName}`;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        let runId: string = randomUUID();
        if (variant === 'tables' || variant === 'lease') {
          const [run] = await h.raw.query<{ id: string }>(
            variant === 'tables'
              ? `INSERT INTO runs (agent_id, status, trigger, budget, mode) VALUES ($1, 'done', '{}', $2, 'production') RETURNING id`
              : `INSERT INTO runs (agent_id, status, trigger, budget, mode, lease_owner, lease_until)
                 VALUES ($1, 'running', '{}', $2, 'production', 'bench', now() + interval '30 seconds') RETURNING id`,
            [h.agentId, STEP_BUDGET],
          );
          runId = run!.id;
        }
        const stream = `run:${runId}`;
        let head = '0'.repeat(64);
        let seq = 0;
        for (let idx = 1; idx <= STEPS_PER_RUN && performance.now() < deadline; idx++) {
          if (brain) await sleep(brain.ms * (1 + brain.jitter * (2 * Math.random() - 1)));
          const stepStart = performance.now();
          const args = { q: `record-${idx}` };
          const key = `${runId}:${idx}`;
          const at = new Date();
          const intent = { tool: 'lookup', risk: 'read', decision: 'execute', args, idempotencyKey: key };
          const intentHash = chainLink(head, {
            stream,
            seq: seq + 1,
            at,
            actor,
            action: 'tool.intent',
            intent,
          });
          const [tc] = await h.raw.query<{ id: string }>(sql.intent, [
            runId,
            idx,
            JSON.stringify(args),
            key,
            at,
            JSON.stringify({ type: 'tool', name: 'lookup', args }),
            stream,
            actor,
            JSON.stringify(intent),
            head,
            intentHash,
            seq + 1,
          ]);
          seq += 1;
          head = intentHash;
          const done = new Date();
          const outcome = { tool: 'lookup', idempotencyKey: key };
          const outcomeHash = chainLink(head, {
            stream,
            seq: seq + 1,
            at: done,
            actor,
            action: 'tool.succeeded',
            outcome,
          });
          await h.raw.query(sql.outcome, [
            tc!.id,
            JSON.stringify({ ok: true }),
            done,
            runId,
            idx,
            stream,
            seq + 1,
            actor,
            JSON.stringify(outcome),
            head,
            outcomeHash,
          ]);
          seq += 1;
          head = outcomeHash;
          steps++;
          brain?.samples.push(performance.now() - stepStart);
        }
        if (variant === 'lease')
          await h.raw.query(
            `UPDATE runs SET status = 'done', outcome = 'bench finished', lease_owner = NULL, lease_until = NULL
             WHERE id = $1`,
            [runId],
          );
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { steps, wallMs, cpu: cpuSince(cpu0) };
}

/** The PostgreSQL server's WAL insert position in bytes (null on PGlite). */
async function walBytes(h: Harness): Promise<number | null> {
  if (h.driver !== 'pg') return null;
  const [row] = await h.raw.query<{ b: string }>(
    `SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::text AS b`,
  );
  return Number(row!.b);
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

/** One run at concurrency 1 with every round trip logged: what exactly one tool step costs. */
async function probeRoundTrips(h: Harness) {
  const marks = new Map<number, number>();
  const log: string[] = [];
  h.meter.log = log;
  h.brain.onDecide = (_runId, stepsSoFar) => marks.set(stepsSoFar, log.length);
  try {
    await h.runtime.startRun(h.agentId, { type: 'bench' });
  } finally {
    h.meter.log = null;
    h.brain.onDecide = null;
  }
  // Tool step k runs between the decide calls that saw k-1 and k steps of history.
  const perStep: string[][] = [];
  for (let k = 1; k <= STEPS_PER_RUN; k++) perStep.push(log.slice(marks.get(k - 1)!, marks.get(k)!));
  const counts = perStep.map((s) => s.length);
  const middle = perStep[Math.floor(STEPS_PER_RUN / 2)]!;
  return {
    perRun: log.length,
    perToolStep: middle.length,
    uniform: counts.every((c) => c === middle.length),
    counts,
    statements: middle,
    beforeFirstStep: marks.get(0)!,
    afterLastStep: log.length - marks.get(STEPS_PER_RUN)!,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Databases.

async function buildHarness(target: Target): Promise<Harness> {
  await target.db.exec(`CREATE TABLE bench_raw_audit (
    id bigserial PRIMARY KEY,
    stream text NOT NULL,
    seq int NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    payload jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  )`);
  await createBaselineTables(target.db);
  const meter = new Meter();
  const db = meteredDb(target.db, meter);
  const svc = createServices(db, systemClock);
  const brain = new BenchBrain();
  const runtime = new Runtime(svc, {
    brainFor: () => brain,
    toolsFor: () => tools,
    modeFor: async () => 'production',
  });
  const agent = await agentCreator(svc, 'user:bench@example.com', {
    kind: 'custom',
    name: `bench-${randomBytes(4).toString('hex')}`,
    stepBudget: STEP_BUDGET,
    alwaysHumanTopics: [],
    pilotPercent: 0,
  });
  return {
    driver: target.driver,
    localServer: target.driver === 'pg' && target.local,
    poolMax: target.poolMax,
    db,
    raw: target.db,
    meter,
    brain,
    runtime,
    agentId: agent.id,
    agentName: agent.name,
  };
}

/**
 * The PostgreSQL processes whose CPU time counts: this pool's backends (every pooled connection is checked out
 * once to learn its pid) plus the server's auxiliary processes. Null when the server is not on this machine.
 */
async function serverProcesses(h: Harness): Promise<{ backends: ReadonlySet<number> } | undefined> {
  return h.localServer ? poolBackends(h.raw, h.poolMax) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The suite.

interface Row {
  result: ScenarioResult;
  cells: (string | number)[];
  cpuCells: (string | number)[];
  stepCells: (string | number)[];
}

function addCpu(a: CpuDelta, b: CpuDelta): CpuDelta {
  const sum = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  const busy =
    a.machineBusy === null || b.machineBusy === null
      ? null
      : (a.machineBusy * a.wallMs + b.machineBusy * b.wallMs) / (a.wallMs + b.wallMs);
  return {
    wallMs: a.wallMs + b.wallMs,
    nodeMs: a.nodeMs + b.nodeMs,
    postgresMs: sum(a.postgresMs, b.postgresMs),
    machineBusy: busy,
  };
}

const stepsPerSecOf = (r: { steps: number; wallMs: number }) => r.steps / (r.wallMs / 1000);
const per = (v: number | null, n: number) => (v === null || n === 0 ? null : v / n);

async function measureScenario(h: Harness, concurrency: number): Promise<{ row: Row; breakdown: string }> {
  const name = `${h.driver} c=${concurrency}`;
  process.stdout.write(`${name}: warm-up…`);
  await driveRuns(h, concurrency, WARMUP_SECONDS);
  await rawInserts(h, concurrency, 0.5);
  await baselineSteps(h, concurrency, 0.5);

  process.stdout.write(' raw…');
  const rawA = await rawInserts(h, concurrency, RAW_SECONDS / 2);
  let wal0 = await walBytes(h);
  const baseA = await baselineSteps(h, concurrency, RAW_SECONDS / 2);
  let baseWal = diff(await walBytes(h), wal0);

  process.stdout.write(' runtime…');
  h.meter.reset();
  h.meter.stats = concurrency === 1 ? new Map() : null;
  h.brain.samples = [];
  h.brain.recording = true;
  wal0 = await walBytes(h);
  const rt = await driveRuns(h, concurrency, SECONDS);
  const rtWal = diff(await walBytes(h), wal0);
  h.brain.recording = false;
  const roundTrips = h.meter.roundTrips;
  const stats = h.meter.stats;
  h.meter.stats = null;

  process.stdout.write(' raw…');
  wal0 = await walBytes(h);
  const baseB = await baselineSteps(h, concurrency, RAW_SECONDS / 2);
  baseWal = sum(baseWal, diff(await walBytes(h), wal0));
  const rawB = await rawInserts(h, concurrency, RAW_SECONDS / 2);
  process.stdout.write(' done\n');
  const baseSteps = baseA.steps + baseB.steps;
  const baseCpu = addCpu(baseA.cpu, baseB.cpu);
  const basePerSec = baseSteps / ((baseA.wallMs + baseB.wallMs) / 1000);
  const stepRatio = stepsPerSecOf(rt) / basePerSec;
  const cpuOf = (c: CpuDelta, n: number) =>
    c.postgresMs === null && h.driver === 'pg' ? null : (c.nodeMs + (c.postgresMs ?? 0)) / n;
  const rtCpuPerStep = cpuOf(rt.cpu, rt.steps);
  const baseCpuPerStep = cpuOf(baseCpu, baseSteps);
  const cpuRatio = rtCpuPerStep === null || baseCpuPerStep === null ? null : rtCpuPerStep / baseCpuPerStep;

  const lat = summarize(h.brain.samples);
  const stepsPerSec = stepsPerSecOf(rt);
  const rawLat = summarize([...rawA.latencies, ...rawB.latencies]);
  const rawPerSec = (rawA.n + rawB.n) / ((rawA.wallMs + rawB.wallMs) / 1000);
  const ratio = stepsPerSec / rawPerSec;
  const rawCpu = addCpu(rawA.cpu, rawB.cpu);
  const rawN = rawA.n + rawB.n;
  const rtPerStep = roundTrips / rt.steps;
  const isPg = h.driver === 'pg';
  const p99Target = isPg && concurrency === TARGET_P99_CONCURRENCY ? verdict(lat.p99 <= TARGET_P99_MS) : null;
  const ratioTarget = isPg ? verdict(ratio >= TARGET_RATIO) : null;

  let breakdown = '';
  if (stats) {
    const wall = rt.wallMs;
    const rows = [...stats.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([key, s]) => [key, s.n / rt.steps, s.ms / s.n, s.ms / rt.steps, pct(s.ms / wall)]);
    breakdown = `Where the time goes (${name}, per tool step, setup amortized; wall ${fmt(wall / rt.steps)} ms/step):\n${table(
      ['statement', 'calls/step', 'mean ms', 'ms/step', 'of wall'],
      rows,
    )}`;
  }

  const result: ScenarioResult = {
    suite: 'runtime',
    scenario: name,
    driver: h.driver,
    concurrency,
    stepsPerRun: STEPS_PER_RUN,
    runs: rt.runs,
    steps: rt.steps,
    seconds: round(rt.wallMs / 1000, 2),
    stepsPerSec: round(stepsPerSec, 1),
    p50Ms: round(lat.p50),
    p90Ms: round(lat.p90),
    p99Ms: round(lat.p99),
    maxMs: round(lat.max),
    rawInserts: rawA.n + rawB.n,
    rawInsertsPerSec: round(rawPerSec, 1),
    rawP50Ms: round(rawLat.p50),
    rawP99Ms: round(rawLat.p99),
    ratio: round(ratio, 4),
    roundTripsPerStep: round(rtPerStep, 2),
    targetP99: p99Target,
    targetRatio: ratioTarget,
    nodeCpuMsPerStep: nullableRound(per(rt.cpu.nodeMs, rt.steps)),
    pgCpuMsPerStep: nullableRound(per(rt.cpu.postgresMs, rt.steps)),
    rawNodeCpuMsPerInsert: nullableRound(per(rawCpu.nodeMs, rawN)),
    rawPgCpuMsPerInsert: nullableRound(per(rawCpu.postgresMs, rawN)),
    machineBusy: nullableRound(rt.cpu.machineBusy, 2),
    baselineSteps: baseSteps,
    baselineStepsPerSec: round(basePerSec, 1),
    stepRatio: round(stepRatio, 4),
    cpuMsPerStep: nullableRound(rtCpuPerStep),
    baselineCpuMsPerStep: nullableRound(baseCpuPerStep),
    baselineNodeCpuMsPerStep: nullableRound(per(baseCpu.nodeMs, baseSteps)),
    baselinePgCpuMsPerStep: nullableRound(per(baseCpu.postgresMs, baseSteps)),
    cpuRatio: nullableRound(cpuRatio),
    walBytesPerStep: nullableRound(per(rtWal, rt.steps), 0),
    baselineWalBytesPerStep: nullableRound(per(baseWal, baseSteps), 0),
    targetStepRatio: isPg ? verdict(stepRatio >= TARGET_STEP_RATIO) : null,
    targetCpuRatio: isPg
      ? cpuRatio === null
        ? 'not measured'
        : verdict(cpuRatio <= TARGET_CPU_RATIO)
      : null,
  };
  const busyPct = (v: number | null) => fmt(v === null ? null : v * 100, 0);
  const cpuCells = [
    name,
    fmt(per(rt.cpu.nodeMs, rt.steps)),
    fmt(per(rt.cpu.postgresMs, rt.steps)),
    fmt(per(rt.cpu.nodeMs + (rt.cpu.postgresMs ?? 0), rt.wallMs / 1000)),
    busyPct(rt.cpu.machineBusy),
    fmt(per(rawCpu.nodeMs, rawN)),
    fmt(per(rawCpu.postgresMs, rawN)),
    busyPct(rawCpu.machineBusy),
  ];
  const stepCells = [
    name,
    stepsPerSec,
    basePerSec,
    pct(stepRatio),
    fmt(per(rt.cpu.nodeMs, rt.steps)),
    fmt(per(rt.cpu.postgresMs, rt.steps)),
    fmt(per(baseCpu.nodeMs, baseSteps)),
    fmt(per(baseCpu.postgresMs, baseSteps)),
    cpuRatio === null ? '-' : `${fmt(cpuRatio, 2)}×`,
    fmt(per(rtWal, rt.steps), 0),
    fmt(per(baseWal, baseSteps), 0),
  ];
  const cells = [
    name,
    rt.steps,
    stepsPerSec,
    lat.p50,
    lat.p99,
    rawPerSec,
    rawLat.p50,
    rawLat.p99,
    pct(ratio),
    fmt(rtPerStep, 1),
  ];
  return { row: { result, cells, cpuCells, stepCells }, breakdown };
}

/**
 * The overhead NeMo Guardrails reports (p50 12.3 / p99 27.0 ms per call at concurrency 32 with mock LLMs): a brain
 * that takes BRAIN_MS per decision, BRAIN_CONCURRENCY runs at once. The figure is a tool step's time minus the brain's:
 * from one decide() returning to the next decide() of the same run (intent, no-op tool, outcome and lease renewal).
 */
async function measureBrainScenario(h: Harness, jitter = 0): Promise<ScenarioResult> {
  const name = `${h.driver} brain ${BRAIN_MS}${jitter ? ` ± ${Math.round(jitter * 100)}%` : ''} ms c=${BRAIN_CONCURRENCY}`;
  process.stdout.write(`${name}: warm-up…`);
  h.brain.delayMs = BRAIN_MS;
  h.brain.jitter = jitter;
  try {
    await driveRuns(h, BRAIN_CONCURRENCY, WARMUP_SECONDS);
    process.stdout.write(' runtime…');
    h.brain.samples = [];
    h.brain.recording = true;
    const rt = await driveRuns(h, BRAIN_CONCURRENCY, Math.max(SECONDS, 3));
    h.brain.recording = false;
    // The step baseline under the same brain and concurrency: what the rows alone cost when the decisions arrive
    // together, on this machine (the floor the runtime's overhead is read against).
    process.stdout.write(' step baseline…');
    const baseBrain: BaselineBrain = { ms: BRAIN_MS, jitter, samples: [] };
    await baselineSteps(h, BRAIN_CONCURRENCY, Math.max(SECONDS, 3), 'plain', baseBrain);
    process.stdout.write(' done\n');
    const lat = summarize(h.brain.samples);
    const base = summarize(baseBrain.samples);
    const isPg = h.driver === 'pg';
    return {
      suite: 'runtime',
      scenario: name,
      driver: h.driver,
      concurrency: BRAIN_CONCURRENCY,
      brainMs: BRAIN_MS,
      steps: rt.steps,
      stepsPerSec: round(stepsPerSecOf(rt), 1),
      overheadP50Ms: round(lat.p50),
      overheadP90Ms: round(lat.p90),
      overheadP99Ms: round(lat.p99),
      overheadMaxMs: round(lat.max),
      baselineOverheadP50Ms: round(base.p50),
      baselineOverheadP99Ms: round(base.p99),
      cpuMsPerStep: nullableRound(per(rt.cpu.nodeMs + (rt.cpu.postgresMs ?? 0), rt.steps)),
      machineBusy: nullableRound(rt.cpu.machineBusy, 2),
      // The target is read on the fixed 50 ms brain; the jittered one is shown beside it.
      targetOverheadP50: isPg && !jitter ? verdict(lat.p50 <= TARGET_OVERHEAD_P50_MS) : null,
      targetOverheadP99: isPg && !jitter ? verdict(lat.p99 <= TARGET_OVERHEAD_P99_MS) : null,
    };
  } finally {
    h.brain.delayMs = 0;
    h.brain.jitter = 0;
    h.brain.recording = false;
  }
}

/** BENCH_RUNTIME_BREAKDOWN=1: the step baseline with the runtime's tables put back, to see what each one costs. */
async function measureBaselineVariants(h: Harness): Promise<(string | number)[][]> {
  const c = Math.max(...CONCURRENCIES);
  const variants: BaselineVariant[] = ['plain', 'chain', 'tables', 'lease'];
  const sums = new Map(variants.map((v) => [v, { steps: 0, wallMs: 0, nodeMs: 0, pgMs: 0 }]));
  process.stdout.write(`baseline variants c=${c}:`);
  for (let round = 0; round < 2; round++)
    for (const v of variants) {
      process.stdout.write(` ${v}…`);
      const r = await baselineSteps(h, c, SECONDS / 2, v);
      const sum = sums.get(v)!;
      sum.steps += r.steps;
      sum.wallMs += r.wallMs;
      sum.nodeMs += r.cpu.nodeMs;
      sum.pgMs += r.cpu.postgresMs ?? Number.NaN;
    }
  process.stdout.write(' done\n');
  const plainPg = sums.get('plain')!.pgMs / sums.get('plain')!.steps;
  return variants.map((v) => {
    const x = sums.get(v)!;
    return [
      v,
      x.steps / (x.wallMs / 1000),
      fmt(x.nodeMs / x.steps),
      fmt(x.pgMs / x.steps),
      `+${fmt(x.pgMs / x.steps - plainPg)}`,
    ];
  });
}

async function runSuite(): Promise<ScenarioResult[]> {
  console.log(
    `${STEPS_PER_RUN} no-op read-tool steps per run (+ done), step budget ${STEP_BUDGET}; ` +
      `warm-up ${fmt(WARMUP_SECONDS)} s, runtime ${fmt(SECONDS)} s, raw baseline ${fmt(RAW_SECONDS)} s per scenario; ` +
      `concurrency ${CONCURRENCIES.join(', ')}\n`,
  );
  const rows: Row[] = [];
  const breakdowns: string[] = [];
  const probes: string[] = [];
  const probeFigures = new Map<string, number>();
  const brainRows: ScenarioResult[] = [];
  const breakdownRows: (string | number)[][] = [];
  for (const driver of DRIVERS) {
    if (driver !== 'pglite' && driver !== 'pg') {
      console.log(`unknown driver ${driver} in BENCH_DRIVERS (pglite, pg): skipped`);
      continue;
    }
    const target = await openTarget(driver, 'bench', Math.max(...CONCURRENCIES, 2));
    if (!target) continue;
    try {
      const h = await buildHarness(target);
      let probed = false;
      for (const c of CONCURRENCIES) {
        const { row, breakdown } = await measureScenario(h, c);
        if (!probed) {
          // After the first warm-up, so caches (audit heads, plans) are in their steady state.
          const p = await probeRoundTrips(h);
          probed = true;
          probeFigures.set(driver, p.perToolStep);
          probes.push(
            `Round trips (${driver}): one tool step = ${p.perToolStep} round trips` +
              `${p.uniform ? '' : ` (steps differ: ${p.counts.join(', ')})`}; one run of ${STEPS_PER_RUN} steps = ${p.perRun} ` +
              `(${p.beforeFirstStep} before the first decide, ${p.afterLastStep} for done + release), ` +
              `${fmt(p.perRun / STEPS_PER_RUN, 1)} per step amortized. If a round trip cost what one raw insert costs, ` +
              `the ratio could reach at most 1/${fmt(p.perRun / STEPS_PER_RUN, 1)} = ${pct(STEPS_PER_RUN / p.perRun)}; ` +
              `${pct(TARGET_RATIO)} needs ≤ ${fmt(1 / TARGET_RATIO, 0)} round trips per step.\n` +
              p.statements.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s}`).join('\n'),
          );
        }
        row.result.roundTripsPerToolStep = probeFigures.get(driver) ?? null;
        rows.push(row);
        if (breakdown) breakdowns.push(breakdown);
      }
      brainRows.push(await measureBrainScenario(h));
      brainRows.push(await measureBrainScenario(h, BRAIN_JITTER));
      if (BREAKDOWN && h.driver === 'pg') breakdownRows.push(...(await measureBaselineVariants(h)));
    } finally {
      await target.cleanup();
    }
  }

  console.log('');
  console.log(
    table(
      [
        'scenario',
        'steps',
        'steps/s',
        'p50 ms',
        'p99 ms',
        'raw ins/s',
        'raw p50',
        'raw p99',
        'ratio',
        'rt/step',
      ],
      rows.map((r) => r.cells),
    ),
  );
  console.log(
    '\nsteps/s: tool steps per wall second, run setup and done included; p50/p99: per tool step (decide → next decide);' +
      '\nraw: single-statement INSERT of an equivalent audit row, no trigger, same driver and concurrency;' +
      '\nratio: runtime steps/s ÷ raw inserts/s; rt/step: SQL round trips per step (BEGIN/COMMIT included), amortized.',
  );

  console.log('');
  console.log(
    table(
      [
        'CPU',
        'node ms/step',
        'pg ms/step',
        'cpu ms/s',
        'machine %',
        'node ms/insert',
        'pg ms/insert',
        'machine %',
      ],
      rows.map((r) => r.cpuCells),
    ),
  );
  console.log(
    "node: this process (PGlite runs inside it); pg: the pool's backends + the server's auxiliary processes;" +
      '\ncpu ms/s: node + pg CPU ms per wall second in the runtime phase (2000 = both cores of this machine);' +
      '\nmachine %: all cores, all tenants. Left: runtime phase; right: raw baseline.',
  );

  console.log('');
  console.log(
    table(
      [
        'step baseline',
        'steps/s',
        'base steps/s',
        'ratio',
        'node ms/step',
        'pg ms/step',
        'base node ms',
        'base pg ms',
        'CPU ×',
        'WAL B/step',
        'base WAL B',
      ],
      rows.map((r) => r.stepCells),
    ),
  );
  console.log(
    'base: the rows one tool step writes (tool call, step, two audit events with their chain and head, the result' +
      '\nupdate) as plain statements in two round trips, into copies of the tables without trigger, foreign key or' +
      '\nsecondary index; ratio: runtime steps/s ÷ base steps/s; CPU ×: (node + pg) per runtime step ÷ per base step;' +
      "\nWAL B/step: bytes of write-ahead log per step (the server's insert position before and after each phase: all" +
      '\nits databases; unlike time, it does not depend on how busy the machine is).',
  );

  console.log('');
  console.log(
    table(
      [
        'brain scenario',
        'steps/s',
        'overhead p50',
        'p90',
        'p99',
        'max',
        'cpu ms/step',
        'machine %',
        'baseline p50',
        'p99',
      ],
      brainRows.map((b) => [
        String(b.scenario),
        b.stepsPerSec as number,
        b.overheadP50Ms as number,
        b.overheadP90Ms as number,
        b.overheadP99Ms as number,
        b.overheadMaxMs as number,
        fmt(b.cpuMsPerStep as number | null),
        fmt(b.machineBusy === null ? null : (b.machineBusy as number) * 100, 0),
        b.baselineOverheadP50Ms as number,
        b.baselineOverheadP99Ms as number,
      ]),
    ),
  );
  console.log(
    `overhead: a tool step's time minus the brain's (${BRAIN_MS} ms per decision), ms, from decide() returning to the` +
      '\nnext decide() of the same run: the write-ahead intent, the no-op tool, the outcome and the lease renewal. With a' +
      '\nfixed 50 ms the runs stay in step and their statements arrive together; ± jitter spreads them as real model' +
      "\nlatencies do (shown beside; the target is read on the fixed brain). baseline: the step baseline's two" +
      '\nstatements under the same brain and concurrency (its step time after the brain), what the rows alone cost here.',
  );

  if (breakdownRows.length) {
    console.log('');
    console.log(
      table(
        [
          `what the tables add (c=${Math.max(...CONCURRENCIES)})`,
          'steps/s',
          'node ms/step',
          'pg ms/step',
          'pg ms vs plain',
        ],
        breakdownRows,
      ),
    );
    console.log(
      'plain: the step baseline; chain: its audit rows go to the real audit_events (the trigger that checks and moves' +
        '\nthe head, four indexes); tables: also the real tool_calls and steps (foreign keys to runs, unique keys, a runs' +
        '\nrow per run); lease: also the run updated by the outcome statement as the runtime does (step count, lease,' +
        "\nthe next step's reads: agent status, kill switch, open call) and ended once per run. What the runtime" +
        "\nspends above lease is its own: the run's start and end statements, and the work in Node.",
    );
  }

  const targetRows: (string | number)[][] = [];
  for (const b of brainRows) {
    if (b.targetOverheadP50)
      targetRows.push([
        String(b.scenario),
        'step − brain, p50',
        `${fmt(b.overheadP50Ms as number)} ms`,
        `≤ ${TARGET_OVERHEAD_P50_MS} ms`,
        String(b.targetOverheadP50),
      ]);
    if (b.targetOverheadP99)
      targetRows.push([
        String(b.scenario),
        'step − brain, p99',
        `${fmt(b.overheadP99Ms as number)} ms`,
        `≤ ${TARGET_OVERHEAD_P99_MS} ms`,
        String(b.targetOverheadP99),
      ]);
  }
  for (const r of rows) {
    const res = r.result;
    if (res.targetStepRatio)
      targetRows.push([
        res.scenario,
        'steps/s ÷ step baseline',
        pct(res.stepRatio as number),
        `≥ ${pct(TARGET_STEP_RATIO)}`,
        String(res.targetStepRatio),
      ]);
    if (res.targetCpuRatio)
      targetRows.push([
        res.scenario,
        'CPU/step ÷ step baseline',
        res.cpuRatio === null ? '-' : `${fmt(res.cpuRatio as number, 2)}×`,
        `≤ ${fmt(TARGET_CPU_RATIO, 1)}×`,
        String(res.targetCpuRatio),
      ]);
    if (res.targetP99)
      targetRows.push([
        res.scenario,
        'p99 per step',
        `${fmt(res.p99Ms as number)} ms`,
        `≤ ${TARGET_P99_MS} ms`,
        String(res.targetP99),
      ]);
    if (res.targetRatio)
      targetRows.push([
        res.scenario,
        'steps/s ÷ raw inserts/s',
        pct(res.ratio as number),
        `≥ ${pct(TARGET_RATIO)}`,
        String(res.targetRatio),
      ]);
  }
  console.log('');
  if (targetRows.length)
    console.log(table(['targets (PostgreSQL)', 'figure', 'measured', 'target', ''], targetRows));
  else console.log('targets (PostgreSQL): not evaluated (no pg scenario ran)');

  for (const p of probes) console.log(`\n${p}`);
  for (const b of breakdowns) console.log(`\n${b}`);
  return [...rows.map((r) => r.result), ...brainRows];
}

export const suite: Suite = {
  name: 'runtime',
  description: 'per-step overhead of policy + audit (zero-latency brain, no-op read tool)',
  run: runSuite,
};
