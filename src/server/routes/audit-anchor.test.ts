// Anchors over HTTP, for a node whose PGlite folder no CLI may open while it runs: POST /api/audit/anchor (admins)
// answers a signed anchor of a fresh checkpoint; POST /api/audit/verify {"anchors": [...]} fails when the trail no
// longer holds one (the owner deleted its checkpoint) or its signature is forged, while a plain verify passes; bad
// anchors are 400, and a server without a key answers 409. A node started by startTwelve signs with the data
// folder's key [audit:anchor-detects-rewrite].
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { tokenCreator } from '../../accounts/users.ts';
import { type App, createApp } from '../../app.ts';
import { anchorSignatureProblem } from '../../audit/anchor.ts';
import { loadConfig } from '../../config.ts';
import { createServices } from '../../context.ts';
import { jobsSchemaFor } from '../../jobs/runner.ts';
import { startTwelve } from '../lifecycle.ts';
import { buildServer } from '../server.ts';

const KEY = 'the anchor key of these route tests, 32+ chars';
let db: TestDb;
let app: App;
let server: FastifyInstance;
let keyless: FastifyInstance;
const tokens: Record<'admin' | 'viewer', string> = { admin: '', viewer: '' };
const dataDir = mkdtempSync(join(tmpdir(), 'twelve-anchor-route-'));

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db);
  for (const role of ['admin', 'viewer'] as const)
    tokens[role] = (
      await tokenCreator(createServices(db), 'cli', { name: `${role}-${randomUUID().slice(0, 6)}`, role })
    ).token;
  server = await buildServer(app, { logLevel: 'silent', anchorKey: () => ({ key: KEY, source: 'test' }) });
  keyless = await buildServer(app, { logLevel: 'silent' });
});
afterAll(async () => {
  await server.close();
  await keyless.close();
  if (db.driver === 'pg') await db.exec(`DROP SCHEMA IF EXISTS ${await jobsSchemaFor(db)} CASCADE`);
  await db.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (on: FastifyInstance, role: 'admin' | 'viewer', url: string, body?: unknown) =>
  on.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${tokens[role]}` },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });

describe('POST /api/audit/anchor and /api/audit/verify with anchors', () => {
  it('signs a fresh checkpoint for admins; verify holds it, then fails once its checkpoint is deleted', async () => {
    expect((await call(server, 'viewer', '/api/audit/anchor')).statusCode).toBe(403);
    const res = await call(server, 'admin', '/api/audit/anchor');
    expect(res.statusCode).toBe(200);
    const anchor = res.json();
    expect(anchor).toMatchObject({ anchor: 'twelve-audit/1', checkpoint: expect.any(Number) });
    expect(anchorSignatureProblem(anchor, KEY)).toBeNull();

    const held = await call(server, 'viewer', '/api/audit/verify', { anchors: [anchor] });
    expect(held.json()).toMatchObject({ ok: true, problems: [] });

    const forged = {
      ...anchor,
      signature: anchor.signature.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a')),
    };
    const refused = (await call(server, 'viewer', '/api/audit/verify', { anchors: [forged] })).json();
    expect(refused.ok).toBe(false);
    expect(refused.firstBroken.reason).toMatch(/its signature does not match its content/);

    // The owner, triggers off, removes the anchored checkpoint: a plain verify passes, the anchor does not.
    await db.transaction(async (tx) => {
      await tx.exec('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
      await tx.exec('ALTER TABLE audit_heads DISABLE TRIGGER USER');
      await tx.query('DELETE FROM audit_checkpoints WHERE id = $1', [anchor.checkpoint]);
      await tx.query('UPDATE audit_heads SET checkpointed_seq = 0');
      await tx.exec('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
      await tx.exec('ALTER TABLE audit_heads ENABLE TRIGGER USER');
    });
    expect((await call(server, 'viewer', '/api/audit/verify')).json()).toMatchObject({ ok: true });
    const gone = (await call(server, 'viewer', '/api/audit/verify', { anchors: [anchor] })).json();
    expect(gone).toMatchObject({ ok: false });
    expect(gone.firstBroken.reason).toMatch(
      new RegExp(`^anchor of checkpoint ${anchor.checkpoint}: the checkpoint is missing`),
    );
  });

  it('refuses what is not an anchor (400) and answers 409 without a key', async () => {
    const bad = await call(server, 'viewer', '/api/audit/verify', { anchors: [{ checkpoint: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.id).toBe('validation_failed');
    const noKey = await call(keyless, 'admin', '/api/audit/anchor');
    expect(noKey.statusCode).toBe(409);
    expect(noKey.json().error).toMatchObject({ id: 'invalid_state' });
    expect(noKey.json().error.message).toMatch(/TWELVE_AUDIT_ANCHOR_KEY/);
  });

  it('a started node signs with its data folder key, made on first use', async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TWELVE_DATA_DIR: dataDir,
    });
    const node = await startTwelve(config, { db, jobs: false, env: {} });
    try {
      const res = await fetch(`${node.address}/api/audit/anchor`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.admin}` },
      });
      expect(res.status).toBe(200);
      expect((await res.json()).anchor).toBe('twelve-audit/1');
      expect(existsSync(join(dataDir, 'audit-anchor.key'))).toBe(true);
    } finally {
      await node.stop();
    }
  });
});
