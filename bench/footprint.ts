// Footprint suite (issue 25): what `twelve start` costs a small VPS at idle. A real node (bench/footprint-node.mjs:
// the CLI's `start`, as bin/twelve.js runs it) on a PGlite data folder in a temporary directory:
//   1. first start on an empty folder: time to ready, RSS IDLE_SECONDS after start;
//   2. restart on the same folder: time to ready (the target), RSS;
//   3. with the demo agents (`twelve demo support`, `demo receptionist`, `demo hiring` run on the stopped folder):
//      restart, time to ready, RSS.
// Ready = GET /ready answers 200. Time is wall time from spawn and the node's own CPU time until then (on a shared
// machine the CPU time is the steadier figure). RSS is read from /proc before anything else touches the process;
// then the node reports where its memory is, after a full GC: V8 heap by space, outside the heap (external: array
// buffers, WASM), and the PGlite WASM heap.
//
// Environment: BENCH_IDLE_SECONDS (default 60), BENCH_FOOTPRINT_DEMO (default 1; 0 skips the demo agents).
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, round, type ScenarioResult, type Suite, sleep, table, verdict } from './stats.ts';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60) || 60;
const WITH_DEMO = process.env.BENCH_FOOTPRINT_DEMO !== '0';
const TARGET_EMPTY_MB = 200;
const TARGET_DEMO_MB = 250;
const TARGET_READY_S = 3;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MB = 1_048_576;

interface Report {
  mem: NodeJS.MemoryUsage;
  spaces: Record<string, number>;
  pgliteHeap: number;
  /** 'build' when the node ran dist/server/main.js, otherwise why it ran the sources. */
  build: string;
}

interface Measured {
  scenario: string;
  readyMs: number;
  readyCpuMs: number;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  report: Report;
}

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, USER_HZ 100
}

/** Resident memory from /proc: all of it, anonymous (heaps, WASM memory, allocator arenas), file-backed (code). */
function procRss(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  };
  return { rss: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile') };
}

function env(dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TWELVE_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    // No LLM provider and no outside channel: the node as a fresh install runs it.
    ANTHROPIC_API_KEY: '',
    OPENAI_API_KEY: '',
  };
}

async function startNode(
  dataDir: string,
): Promise<{ child: ChildProcess; readyMs: number; readyCpuMs: number }> {
  const t0 = performance.now();
  const child = fork(join(ROOT, 'bench/footprint-node.mjs'), [], {
    cwd: ROOT,
    env: env(dataDir),
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let address: string | null = null;
  for (;;) {
    const done = await Promise.race([exited, sleep(20).then(() => undefined)]);
    if (done !== undefined) throw new Error(`twelve start exited (${done}):\n${out}`);
    address ??= /running at (http:\/\/[^\s]+)/.exec(out)?.[1] ?? null;
    if (!address) continue;
    const ok = await fetch(`${address}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
  }
  child.once('exit', (code) => {
    if (code) console.error(`\ntwelve start exited (${code}):\n${out}`);
  });
  return { child, readyMs: performance.now() - t0, readyCpuMs: procCpuMs(child.pid!) };
}

function report(child: ChildProcess): Promise<Report> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the node did not report its memory in 60 s')), 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the node exited (${code ?? signal}) before reporting its memory`));
    });
    child.once('message', (m: Report & { type: string }) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.send('report');
  });
}

async function stopNode(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

async function measure(scenario: string, dataDir: string): Promise<Measured> {
  process.stdout.write(`${scenario}: starting…`);
  const { child, readyMs, readyCpuMs } = await startNode(dataDir);
  process.stdout.write(` ready in ${fmt(readyMs / 1000)} s, idle ${IDLE_SECONDS} s…`);
  try {
    await sleep(Math.max(0, IDLE_SECONDS * 1000 - readyMs));
    const rss = procRss(child.pid!);
    const r = await report(child);
    process.stdout.write(` ${fmt(rss.rss)} MB\n`);
    return { scenario, readyMs, readyCpuMs, rssMb: rss.rss, anonMb: rss.anon, fileMb: rss.file, report: r };
  } finally {
    await stopNode(child);
  }
}

function demo(dataDir: string): void {
  for (const kind of ['support', 'receptionist', 'hiring']) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/twelve.js'), 'demo', kind], {
      cwd: ROOT,
      env: env(dataDir),
      encoding: 'utf8',
    });
    if (r.status !== 0)
      throw new Error(`twelve demo ${kind} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

async function runSuite(): Promise<ScenarioResult[]> {
  console.log(
    `twelve start on a PGlite folder, RSS ${IDLE_SECONDS} s after start; ready = GET /ready answers; ` +
      `machine: ${(await import('node:os')).cpus().length} cores, load ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'twelve-footprint-'));
  const rows: Measured[] = [];
  try {
    rows.push(await measure('empty folder, first start', dir));
    rows.push(await measure('empty folder, restart', dir));
    if (WITH_DEMO) {
      process.stdout.write('demo agents: twelve demo support, receptionist, hiring…');
      demo(dir);
      process.stdout.write(' done\n');
      rows.push(await measure('demo agents, restart', dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `\nthe node ran ${rows[0]?.report.build === 'build' ? 'the build (dist/server)' : `the sources (${rows[0]?.report.build})`}`,
  );
  console.log(
    table(
      [
        'scenario',
        'ready s',
        'ready cpu s',
        'RSS MB',
        'anon',
        'file',
        'V8 heap',
        'code',
        'external',
        'PGlite WASM',
      ],
      rows.map((m) => {
        const { mem, spaces, pgliteHeap } = m.report;
        return [
          m.scenario,
          fmt(m.readyMs / 1000, 2),
          fmt(m.readyCpuMs / 1000, 2),
          m.rssMb,
          fmt(m.anonMb),
          fmt(m.fileMb),
          fmt(mem.heapUsed / MB),
          fmt((spaces.code_space ?? 0) / MB),
          fmt(mem.external / MB),
          fmt(pgliteHeap / MB),
        ];
      }),
    ),
  );
  console.log(
    'anon / file: the resident memory of its own (V8 heap, WASM memory, allocator arenas, compiled code) and mapped' +
      '\nfrom files (the node binary, libraries: shared with other processes running them); V8 heap: used, after a' +
      '\nfull GC (code: its code space); external: memory V8 tracks outside the heap (array buffers, the PGlite WASM' +
      '\nmemory); PGlite WASM: that memory’s size (reserved and grown, resident only where touched).',
  );

  const targets: (string | number)[][] = [];
  const empty = rows[0]!;
  const restart = rows[1]!;
  const withDemo = rows[2];
  targets.push([
    'idle RSS, empty folder',
    `${fmt(empty.rssMb)} MB`,
    `≤ ${TARGET_EMPTY_MB} MB`,
    verdict(empty.rssMb <= TARGET_EMPTY_MB),
  ]);
  if (withDemo)
    targets.push([
      'idle RSS, demo agents',
      `${fmt(withDemo.rssMb)} MB`,
      `≤ ${TARGET_DEMO_MB} MB`,
      verdict(withDemo.rssMb <= TARGET_DEMO_MB),
    ]);
  for (const m of [restart, ...(withDemo ? [withDemo] : [])])
    targets.push([
      `ready on a restart (${m.scenario})`,
      `${fmt(m.readyMs / 1000, 2)} s (cpu ${fmt(m.readyCpuMs / 1000, 2)} s)`,
      `≤ ${TARGET_READY_S} s`,
      verdict(m.readyMs <= TARGET_READY_S * 1000),
    ]);
  console.log('');
  console.log(table(['targets', 'measured', 'target', ''], targets));

  return rows.map((m) => ({
    suite: 'footprint',
    scenario: m.scenario,
    idleSeconds: IDLE_SECONDS,
    readyMs: round(m.readyMs, 0),
    readyCpuMs: round(m.readyCpuMs, 0),
    rssMb: round(m.rssMb, 1),
    rssAnonMb: round(m.anonMb, 1),
    rssFileMb: round(m.fileMb, 1),
    heapUsedMb: round(m.report.mem.heapUsed / MB, 1),
    externalMb: round(m.report.mem.external / MB, 1),
    pgliteHeapMb: round(m.report.pgliteHeap / MB, 1),
    ran: m.report.build,
  }));
}

export const suite: Suite = {
  name: 'footprint',
  description: `idle RSS of twelve start (PGlite) ${IDLE_SECONDS} s after start, empty and with the demo agents; ready on a restart`,
  run: runSuite,
};
