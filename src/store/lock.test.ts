// The data folder lock's judgement of a lock file it finds [store:one-process-per-folder]: a live holder on this
// host is respected; a pid that now belongs to another process (its start time differs), a lock from before a
// reboot, or one naming a pid that is gone is taken over; a holder on another host is respected, with the file to
// delete named; this process cannot take its own folder twice; release removes only its own file. (The real
// processes, a second `twelve start` and SIGKILL, are in test/multinode/data-dir-lock.test.ts.)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, type LockHolder, lockDataDir, procStartTime } from './lock.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folderHeldBy(holder: Partial<LockHolder>): string {
  const dir = mkdtempSync(join(tmpdir(), 'twelve-lockfile-'));
  dirs.push(dir);
  const full = { host: hostname(), command: 'twelve start', since: '2026-01-01T00:00:00.000Z', ...holder };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(full));
  return dir;
}

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const parent = process.ppid; // alive while this test runs

async function outcome(dir: string): Promise<string> {
  try {
    const lock = await lockDataDir(dir);
    lock.release();
    return 'taken';
  } catch (err) {
    if (err instanceof DataDirLockedError) return err.message;
    throw err;
  }
}

describe('data folder lock', () => {
  it('respects a live holder on this host, naming it', async () => {
    const dir = folderHeldBy({ pid: parent, procStart: procStartTime(parent)!, bootId });
    expect(await outcome(dir)).toBe(
      `stop Twelve first (it holds ${dir}: pid ${parent} on host ${hostname()}, "twelve start", since 2026-01-01T00:00:00.000Z). ` +
        'PGlite allows one process per data folder; several processes need a PostgreSQL server (DATABASE_URL).',
    );
  });

  it('takes over a lock whose pid now belongs to another process, is gone, or predates a reboot', async () => {
    const reused = folderHeldBy({ pid: parent, procStart: '1', bootId });
    expect(await outcome(reused)).toBe('taken');
    const gone = folderHeldBy({ pid: 4_194_305 });
    expect(await outcome(gone)).toBe('taken');
    const rebooted = folderHeldBy({ pid: parent, procStart: procStartTime(parent)!, bootId: 'another-boot' });
    expect(await outcome(rebooted)).toBe('taken');
    const unreadable = folderHeldBy({});
    writeFileSync(join(unreadable, LOCK_FILE), 'not json');
    expect(await outcome(unreadable)).toBe('taken');
    // Released: the folder is free again.
    for (const dir of [reused, gone, rebooted, unreadable])
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('respects a holder on another host, naming the file to delete if it no longer runs', async () => {
    const dir = folderHeldBy({ pid: 4_194_305, host: 'elsewhere.example' });
    expect(await outcome(dir)).toMatch(
      new RegExp(
        `on host elsewhere\\.example.*cannot be checked from here: if it no longer runs, delete ${join(dir, LOCK_FILE)}`,
      ),
    );
  });

  it('refuses this process a folder it holds already; a stale lock with its own pid is not its own', async () => {
    const dir = folderHeldBy({});
    rmSync(join(dir, LOCK_FILE));
    const lock = await lockDataDir(dir);
    expect(await outcome(dir)).toMatch(
      new RegExp(`^stop Twelve first \\(it holds ${dir}: pid ${process.pid} `),
    );
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const earlier = folderHeldBy({ pid: process.pid, procStart: '1', bootId });
    expect(await outcome(earlier)).toBe('taken');
  });

  it('does not remove a lock file another process wrote after this one lost it', async () => {
    const dir = folderHeldBy({});
    rmSync(join(dir, LOCK_FILE));
    const lock = await lockDataDir(dir);
    const theirs = JSON.stringify({ pid: parent, host: hostname(), command: 'x', since: 'now' });
    writeFileSync(join(dir, LOCK_FILE), theirs);
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(theirs);
  });
});
