// Real `twelve start` processes for the multi-node tests: spawned with their own environment, found by the address
// they print, stopped by a signal, and required to exit by themselves (a leaked handle would keep them alive).
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface NodeProcess {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export async function startNode(env: Record<string, string>, timeoutMs = 60_000): Promise<NodeProcess> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'twelve.js'), 'start', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in time:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /Twelve is running at (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before serving:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    async stop(signal = 'SIGTERM', stopTimeoutMs = 30_000) {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (code === 'timeout') {
        proc.kill('SIGKILL');
        throw new Error(`node did not exit within ${stopTimeoutMs} ms of ${signal}:\n${out}`);
      }
      return code;
    },
  };
}
