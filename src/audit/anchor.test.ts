// Anchors against an owner who turns the triggers off (guardrail audit:anchor-detects-rewrite): each tamper case is
// built so that plain verify passes (shown), and an anchor taken before it no longer verifies; a good anchor does,
// and a forged or re-keyed one is refused. audit_heads and audit_checkpoints keep their own guards for every other
// role (audit:heads-guarded). Runs on PGlite and, with TEST_DATABASE_URL, on the PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/db.ts';
import { ManualClock } from '../clock.ts';
import type { Queryable } from '../store/db.ts';
import { sqlState } from '../store/db.ts';
import {
  type Anchor,
  anchorMessage,
  anchorSignatureProblem,
  parseAnchors,
  takeAnchor,
  verifyAnchors,
} from './anchor.ts';
import { eventHash, GENESIS_HASH } from './canonical.ts';
import { AuditLog, presentAuditRow } from './log.ts';
import { checkpointHash, verifyAudit, writeCheckpoint } from './verify.ts';

const KEY = 'an anchor key for the tests only, 32+ characters';
let db: TestDb;
const clock = new ManualClock();
let log: AuditLog;
let anchor: Anchor;
let periodic: number; // the checkpoint before the anchor's

class Rollback extends Error {}

/** Runs fn as the tables' owner with every audit trigger off, in a transaction that is always rolled back. */
async function asOwnerRolledBack<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
  let out: T | undefined;
  await db
    .transaction(async (tx) => {
      for (const table of ['audit_events', 'audit_heads', 'audit_checkpoints'])
        await tx.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      out = await fn(tx);
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return out as T;
}

/** Recomputes every link of a stream from its (edited) rows and moves its head to match, as a forger would. */
async function reseal(tx: Queryable, stream: string): Promise<void> {
  const rows = (await tx.query('SELECT * FROM audit_events WHERE stream = $1 ORDER BY seq', [stream])).map(
    presentAuditRow,
  );
  let prev = GENESIS_HASH;
  for (const e of rows) {
    const hash = eventHash(prev, e);
    await tx.query('UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE id = $1', [e.id, prev, hash]);
    prev = hash;
  }
  await tx.query('UPDATE audit_heads SET seq = $2, hash = $3 WHERE stream = $1', [
    stream,
    rows.at(-1)!.seq,
    prev,
  ]);
}

/** Drops the checkpoints from `fromId` on and rewinds the heads' checkpointed_seq to what is left sealed. */
async function dropCheckpointsFrom(tx: Queryable, fromId: number): Promise<void> {
  await tx.query('DELETE FROM audit_checkpoints WHERE id >= $1', [fromId]);
  await tx.query('UPDATE audit_heads SET checkpointed_seq = 0');
  for (const cp of await tx.query<{ heads: { stream: string; seq: number }[] }>(
    'SELECT heads FROM audit_checkpoints ORDER BY id',
  ))
    for (const h of cp.heads)
      await tx.query('UPDATE audit_heads SET checkpointed_seq = $2 WHERE stream = $1', [h.stream, h.seq]);
}

async function append(stream: string, i: number) {
  clock.advance(1000);
  return log.append({ stream, actor: 'agent:test', action: 'step.intent', subject: stream, payload: { i } });
}

beforeAll(async () => {
  db = await openTestDb();
  log = new AuditLog(db, clock);
  for (let i = 0; i < 9; i++) await append(`run:${i % 3}`, i);
  periodic = (await writeCheckpoint(db, clock))!.id; // the 5-minute job
  for (let i = 9; i < 15; i++) await append(`run:${i % 3}`, i); // after the last periodic checkpoint
  anchor = await takeAnchor(db, clock, KEY); // seals them in a fresh checkpoint
});
afterAll(async () => {
  await db.dispose();
});

describe('audit anchors', () => {
  it('a fresh anchor signs a new checkpoint, verifies, and round-trips through its text', async () => {
    expect(anchor.checkpoint).toBeGreaterThan(periodic);
    expect(anchorSignatureProblem(anchor, KEY)).toBeNull();
    expect(await verifyAnchors(db, [anchor], KEY)).toEqual([]);
    const [parsed] = parseAnchors(`${JSON.stringify(anchor)}\n`);
    expect(parsed).toEqual(anchor);
    // Nothing moved since: a second anchor names the same checkpoint instead of an empty one.
    expect((await takeAnchor(db, clock, KEY)).checkpoint).toBe(anchor.checkpoint);
  });

  it('refuses a forged, altered or differently keyed anchor [audit:anchor-detects-rewrite]', async () => {
    const flipped = anchor.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(anchorSignatureProblem({ ...anchor, signature: flipped }, KEY)).toMatch(/forged or altered/);
    // A forger's anchor for a checkpoint of their own making, with the original signature.
    const [cp] = await db.query<{ hash: string }>('SELECT hash FROM audit_checkpoints WHERE id = $1', [
      periodic,
    ]);
    const moved = { ...anchor, checkpoint: periodic, hash: cp!.hash };
    const problems = await verifyAnchors(db, [moved], KEY);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toMatch(/^anchor of checkpoint \d+: its signature does not match/);
    // Signed with another key: named as such, never accepted.
    expect(anchorSignatureProblem(anchor, 'another key that is long enough to be used')).toMatch(
      /not signed with this key \(it names key [0-9a-f]{16}, this one is [0-9a-f]{16}\)/,
    );
    expect(anchorMessage(anchor)).toBe(
      `twelve-audit-anchor/1 ${anchor.checkpoint} ${anchor.hash} ${anchor.at}`,
    );
  });

  it('catches an event edited after the last checkpoint by an owner with the triggers off [audit:anchor-detects-rewrite]', async () => {
    const [victim] = await db.query<{ id: number; stream: string }>(
      `SELECT id, stream FROM audit_events WHERE payload->>'i' = '13'`,
    );
    // Without an anchor this is invisible: edited and re-linked after the last checkpoint, verify passes.
    const unanchored = await asOwnerRolledBack(async (tx) => {
      await dropCheckpointsFrom(tx, anchor.checkpoint); // as before the anchor was taken
      await tx.query(`UPDATE audit_events SET payload = '{"i": 13, "forged": true}' WHERE id = $1`, [
        victim!.id,
      ]);
      await reseal(tx, victim!.stream);
      return verifyAudit(tx);
    });
    expect(unanchored).toMatchObject({ ok: true, checkpoints: 1 });

    // With the anchor's checkpoint sealing it, the same edit must also remove that checkpoint to pass verify.
    const { plain, anchored } = await asOwnerRolledBack(async (tx) => {
      await tx.query(`UPDATE audit_events SET payload = '{"i": 13, "forged": true}' WHERE id = $1`, [
        victim!.id,
      ]);
      await reseal(tx, victim!.stream);
      const sealed = await verifyAudit(tx);
      expect(sealed.ok).toBe(false); // the anchor's checkpoint names the old hash
      await dropCheckpointsFrom(tx, anchor.checkpoint);
      return { plain: await verifyAudit(tx), anchored: await verifyAnchors(tx, [anchor], KEY) };
    });
    expect(plain.ok).toBe(true);
    expect(anchored.map((p) => p.reason)).toEqual([
      `anchor of checkpoint ${anchor.checkpoint}: the checkpoint is missing (the newest is ${periodic}): checkpoints were deleted, and the events they sealed may have been changed`,
    ]);
  });

  it('catches the deletion of the newest checkpoint and the events it sealed [audit:anchor-detects-rewrite]', async () => {
    const { plain, anchored } = await asOwnerRolledBack(async (tx) => {
      // The last two events of run:2 go, its head steps back, and the checkpoint that sealed them goes too.
      const [head] = await tx.query<{ seq: number }>(`SELECT seq FROM audit_heads WHERE stream = 'run:2'`);
      await tx.query(`DELETE FROM audit_events WHERE stream = 'run:2' AND seq > $1`, [head!.seq - 2]);
      await reseal(tx, 'run:2');
      await dropCheckpointsFrom(tx, anchor.checkpoint);
      return { plain: await verifyAudit(tx), anchored: await verifyAnchors(tx, [anchor], KEY) };
    });
    expect(plain).toMatchObject({ ok: true, checkpoints: 1 });
    expect(anchored).toHaveLength(1);
    expect(anchored[0]!.reason).toMatch(/the checkpoint is missing/);
  });

  it('catches a full re-seal: an old event edited, every chain and checkpoint recomputed [audit:anchor-detects-rewrite]', async () => {
    const { plain, anchored } = await asOwnerRolledBack(async (tx) => {
      const [victim] = await tx.query<{ id: number; stream: string }>(
        `SELECT id, stream FROM audit_events WHERE payload->>'i' = '1'`,
      );
      await tx.query(`UPDATE audit_events SET payload = '{"i": 1, "forged": true}' WHERE id = $1`, [
        victim!.id,
      ]);
      await reseal(tx, victim!.stream);
      // Every checkpoint rewritten in place (same ids and times) over the new hashes.
      let prev = GENESIS_HASH;
      for (const cp of await tx.query<{ id: number; at: Date; heads: { stream: string; seq: number }[] }>(
        'SELECT id, at, heads FROM audit_checkpoints ORDER BY id',
      )) {
        const heads = [];
        for (const h of cp.heads) {
          const [e] = await tx.query<{ hash: string }>(
            'SELECT hash FROM audit_events WHERE stream = $1 AND seq = $2',
            [h.stream, h.seq],
          );
          heads.push({ stream: h.stream, seq: h.seq, hash: e!.hash });
        }
        const hash = checkpointHash(prev, cp.at, heads);
        await tx.query('UPDATE audit_checkpoints SET heads = $2, prev_hash = $3, hash = $4 WHERE id = $1', [
          cp.id,
          JSON.stringify(heads),
          prev,
          hash,
        ]);
        prev = hash;
      }
      return { plain: await verifyAudit(tx), anchored: await verifyAnchors(tx, [anchor], KEY) };
    });
    expect(plain).toMatchObject({ ok: true, checkpoints: 2 });
    expect(anchored.map((p) => p.reason)).toEqual([
      `anchor of checkpoint ${anchor.checkpoint}: the trail's checkpoint ${anchor.checkpoint} has another hash: the trail was re-sealed after a change`,
    ]);
  });
});

describe('audit_heads and audit_checkpoints guards [audit:heads-guarded]', () => {
  const refused = async (sql: string, params: unknown[] = []) => {
    const err = await db
      .transaction(async (tx) => {
        await tx.query(sql, params);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err, sql).not.toBeNull();
    return sqlState(err);
  };

  it('refuses DELETE and TRUNCATE of heads and TRUNCATE of checkpoints', async () => {
    expect(await refused(`DELETE FROM audit_heads WHERE stream = 'run:0'`)).toBe('TW002');
    expect(await refused('TRUNCATE audit_heads')).toBe('TW002');
    expect(await refused('TRUNCATE audit_checkpoints')).toBe('TW002');
    expect(await refused('DELETE FROM audit_checkpoints')).toBe('TW002');
  });

  it('moves a head only with an appended event, and its checkpoint mark only forward', async () => {
    const [h] = await db.query<{ seq: number; hash: string; checkpointed_seq: number }>(
      `SELECT seq, hash, checkpointed_seq FROM audit_heads WHERE stream = 'run:0'`,
    );
    // A head moved by hand, forward (onto a forged event) or back (hiding the newest events): refused.
    expect(
      await refused(`UPDATE audit_heads SET seq = seq + 1, hash = $1 WHERE stream = 'run:0'`, [
        'f'.repeat(64),
      ]),
    ).toBe('TW002');
    expect(await refused(`UPDATE audit_heads SET seq = seq - 1 WHERE stream = 'run:0'`)).toBe('TW002');
    expect(await refused(`UPDATE audit_heads SET stream = 'run:x' WHERE stream = 'run:0'`)).toBe('TW002');
    expect(await refused(`UPDATE audit_heads SET checkpointed_seq = 0 WHERE stream = 'run:0'`)).toBe('TW002');
    expect(await refused(`UPDATE audit_heads SET checkpointed_seq = seq + 1 WHERE stream = 'run:0'`)).toBe(
      'TW002',
    );
    expect(
      await refused(`INSERT INTO audit_heads (stream, seq, hash) VALUES ('run:new', 1, $1)`, [
        'a'.repeat(64),
      ]),
    ).toBe('TW002');
    // A checkpoint that does not extend the chain.
    expect(
      await refused(
        `INSERT INTO audit_checkpoints (at, heads, prev_hash, hash) VALUES (now(), '[]', $1, $1)`,
        [GENESIS_HASH],
      ),
    ).toBe('TW001');

    // The legitimate moves still work: an append moves the head one step, a checkpoint marks it, a new stream starts.
    const e = await append('run:0', 100);
    const fresh = await append('run:fresh', 101);
    expect(fresh.seq).toBe(1);
    const [after] = await db.query<{ seq: number; hash: string }>(
      `SELECT seq, hash FROM audit_heads WHERE stream = 'run:0'`,
    );
    expect(after).toEqual({ seq: h!.seq + 1, hash: e.hash });
    const cp = await writeCheckpoint(db, clock);
    expect(cp?.streams).toBe(2);
    expect(h!.checkpointed_seq).toBe(h!.seq);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });
});
