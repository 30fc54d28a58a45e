// One process per PGlite data folder, with real processes: a second `twelve start` on the folder exits non-zero
// naming the first (pid, host, command, since when); a CLI command that opens the folder says "stop Twelve first";
// after the first is killed with SIGKILL (its lock file left behind) a new start takes the folder over; a graceful
// stop removes the lock. Several processes racing for one stale lock: exactly one wins. Only PGlite needs this, so
// the file runs the same on both test drivers (each spawned node gets its own temp folder and no DATABASE_URL).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/store/lock.ts';
import { type NodeProcess, startNode } from './nodes.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs: string[] = [];
const running: NodeProcess[] = [];
afterAll(async () => {
  for (const n of running) await n.stop('SIGKILL').catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'twelve-lock-'));
  dirs.push(d);
  return d;
}

const envFor = (dir: string) => ({ TWELVE_DATA_DIR: dir, DATABASE_URL: '' });

/** Runs `twelve ARGS` to its end; a process that is still running after timeoutMs is killed and reported. */
function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'twelve.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  proc.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`twelve ${args.join(' ')} still ran after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can come before the pipes are drained.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

describe('one process per PGlite data folder', () => {
  it('refuses a second start and CLI commands while a node runs; a SIGKILLed node does not block a restart [store:one-process-per-folder]', async () => {
    const dir = tempDir();
    const first = await startNode(envFor(dir));
    running.push(first);
    const pid = first.proc.pid!;
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid, host: hostname(), command: 'twelve start --port 0' });

    // A second node on the same folder: exits non-zero, naming the holder, without opening the database.
    const second = await runCli(['start', '--port', '0'], envFor(dir));
    expect(second.code).toBe(1);
    expect(second.stdout).not.toMatch(/Twelve is running/);
    expect(second.stderr).toContain(`stop Twelve first (it holds ${dir}: pid ${pid} on host ${hostname()}`);
    expect(second.stderr).toContain('"twelve start --port 0"');
    expect(second.stderr).toContain(`since ${lock.since}`);
    expect(second.stderr).not.toMatch(/Aborted/);

    // CLI commands that open the folder say the same, instead of PGlite's `Aborted()`.
    const verify = await runCli(['audit', 'verify'], envFor(dir));
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`twelve audit verify: stop Twelve first (it holds ${dir}: pid ${pid}`);
    const user = await runCli(
      ['user', 'create', '--admin', 'ops@example.com', '--password-stdin'],
      envFor(dir),
      'correct horse battery staple 42\n',
    );
    expect(user.code).toBe(1);
    expect(user.stderr).toContain(`stop Twelve first (it holds ${dir}: pid ${pid}`);

    // The first node still serves, unharmed.
    expect((await fetch(`${first.url}/ready`)).status).toBe(200);

    // Killed without a chance to clean up: the lock file stays, naming a dead process, and does not block.
    await first.stop('SIGKILL');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const restarted = await startNode(envFor(dir));
    running.push(restarted);
    expect((await fetch(`${restarted.url}/ready`)).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(restarted.proc.pid);

    // A graceful stop releases the folder, and a CLI command runs on it.
    expect(await restarted.stop('SIGTERM')).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const after = await runCli(['audit', 'verify'], envFor(dir));
    expect(after.stderr).toBe('');
    expect(after.stdout).toMatch(/^OK: \d+ events/);
    expect(after.code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 180_000);

  it('lets exactly one of several processes take over one stale lock', async () => {
    const dir = tempDir();
    // A lock left by a process that is gone: pid 2^22 + 1 is above Linux's pid_max, so it never runs.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({
        pid: 4_194_305,
        host: hostname(),
        command: 'twelve start',
        since: '2026-01-01T00:00:00Z',
      }),
    );
    const script = `
      import { lockDataDir } from ${JSON.stringify(join(ROOT, 'src', 'store', 'lock.ts'))};
      try { await lockDataDir(process.argv[1]); console.log('WON'); }
      catch (err) { console.log(err.name === 'DataDirLockedError' ? 'LOCKED' : 'ERROR ' + err.message); }
      process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
    const procs: ChildProcess[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => {
        const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {
          cwd: ROOT,
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        procs.push(proc);
        return new Promise<string>((resolve) => {
          let out = '';
          proc.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('\n')) resolve(out.trim());
          });
          proc.once('exit', () => resolve(out.trim() || 'EXITED'));
        });
      }),
    );
    // Every process has answered while the winner still holds the lock; then all are let go.
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((r) => {
            p.once('exit', () => r());
            p.stdin!.end();
          }),
      ),
    );
    expect(outcomes.sort()).toEqual(['LOCKED', 'LOCKED', 'LOCKED', 'WON']);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false); // the winner released it on exit
  }, 60_000);
});
