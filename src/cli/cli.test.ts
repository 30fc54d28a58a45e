// The CLI end to end on a PGlite data folder: demo runs, `audit verify` passing, then failing with the broken link
// after a tampered row; `audit export` writes JSONL; unknown commands and flags exit 2.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/cli.ts';
import { openDatabase } from '../store/open.ts';
import { main } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = (env: NodeJS.ProcessEnv = { TWELVE_DATA_DIR: dir }) => captureIo(env);

describe('twelve CLI', () => {
  it('verifies a trail with runs, then names the broken link after tampering [audit:tamper-detected]', async () => {
    const demo = capture();
    expect(await main(['demo', 'runtime'], demo)).toBe(0);
    expect(demo.stdout.join('\n')).toMatch(/suspended \(mode pilot/);

    const ok = capture();
    expect(await main(['audit', 'verify'], ok)).toBe(0);
    expect(ok.stdout[0]).toMatch(/^OK: \d+ events in \d+ streams/);

    const db = await openDatabase({ dataDir: dir });
    const [victim] = await db.query<{ id: number }>(
      `SELECT id FROM audit_events WHERE action = 'tool.intent' ORDER BY id LIMIT 1`,
    );
    await db.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await db.query(
      `UPDATE audit_events SET payload = '{"tool":"notes.search","forged":true}' WHERE id = $1`,
      [victim!.id],
    );
    await db.close();

    const broken = capture();
    expect(await main(['audit', 'verify'], broken)).toBe(1);
    expect(broken.stderr[0]).toContain(`first broken link at event ${victim!.id}`);
    const json = capture();
    await main(['audit', 'verify', '--json'], json);
    expect(JSON.parse(json.stdout[0]!)).toMatchObject({ ok: false, firstBroken: { id: victim!.id } });
  }, 60_000);

  it('exports the trail as JSONL to a file [audit:export-jsonl]', async () => {
    const out = join(dir, 'audit.jsonl');
    const io = capture();
    expect(await main(['audit', 'export', '--out', out], io)).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(JSON.parse(lines[0]!)).toHaveProperty('hash');
  }, 60_000);

  it('sets up the example support agent in one command, ready to answer', async () => {
    const io = capture({ TWELVE_DATA_DIR: join(dir, 'support-demo') });
    expect(await main(['demo', 'support'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/12 FAQ entries created/);
    expect(out).toMatch(/evaluation: .* passed/);
    expect(out).toMatch(/effective mode production/);
    // The example's business hours (agent-config.json) are the agent's: the hand-off message follows them.
    expect(out).toMatch(
      /hand-off message now: "(Connecting you to a person\. Usual reply time: within 2 hours\.|We're closed now; a person will reply .+ \(Europe\/London\)\. You can leave your messages here\.)"/,
    );
    expect(out).toMatch(/\/demo\?agent=northwind/);
  }, 60_000);

  it('exits 2 with usage on unknown commands and flags', async () => {
    expect(await main(['frobnicate'], capture())).toBe(2);
    const io = capture();
    expect(await main(['audit', 'verify', '--nope'], io)).toBe(2);
    expect(io.stderr.join(' ')).toMatch(/nope/);
  });

  it('refuses to start with a readable list of every bad setting', async () => {
    const io = capture({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(await main(['start'], io)).toBe(78);
    const text = io.stderr.join('\n');
    expect(text).toMatch(/PORT/);
    expect(text).toMatch(/DATABASE_URL/);
    expect(text).toMatch(/LOG_LEVEL/);
  });
});
