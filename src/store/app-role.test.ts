// The app role (`twelve db app-role`) on the PostgreSQL server: the owner migrates and applies the SQL; then Twelve
// runs as the app role (start with jobs, the runtime demo's runs and approvals, audit appends, a checkpoint, an
// anchor, verify), while the role cannot disable the audit triggers, alter, truncate or rewrite the audit tables,
// nor move or delete a head by hand [audit:heads-guarded]. PGlite has one role, so this runs on the server only
// (TEST_DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/cli.ts';
import { openTestDb, serverUrl, type TestDb } from '../../test/support/db.ts';
import { AuditLog } from '../audit/log.ts';
import { main } from '../cli/main.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { startTwelve } from '../server/lifecycle.ts';
import { appRoleSql } from './app-role.ts';
import { type Db, openPg, sqlState } from './db.ts';

describe.skipIf(!serverUrl)('the app role on a PostgreSQL server', () => {
  let owner: TestDb;
  let app: Db;
  let schema: string;
  let appUrl: string;
  const role = `tw_app_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'twelve-app-role-'));

  beforeAll(async () => {
    owner = await openTestDb(); // migrated by the owner (the server's superuser here)
    [{ schema }] = (await owner.query<{ schema: string }>('SELECT current_schema() AS schema')) as [
      { schema: string },
    ];
    const url = new URL(serverUrl!);
    url.searchParams.set('options', `-c search_path=${schema},public`);
    // The owner's part: `twelve db migrate` (schema and job queue), then the role's SQL.
    const migrate = captureIo({ DATABASE_URL: url.toString() });
    expect(await main(['db', 'migrate'], migrate), migrate.stderr.join('\n')).toBe(0);
    expect(migrate.stdout.join('\n')).toContain(`job queue installed in schema ${schema}_pgboss`);
    await owner.exec(appRoleSql({ role, schema }));
    url.username = role;
    appUrl = url.toString();
    app = openPg(appUrl);
  });
  afterAll(async () => {
    await app?.close();
    await owner.exec(`DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`);
    await owner.dispose();
    const admin = openPg(serverUrl!, { max: 1 });
    await admin.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    await admin.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('does all the app needs: start with jobs, runs and approvals, audit, checkpoint, anchor, verify', async () => {
    const [who] = await app.query<{ user: string; owner: string }>(
      `SELECT current_user AS user, tableowner AS owner FROM pg_tables WHERE tablename = 'audit_events' AND schemaname = $1`,
      [schema],
    );
    expect(who!.user).toBe(role);
    expect(who!.owner).not.toBe(role);

    const env = { DATABASE_URL: appUrl, TWELVE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    // A node as the app role: its start migrates nothing (the owner did), installs the job queue in its own schema.
    const node = await startTwelve(loadConfig({ ...env, PORT: '0' }), {
      jobs: { pollingIntervalSeconds: 0.5 },
      env: {},
    });
    try {
      expect((await fetch(`${node.address}/ready`)).status).toBe(200);
      expect(node.jobs?.schema).toBe(`${schema}_pgboss`);
    } finally {
      await node.stop();
    }

    const demo = captureIo(env);
    expect(await main(['demo', 'runtime'], demo), demo.stderr.join('\n')).toBe(0);
    expect(demo.stdout.join('\n')).toMatch(/suspended \(mode pilot/);
    const anchor = captureIo(env);
    expect(await main(['audit', 'anchor'], anchor), anchor.stderr.join('\n')).toBe(0);
    const verify = captureIo(env);
    expect(
      await main(['audit', 'verify', '--anchor', anchor.stdout[0]!], verify),
      verify.stderr.join('\n'),
    ).toBe(0);
    expect(verify.stdout[0]).toMatch(/^OK: \d+ events in [2-9]\d* streams/);
  }, 120_000);

  it('cannot disable the audit triggers, alter, truncate or rewrite the audit tables, nor move a head by hand', async () => {
    // A head to guard, appended by the app role itself.
    await new AuditLog(app, systemClock).append({
      stream: 'system',
      actor: 'test',
      action: 'x',
      subject: 'x',
    });
    const attempt = (sql: string) =>
      app.exec(sql).then(
        () => 'allowed',
        (err: unknown) => sqlState(err),
      );
    const denied: [string, string][] = [
      ['ALTER TABLE audit_events DISABLE TRIGGER USER', '42501'],
      ['ALTER TABLE audit_heads DISABLE TRIGGER audit_heads_move', '42501'],
      ['ALTER TABLE audit_checkpoints DISABLE TRIGGER ALL', '42501'],
      ['DROP TRIGGER audit_events_append_only ON audit_events', '42501'],
      [
        'CREATE OR REPLACE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
        '42501',
      ],
      ['SET session_replication_role = replica', '42501'],
      ['TRUNCATE audit_events', '42501'],
      ['TRUNCATE audit_heads', '42501'],
      ['TRUNCATE audit_checkpoints', '42501'],
      [`UPDATE audit_events SET payload = '{}'`, '42501'],
      ['DELETE FROM audit_events', '42501'],
      ['DELETE FROM audit_checkpoints', '42501'],
      [`UPDATE audit_checkpoints SET heads = '[]'`, '42501'],
      ['DELETE FROM audit_heads', '42501'],
      ['ALTER TABLE audit_heads ADD COLUMN x int', '42501'],
      ['CREATE TABLE sneaky (x int)', '42501'],
      [`INSERT INTO schema_migrations (name) VALUES ('999_x.sql')`, '42501'],
      // Rights it has (the insert trigger needs them) meet the heads' own guard.
      ['UPDATE audit_heads SET seq = seq + 1', 'TW002'],
      ['UPDATE audit_heads SET checkpointed_seq = 0', 'TW002'],
    ];
    const outcomes: [string, string | undefined][] = [];
    for (const [sql] of denied) outcomes.push([sql, await attempt(sql)]);
    expect(outcomes).toEqual(denied);
  }, 60_000);
});

describe('twelve db app-role', () => {
  it('prints the SQL for the role and schema given, and refuses a name that is not a plain SQL name', async () => {
    const io = captureIo({});
    expect(await main(['db', 'app-role', '--role', 'svc_twelve', '--schema', 'shop'], io)).toBe(0);
    const sql = io.stdout.join('\n');
    expect(sql).toContain('CREATE ROLE svc_twelve LOGIN NOSUPERUSER');
    expect(sql).toContain('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON shop.audit_events');
    expect(sql).toContain("to_regnamespace('shop_pgboss')");
    const bad = captureIo({});
    expect(await main(['db', 'app-role', '--role', 'x; DROP TABLE agents'], bad)).toBe(2);
    expect(bad.stderr[0]).toMatch(/role must be a lower-case SQL name/);
  });
});
