// Audit trail: hash chains per stream, append-only trigger, and verify detecting any single changed, removed or
// reordered row (guardrails audit:*).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { ManualClock } from '../clock.ts';
import type { Queryable } from '../store/db.ts';
import { sqlState } from '../store/db.ts';
import { AuditLog } from './log.ts';
import { exportAudit, verifyAudit, writeCheckpoint } from './verify.ts';

let db: TestDb;
const clock = new ManualClock();
let log: AuditLog;
let ids: number[] = [];

class Rollback extends Error {}

/** Runs fn inside a transaction that is always rolled back, so each tamper case starts from the clean trail. */
async function inRolledBackTx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
  let out: T | undefined;
  await db
    .transaction(async (tx) => {
      out = await fn(tx);
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return out as T;
}

beforeAll(async () => {
  db = await openTestDb();
  log = new AuditLog(db, clock);
  for (let i = 0; i < 12; i++) {
    const stream = `run:${i % 3}`;
    clock.advance(1000);
    const e = await log.append({
      stream,
      actor: 'agent:test',
      action: 'step.intent',
      subject: stream,
      payload: { i, nested: { b: 1, a: [i] } },
    });
    ids.push(e.id);
    if (i === 5) await writeCheckpoint(db, clock);
  }
  ids = ids.sort((a, b) => a - b);
});
afterAll(async () => {
  await db.dispose();
});

describe('audit trail', () => {
  it('verifies a clean trail with several streams and a checkpoint [audit:chain-verifies]', async () => {
    const report = await verifyAudit(db);
    expect(report).toMatchObject({ ok: true, events: 12, streams: 3, checkpoints: 1, firstBroken: null });
    expect(report.anchor).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects UPDATE, DELETE and TRUNCATE through a trigger [audit:append-only]', async () => {
    const upd = await db
      .query(`UPDATE audit_events SET actor = 'x' WHERE id = $1`, [ids[0]])
      .catch((e: unknown) => e);
    expect(sqlState(upd)).toBe('TW002');
    const del = await db.query('DELETE FROM audit_events WHERE id = $1', [ids[0]]).catch((e: unknown) => e);
    expect(sqlState(del)).toBe('TW002');
    const trunc = await db.exec('TRUNCATE audit_events').catch((e: unknown) => e);
    expect(sqlState(trunc)).toBe('TW002');
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('refuses an event that does not extend its stream head (no forks) [audit:no-fork]', async () => {
    const err = await db
      .query(
        `INSERT INTO audit_events (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
         VALUES ('run:0', 1, now(), 'x', 'x', 'x', '{}', repeat('0', 64), 'f')`,
      )
      .catch((e: unknown) => e);
    expect(sqlState(err)).toBe('TW001');
    // On a stream with a head: a wrong previous hash, a skipped seq and a second start all fail the same way.
    await log.append({ stream: 'run:fork', actor: 'a', action: 'x', subject: 's' });
    await log.append({ stream: 'run:fork', actor: 'a', action: 'x', subject: 's' });
    const head = (
      await db.query<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM audit_heads WHERE stream = 'run:fork'`,
      )
    )[0]!;
    const attempt = (seq: number, prev: string) =>
      db
        .query(
          `INSERT INTO audit_events (stream, seq, at, actor, action, subject, payload, prev_hash, hash)
           VALUES ('run:fork', $1, now(), 'x', 'x', 'x', '{}', $2, 'f')`,
          [seq, prev],
        )
        .catch((e: unknown) => e);
    expect(sqlState(await attempt(Number(head.seq) + 1, 'e'.repeat(64)))).toBe('TW001');
    expect(sqlState(await attempt(Number(head.seq) + 2, head.hash))).toBe('TW001');
    expect(sqlState(await attempt(1, '0'.repeat(64)))).toBe('TW001');
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('recovers from a stale head cache when another writer appended first', async () => {
    const other = new AuditLog(db, clock);
    await log.append({ stream: 'run:stale', actor: 'a', action: 'x', subject: 's' });
    await other.append({ stream: 'run:stale', actor: 'b', action: 'x', subject: 's' });
    const e = await log.append({ stream: 'run:stale', actor: 'a', action: 'x', subject: 's' });
    expect(e.seq).toBe(3);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('detects a change to any single row [audit:tamper-detected]', async () => {
    for (const id of ids) {
      const report = await inRolledBackTx(async (tx) => {
        await tx.exec('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await tx.query(`UPDATE audit_events SET payload = jsonb_set(payload, '{i}', '999') WHERE id = $1`, [
          id,
        ]);
        return verifyAudit(tx);
      });
      expect(report.ok, `change of ${id}`).toBe(false);
      expect(report.firstBroken?.id).toBe(id);
    }
  });

  it('detects the deletion of any single row, the newest included [audit:tamper-detected]', async () => {
    for (const id of ids) {
      const report = await inRolledBackTx(async (tx) => {
        await tx.exec('DROP TRIGGER audit_events_append_only ON audit_events');
        await tx.query('DELETE FROM audit_events WHERE id = $1', [id]);
        return verifyAudit(tx);
      });
      expect(report.ok, `deletion of ${id}`).toBe(false);
    }
  });

  it('detects reordering of two events in a stream and across insertion order [audit:tamper-detected]', async () => {
    const rows = await db.query<{ id: number; stream: string; seq: number }>(
      `SELECT id, stream, seq FROM audit_events WHERE stream = 'run:1' ORDER BY seq`,
    );
    for (let i = 0; i + 1 < rows.length; i++) {
      const [a, b] = [rows[i]!, rows[i + 1]!];
      const report = await inRolledBackTx(async (tx) => {
        await tx.exec('ALTER TABLE audit_events DISABLE TRIGGER USER');
        // Swap the two events' positions (content moves with them).
        await tx.query('UPDATE audit_events SET seq = seq + 100000 WHERE id IN ($1, $2)', [a.id, b.id]);
        await tx.query('UPDATE audit_events SET seq = $2 WHERE id = $1', [a.id, b.seq]);
        await tx.query('UPDATE audit_events SET seq = $2 WHERE id = $1', [b.id, a.seq]);
        return verifyAudit(tx);
      });
      expect(report.ok, `swap ${a.id}/${b.id}`).toBe(false);
      // Swapping ids instead (moving an event earlier in insertion order) is also caught.
      const byId = await inRolledBackTx(async (tx) => {
        await tx.exec('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await tx.query('UPDATE audit_events SET id = -id WHERE id IN ($1, $2)', [a.id, b.id]);
        await tx.query('UPDATE audit_events SET id = $2 WHERE id = $1', [-a.id, b.id]);
        await tx.query('UPDATE audit_events SET id = $2 WHERE id = $1', [-b.id, a.id]);
        return verifyAudit(tx);
      });
      expect(byId.ok, `id swap ${a.id}/${b.id}`).toBe(false);
    }
  });

  it('detects a rewritten checkpoint or a removed head', async () => {
    const cp = await inRolledBackTx(async (tx) => {
      await tx.exec('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
      await tx.query(`UPDATE audit_checkpoints SET heads = '[]'`);
      return verifyAudit(tx);
    });
    expect(cp.ok).toBe(false);
    const head = await inRolledBackTx(async (tx) => {
      await tx.exec('ALTER TABLE audit_heads DISABLE TRIGGER USER');
      await tx.query(`DELETE FROM audit_heads WHERE stream = 'run:2'`);
      return verifyAudit(tx);
    });
    expect(head.ok).toBe(false);
  });

  it('exports every event as JSONL in insertion order [audit:export-jsonl]', async () => {
    const lines: string[] = [];
    const n = await exportAudit(db, (l) => {
      lines.push(l);
    });
    expect(n).toBe(lines.length);
    const parsed = lines.map((l) => JSON.parse(l) as { id: number; hash: string });
    expect(parsed.map((p) => p.id)).toEqual([...parsed.map((p) => p.id)].sort((a, b) => a - b));
    expect(parsed[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
