// `twelve audit anchor` and `twelve audit verify --anchor` end to end on a PGlite data folder: the anchor is printed,
// appended to a file and posted to a URL; verify accepts it as a file or a value; refuses a forged one and one
// checked with another key; and after the owner deletes the anchor's checkpoint, plain verify passes while verify
// with the anchor exits 1 naming the missing checkpoint [audit:anchor-detects-rewrite].
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../test/support/cli.ts';
import { AuditLog } from '../../audit/log.ts';
import { writeCheckpoint } from '../../audit/verify.ts';
import { systemClock } from '../../clock.ts';
import { openDatabase } from '../../store/open.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-anchor-'));
const env = { TWELVE_DATA_DIR: dir };
const posted: { status: number; bodies: string[] } = { status: 201, bodies: [] };
let server: Server;
let url: string;

beforeAll(async () => {
  const db = await openDatabase({ dataDir: dir });
  const log = new AuditLog(db, systemClock);
  for (let i = 0; i < 6; i++)
    await log.append({
      stream: `run:${i % 2}`,
      actor: 'cli',
      action: 'step.intent',
      subject: 'x',
      payload: { i },
    });
  await writeCheckpoint(db, systemClock);
  await log.append({ stream: 'run:0', actor: 'cli', action: 'step.intent', subject: 'x', payload: { i: 6 } });
  await db.close();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      posted.bodies.push(`${req.headers['content-type']} ${body}`);
      res.writeHead(posted.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/anchors`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('twelve audit anchor / verify --anchor', () => {
  const file = join(dir, 'anchors.jsonl');
  let value = '';

  it('prints a signed anchor of a fresh checkpoint, appends it to --out and posts it to --post', async () => {
    const io = captureIo(env);
    expect(await main(['audit', 'anchor', '--out', file, '--post', url], io), io.stderr.join('\n')).toBe(0);
    value = io.stdout[0]!;
    const anchor = JSON.parse(value);
    expect(anchor).toMatchObject({ anchor: 'twelve-audit/1', checkpoint: 2 });
    expect(readFileSync(file, 'utf8')).toBe(`${value}\n`);
    expect(posted.bodies).toEqual([`application/json ${value}`]);
    // The key was made on first use, readable by its owner only.
    expect(statSync(join(dir, 'audit-anchor.key')).mode & 0o777).toBe(0o600);

    // A URL that refuses it: exit 1, saying so.
    posted.status = 500;
    const refused = captureIo(env);
    expect(await main(['audit', 'anchor', '--post', url], refused)).toBe(1);
    expect(refused.stderr.join('\n')).toContain(`${url} answered 500; the anchor was not posted`);
  }, 60_000);

  it('verifies the trail against the anchor given as a file or a value', async () => {
    const fromFile = captureIo(env);
    expect(await main(['audit', 'verify', '--anchor', file], fromFile), fromFile.stderr.join('\n')).toBe(0);
    expect(fromFile.stdout[1]).toMatch(
      /^The trail holds the anchor \(checkpoint 2\), signed with the key in /,
    );
    const fromValue = captureIo(env);
    expect(await main(['audit', 'verify', '--anchor', value], fromValue)).toBe(0);
  }, 60_000);

  it('refuses a forged anchor, one checked with another key, and text that is no anchor', async () => {
    const anchor = JSON.parse(value);
    const forged = JSON.stringify({
      ...anchor,
      signature: anchor.signature.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a')),
    });
    const io = captureIo(env);
    expect(await main(['audit', 'verify', '--anchor', forged], io)).toBe(1);
    expect(io.stderr[0]).toBe(
      'BROKEN: anchor of checkpoint 2: its signature does not match its content: the anchor was forged or altered',
    );
    const otherKey = captureIo({ ...env, TWELVE_AUDIT_ANCHOR_KEY: 'x'.repeat(40) });
    expect(await main(['audit', 'verify', '--anchor', value], otherKey)).toBe(1);
    expect(otherKey.stderr[0]).toMatch(/it was not signed with this key/);
    const junk = captureIo(env);
    expect(await main(['audit', 'verify', '--anchor', '{"hash": 1}'], junk)).toBe(2);
    expect(junk.stderr[0]).toMatch(/--anchor: not an anchor/);
  }, 60_000);

  it('fails with the anchor, not without it, once the owner deleted the anchored checkpoint', async () => {
    const db = await openDatabase({ dataDir: dir });
    for (const table of ['audit_heads', 'audit_checkpoints'])
      await db.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await db.query('DELETE FROM audit_checkpoints WHERE id = 2');
    await db.query(`UPDATE audit_heads SET checkpointed_seq = 3 WHERE stream IN ('run:0', 'run:1')`);
    await db.close();

    const plain = captureIo(env);
    expect(await main(['audit', 'verify'], plain)).toBe(0);
    const anchored = captureIo(env);
    expect(await main(['audit', 'verify', '--anchor', file], anchored)).toBe(1);
    expect(anchored.stderr[0]).toBe(
      'BROKEN: anchor of checkpoint 2: the checkpoint is missing (the newest is 1): checkpoints were deleted, and the events they sealed may have been changed',
    );
  }, 60_000);
});
