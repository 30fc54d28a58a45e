// `twelve user create` on a PGlite data folder: the password comes from stdin or a hidden prompt (never argv),
// the user can sign in afterwards, nothing secret is printed, and bad arguments exit 2.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../test/support/cli.ts';
import { passwordVerifier } from '../../accounts/users.ts';
import { openDatabase } from '../../store/open.ts';
import { main } from '../main.ts';
import { runUserCreate, type SecretSource } from './user.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-user-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = (interactive = false) => captureIo({ TWELVE_DATA_DIR: dir }, interactive);

function secrets(stdin: string, answers: string[] = []): SecretSource & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    readStdin: async () => stdin,
    promptHidden: async (q) => {
      prompts.push(q);
      return answers.shift() ?? '';
    },
  };
}

async function canSignIn(email: string, password: string): Promise<string | null> {
  const db = await openDatabase({ dataDir: dir });
  try {
    return (await passwordVerifier(db, email, password))?.role ?? null;
  } finally {
    await db.close();
  }
}

describe('twelve user create', () => {
  it('creates an admin with --password-stdin, dropping only the trailing newline', async () => {
    const io = capture();
    const code = await runUserCreate(
      ['--admin', 'Ops@Example.com', '--name', 'Ops', '--password-stdin'],
      io,
      secrets(' spaced pass phrase \n'),
    );
    expect(code, io.stderr.join('\n')).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^Created admin ops@example\.com \(id [0-9a-f-]{36}\)\.$/);
    expect(io.stdout.join('\n')).not.toContain('spaced');
    expect(await canSignIn('ops@example.com', ' spaced pass phrase ')).toBe('admin');
  }, 60_000);

  it('asks twice at a hidden prompt in a terminal, with --role', async () => {
    const io = capture(true);
    const input = secrets('', ['reviewer-secret-1', 'reviewer-secret-1']);
    expect(await runUserCreate(['--role', 'reviewer', 'rev@example.com'], io, input)).toBe(0);
    expect(input.prompts).toHaveLength(2);
    expect(await canSignIn('rev@example.com', 'reviewer-secret-1')).toBe('reviewer');
  }, 60_000);

  it('refuses mismatched or weak passwords and duplicate emails', async () => {
    const mismatch = secrets('', ['first-password-1', 'second-password']);
    await expect(runUserCreate(['--admin', 'x@example.com'], capture(true), mismatch)).rejects.toThrow(
      /differ/,
    );
    const weak = capture();
    expect(
      await runUserCreate(['--admin', 'x@example.com', '--password-stdin'], weak, secrets('short\n')),
    ).toBe(1);
    expect(weak.stderr.join('\n')).toMatch(/12 characters/);
    const common = capture();
    expect(
      await runUserCreate(
        ['--admin', 'x@example.com', '--password-stdin'],
        common,
        secrets('password1234\n'),
      ),
    ).toBe(1);
    expect(common.stderr.join('\n')).toContain('choose a stronger password: it is a commonly used password');
    const dup = runUserCreate(
      ['--admin', 'ops@example.com', '--password-stdin'],
      capture(),
      secrets('long-enough-pass'),
    );
    await expect(dup).rejects.toMatchObject({ id: 'conflict' });
  }, 60_000);

  it('exits 2 on bad arguments, and without a terminal or --password-stdin', async () => {
    for (const argv of [
      ['user', 'create', 'a@example.com'],
      ['user', 'create', '--role', 'owner', 'a@example.com'],
      ['user', 'create', '--admin', '--role', 'viewer', 'a@example.com'],
      ['user', 'create', '--admin', 'not-an-email'],
      ['user', 'create', '--admin'],
      ['user', 'create', '--admin', 'a@example.com', '--password', 'in-argv-no'],
      ['user', 'create', '--admin', 'a@example.com'],
    ]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr.join('\n')).toMatch(/Usage: twelve user create/);
    }
  });
});
