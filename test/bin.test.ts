// bin/twelve.js (through bin/entry.js) runs the build of the sources (scripts/build-server.ts) while it is fresh, and the TypeScript
// sources otherwise. Built into a folder of its own (a copy of bin/ beside links to src/, node_modules/ and the
// rest), so the repository's own dist/ is left alone: the build starts, migrates a PGlite folder (its migrations
// are found next to src/store/migrate.ts, through the rewritten import.meta.url) and a stale or broken build falls
// back to the sources.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
let dir: string;

function twelve(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(dir, 'bin/twelve.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TWELVE_FROM_SOURCE: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'twelve-bin-'));
  mkdirSync(join(dir, 'bin'));
  for (const name of ['twelve.js', 'entry.js']) copyFileSync(join(ROOT, 'bin', name), join(dir, 'bin', name));
  for (const name of ['src', 'node_modules', 'package.json', 'examples', 'web', 'web-widget', 'web-careers'])
    symlinkSync(join(ROOT, name), join(dir, name));
  const built = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/build-server.ts'), join(dir, 'dist/server')],
    { encoding: 'utf8', cwd: ROOT, timeout: 60_000 },
  );
  expect(built.status, built.stderr).toBe(0);
}, 90_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/twelve.js', () => {
  it('stops quietly when the reader of its output goes away (`twelve … | head`)', async () => {
    const child = spawn(process.execPath, [join(dir, 'bin/twelve.js'), '--help'], {
      env: { ...process.env, TWELVE_FROM_SOURCE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the CLI has written a line: its first write meets a pipe with no reader.
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (b) => {
      err += b;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  it('runs a fresh build: --version says so, and the built CLI migrates a PGlite folder', () => {
    expect(twelve(['--version']).out).toMatch(/^twelve \d+\.\d+\.\d+ \(build of \d{4}-\d\d-\d\dT/);
    const migrated = twelve(['db', 'migrate'], { TWELVE_DATA_DIR: join(dir, 'data') });
    expect(migrated.err).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.out).toMatch(/migrat/i);
  }, 90_000);

  it('runs the sources when asked to, when a source is newer than the build, and when a source is gone', () => {
    expect(twelve(['--version'], { TWELVE_FROM_SOURCE: '1' }).out).toContain(
      '(sources: TWELVE_FROM_SOURCE=1)',
    );
    const stamp = join(dir, 'dist/server/inputs.json');
    const { builtAt, inputs } = JSON.parse(readFileSync(stamp, 'utf8')) as {
      builtAt: number;
      inputs: string[];
    };
    try {
      // A build older than its sources (as after an edit).
      writeFileSync(stamp, JSON.stringify({ builtAt: 0, inputs }));
      expect(twelve(['--version']).out).toMatch(/\(sources: src\/\S+\.ts changed since the build\)/);
      writeFileSync(stamp, JSON.stringify({ builtAt, inputs: [...inputs, 'src/gone.ts'] }));
      expect(twelve(['--version']).out).toMatch(/\(sources: /);
      // And the sources do run: the help lists the commands.
      const help = twelve(['--help']);
      expect(help.code).toBe(0);
      expect(help.out).toContain('db migrate');
    } finally {
      writeFileSync(stamp, JSON.stringify({ builtAt, inputs }));
    }
    expect(twelve(['--version']).out).toContain('(build of ');
  }, 90_000);
});
