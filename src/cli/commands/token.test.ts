// `twelve token create|list|revoke` on a PGlite data folder: the secret goes to stdout once and alone, listings
// carry metadata only, and a revoked token stops working.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../test/support/cli.ts';
import { tokenLookup } from '../../accounts/users.ts';
import { createServices } from '../../context.ts';
import { openDatabase } from '../../store/open.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = () => captureIo({ TWELVE_DATA_DIR: dir });

async function lookup(token: string) {
  const db = await openDatabase({ dataDir: dir });
  try {
    return await tokenLookup(createServices(db), token);
  } finally {
    await db.close();
  }
}

describe('twelve token', () => {
  let token = '';
  let id = '';

  it('creates a token: the secret alone on stdout, the rest on stderr', async () => {
    const io = capture();
    expect(await main(['token', 'create', '--name', 'ci', '--role', 'reviewer'], io)).toBe(0);
    expect(io.stdout).toHaveLength(1);
    token = io.stdout[0]!;
    expect(token).toMatch(/^tw_[A-Za-z0-9_-]{40,}$/);
    expect(io.stderr.join('\n')).toMatch(/shown only once/);
    const found = await lookup(token);
    expect(found).toMatchObject({ name: 'ci', role: 'reviewer', createdBy: 'cli' });
    id = found!.id;
  }, 60_000);

  it('lists tokens without their secrets, as text or JSON', async () => {
    const text = capture();
    expect(await main(['token', 'list'], text)).toBe(0);
    expect(text.stdout.join('\n')).toMatch(new RegExp(`^${id}  ci  reviewer  active`));
    expect(text.stdout.join('\n')).not.toContain(token);
    const json = capture();
    await main(['token', 'list', '--json'], json);
    expect(JSON.parse(json.stdout[0]!)).toEqual([
      expect.objectContaining({ id, name: 'ci', revoked: false }),
    ]);
    expect(json.stdout[0]).not.toContain(token);
  }, 60_000);

  it('revokes a token; it no longer authenticates, and a second revoke fails', async () => {
    const io = capture();
    expect(await main(['token', 'revoke', id], io)).toBe(0);
    expect(io.stdout[0]).toBe(`Revoked token "ci" (${id}).`);
    expect(await lookup(token)).toBeNull();
    const again = capture();
    expect(await main(['token', 'revoke', id], again)).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/no such active token/);
  }, 60_000);

  it('revokes by the first characters of an id, and names an id that is no token as such', async () => {
    const io = capture();
    expect(await main(['token', 'create', '--name', 'deploy', '--role', 'viewer'], io)).toBe(0);
    const found = await lookup(io.stdout[0]!);
    const byPrefix = capture();
    expect(await main(['token', 'revoke', found!.id.slice(0, 8)], byPrefix)).toBe(0);
    expect(byPrefix.stdout[0]).toBe(`Revoked token "deploy" (${found!.id}).`);
    expect(await lookup(io.stdout[0]!)).toBeNull();
    const number = capture();
    expect(await main(['token', 'revoke', '123'], number)).toBe(1);
    expect(number.stderr.join('\n')).toMatch(/no token has the id "123"/);
    expect(number.stderr.join('\n')).not.toMatch(/give the id of one token/);
  }, 60_000);

  it('exits 2 on bad arguments', async () => {
    for (const argv of [
      ['token', 'create', '--name', 'x'],
      ['token', 'create', '--role', 'admin'],
      ['token', 'create', '--name', 'x', '--role', 'root'],
      ['token', 'revoke'],
      ['token', 'list', '--all'],
    ]) {
      expect(await main(argv, capture()), argv.join(' ')).toBe(2);
    }
  });
});
