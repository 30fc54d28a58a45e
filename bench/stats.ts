// Small helpers shared by the bench suites: percentiles over latency samples, number formatting, a plain-text
// table, CPU accounting (this process, local PostgreSQL processes, the whole machine), and the shape of one
// scenario's machine-readable result (printed as a `BENCH {json}` line).
import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One measured scenario. Flat figures only, so the BENCH line stays easy to grep and diff. */
export interface ScenarioResult {
  suite: string;
  scenario: string;
  [figure: string]: string | number | boolean | null;
}

export interface Suite {
  name: string;
  description: string;
  /** Runs the suite, prints its human-readable tables, and returns one result per scenario. */
  run(): Promise<ScenarioResult[]>;
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentile by linear interpolation between closest ranks; `sorted` must be ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  return {
    n,
    mean: n ? sum / n : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n ? sorted[n - 1]! : Number.NaN,
  };
}

/** A number with a sensible precision for a table cell: 12 345, 123, 12.3, 1.23, 0.123. */
export function fmt(v: number | null | undefined, digits?: number): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (digits !== undefined) return v.toFixed(digits);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export function pct(ratio: number): string {
  return Number.isNaN(ratio) ? '-' : `${(ratio * 100).toFixed(0)}%`;
}

export function verdict(pass: boolean): 'PASS' | 'MISS' {
  return pass ? 'PASS' : 'MISS';
}

/** Rounds to a few significant decimals so BENCH lines stay short. */
export function round(v: number, decimals = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? (c ?? '').padEnd(widths[i]!) : (c ?? '').padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

export function benchLine(result: ScenarioResult): string {
  return `BENCH ${JSON.stringify(result)}`;
}

let gc: (() => void) | null = null;

/**
 * This isolate's V8 heap plus what lives outside it (array buffers: most of a trained engine), after a full GC, in
 * bytes. The first call exposes V8's gc().
 */
export function liveBytes(): number {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------
// CPU accounting. Linux /proc only; figures are null where unavailable. The PostgreSQL figure sums every local
// process named `postgres` that is either one of the given backends or an auxiliary process (WAL writer,
// checkpointer, autovacuum: shared work the writes cause); other sessions' backends are left out.

const CLK_TCK_MS = 10; // USER_HZ is 100 on every mainstream Linux build

export interface CpuSnapshot {
  at: number;
  nodeUs: NodeJS.CpuUsage;
  postgresTicks: number | null;
  postgres: PostgresFilter | undefined;
  machine: { busy: number; total: number } | null;
}

export interface CpuDelta {
  wallMs: number;
  /** CPU time of this Node process (PGlite included, it runs in-process). */
  nodeMs: number;
  /** CPU time of local `postgres` processes, or null when none is visible. */
  postgresMs: number | null;
  /** How busy the whole machine was, 0..1 of all cores (other tenants included). */
  machineBusy: number | null;
}

export interface PostgresFilter {
  /** Backend pids to count (pg_backend_pid() of the pool's connections). */
  backends: ReadonlySet<number>;
}

/** A client backend's title names its peer: `postgres: 15/main: user db 127.0.0.1(5432) idle` or `[local]`. */
function isClientBackend(pid: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /\(\d+\)|\[local\]/.test(cmd);
  } catch {
    return true;
  }
}

function postgresTicks(filter: PostgresFilter): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let ticks = 0;
  let seen = false;
  for (const pid of entries) {
    if (!/^[0-9]+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (stat.slice(open + 1, close) !== 'postgres') continue;
    if (!filter.backends.has(Number(pid)) && isClientBackend(pid)) continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    seen = true;
  }
  return seen ? ticks : null;
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export function cpuSnapshot(options: { postgres?: PostgresFilter | undefined } = {}): CpuSnapshot {
  return {
    at: performance.now(),
    nodeUs: process.cpuUsage(),
    postgresTicks: options.postgres ? postgresTicks(options.postgres) : null,
    postgres: options.postgres,
    machine: machineTicks(),
  };
}

export function cpuSince(start: CpuSnapshot): CpuDelta {
  const end = cpuSnapshot({ postgres: start.postgres });
  const node = process.cpuUsage(start.nodeUs);
  const m =
    start.machine && end.machine && end.machine.total > start.machine.total
      ? (end.machine.busy - start.machine.busy) / (end.machine.total - start.machine.total)
      : null;
  return {
    wallMs: end.at - start.at,
    nodeMs: (node.user + node.system) / 1000,
    postgresMs:
      start.postgresTicks !== null && end.postgresTicks !== null
        ? (end.postgresTicks - start.postgresTicks) * CLK_TCK_MS
        : null,
    machineBusy: m,
  };
}

/** What a load generator measured. */
export interface Load {
  ok: number;
  errors: number;
  wallMs: number;
  latencies: Float64Array;
}

/** A baseline measured in two halves (before and after the scenarios, to even out drift) as one load. */
export function joinLoads(a: Load, b: Load): Load {
  return {
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    wallMs: a.wallMs + b.wallMs,
    latencies: Float64Array.from([...a.latencies, ...b.latencies]),
  };
}
