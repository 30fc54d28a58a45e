// One process per PGlite data folder. PGlite has no lock of its own: two processes on one folder both run and
// corrupt each other's writes. The holder writes `twelve.lock` in the folder (created atomically with link(2), so
// nobody reads a half-written file) naming itself: pid, host, command, since when, and on Linux its start time
// (/proc/<pid>/stat) and the boot id, so a pid reused by another process after a crash is not taken for the
// holder. A lock whose holder is gone (killed with SIGKILL, or before a reboot) is stale and is taken over; the
// takeover is serialized by a `twelve.lock.break` directory (mkdir is atomic) and re-reads the lock under it, so
// two processes finding the same stale lock cannot both win. A holder on another host cannot be checked from here
// and is always respected. A PostgreSQL server (DATABASE_URL) is shared by design and needs none of this.
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';

export const LOCK_FILE = 'twelve.lock';
/** A takeover guard older than this was left by a process that died mid-takeover. */
const BREAK_GUARD_STALE_MS = 10_000;

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  /** ISO time the holder took the lock. */
  since: string;
  /** Linux: the holder's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  procStart?: string;
  /** Linux: /proc/sys/kernel/random/boot_id when the lock was taken. */
  bootId?: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `stop Twelve first (it holds ${dir}: pid ${holder.pid} on host ${holder.host}, "${holder.command}", since ${holder.since}). ` +
        'PGlite allows one process per data folder; several processes need a PostgreSQL server (DATABASE_URL).' +
        (holder.host === hostname()
          ? ''
          : ` The holder runs on another host and cannot be checked from here: if it no longer runs, delete ${join(dir, LOCK_FILE)}.`),
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

const held = new Map<string, string>(); // lock file → the content this process wrote
let exitHook = false;

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 (starttime) of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function procStartTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function bootId(): string | undefined {
  return readProc('/proc/sys/kernel/random/boot_id')?.trim();
}

function commandLine(): string {
  const [, script, ...args] = process.argv;
  const name = script?.endsWith('twelve.js') ? 'twelve' : relative(process.cwd(), script ?? '') || 'node';
  return [name, ...args].join(' ').slice(0, 200);
}

/** Whether the process that wrote `holder` still runs (as far as this host can tell). */
export function holderAlive(holder: LockHolder, content: string): boolean {
  if (holder.host !== hostname()) return true;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return false;
  // Only a lock this process holds is its own; the same pid from an earlier process is a dead holder.
  if (holder.pid === process.pid) return [...held.values()].includes(content);
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it runs, as another user.
  }
  const start = procStartTime(holder.pid);
  if (holder.procStart && start !== undefined && start !== holder.procStart) return false; // pid reused
  return true;
}

function parseHolder(content: string): LockHolder | null {
  try {
    const h = JSON.parse(content) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

function readHolder(file: string): { content: string; holder: LockHolder | null } | null {
  try {
    const content = readFileSync(file, 'utf8');
    return { content, holder: parseHolder(content) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function tryCreate(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, content, { mode: 0o644 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Removes the lock file if it still holds `stale`, under the takeover guard. False when the guard is busy. */
function breakStale(file: string, stale: string): boolean {
  const guard = `${file}.break`;
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      if (Date.now() - statSync(guard).mtimeMs > BREAK_GUARD_STALE_MS) rmdirSync(guard);
    } catch {}
    return false;
  }
  try {
    if (readHolder(file)?.content === stale) unlinkSync(file);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

/**
 * Takes the data folder for this process, or throws DataDirLockedError naming the process that has it. A stale lock
 * (its holder is gone) is taken over.
 */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
  };
  const start = procStartTime(process.pid);
  const boot = bootId();
  if (start) me.procStart = start;
  if (boot) me.bootId = boot;
  const content = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, content)) break;
    const current = readHolder(file);
    if (!current) continue; // released in between
    // An unreadable lock file was not written by Twelve's link(2): treat it as stale.
    if (current.holder && holderAlive(current.holder, current.content))
      throw new DataDirLockedError(dir, current.holder);
    if (!breakStale(file, current.content)) {
      if (attempt > 100) throw new Error(`cannot take ${file}: another process keeps taking it over`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  held.set(file, content);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const f of [...held.keys()]) releaseFile(f);
    });
  }
  return { file, release: () => releaseFile(file) };
}

function releaseFile(file: string): void {
  const mine = held.get(file);
  if (mine === undefined) return;
  held.delete(file);
  try {
    if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
  } catch {}
}
