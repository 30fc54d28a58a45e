// Verification of the audit trail: every stream's chain (contiguous seq, prev links, recomputed hashes, ids
// increasing with seq), every stream's head, and the checkpoint chain that ties the heads of all streams
// together. Any changed, removed or reordered event breaks at least one of these; the report names the first.
import type { Clock } from '../clock.ts';
import type { Db, Queryable } from '../store/db.ts';
import { canonicalJson, eventHash, GENESIS_HASH, sha256Hex } from './canonical.ts';
import { type AuditEvent, presentAuditRow } from './log.ts';

export interface BrokenLink {
  id: number | null;
  stream: string;
  seq: number | null;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  streams: number;
  checkpoints: number;
  firstBroken: BrokenLink | null;
  problems: BrokenLink[];
  /** Hash of the latest checkpoint: pin it outside the database to detect truncation of the newest data. */
  anchor: string | null;
}

const BATCH = 2000;

export async function verifyAudit(
  db: Queryable,
  onProgress?: (checked: number) => void,
): Promise<VerifyReport> {
  const problems: BrokenLink[] = [];
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const h of await db.query<{ stream: string; seq: number; hash: string }>(
    'SELECT stream, seq, hash FROM audit_heads',
  )) {
    heads.set(h.stream, { seq: h.seq, hash: h.hash });
  }

  let events = 0;
  let streams = 0;
  let current: { stream: string; seq: number; hash: string; id: number } | null = null;
  const seenStreams = new Set<string>();
  const finishStream = () => {
    if (!current) return;
    const head = heads.get(current.stream);
    if (!head)
      problems.push({
        id: current.id,
        stream: current.stream,
        seq: current.seq,
        reason: 'stream has no head',
      });
    else if (head.seq !== current.seq || head.hash !== current.hash) {
      problems.push({
        id: current.id,
        stream: current.stream,
        seq: current.seq,
        reason: `stream ends at seq ${current.seq} but its head says seq ${head.seq}: events were removed or altered`,
      });
    }
  };

  let after: { stream: string; seq: number } | null = null;
  for (;;) {
    const rows: Record<string, unknown>[] = after
      ? await db.query(
          `SELECT * FROM audit_events WHERE (stream, seq) > ($1, $2) ORDER BY stream, seq LIMIT ${BATCH}`,
          [after.stream, after.seq],
        )
      : await db.query(`SELECT * FROM audit_events ORDER BY stream, seq LIMIT ${BATCH}`);
    if (rows.length === 0) break;
    for (const row of rows) {
      const e = presentAuditRow(row);
      events++;
      if (!current || current.stream !== e.stream) {
        finishStream();
        streams++;
        seenStreams.add(e.stream);
        current = null;
      }
      checkLink(e, current, problems);
      current = { stream: e.stream, seq: e.seq, hash: e.hash, id: e.id };
    }
    const last = presentAuditRow(rows[rows.length - 1]!);
    after = { stream: last.stream, seq: last.seq };
    onProgress?.(events);
  }
  finishStream();
  for (const stream of heads.keys()) {
    if (!seenStreams.has(stream))
      problems.push({ id: null, stream, seq: null, reason: 'a head names a stream with no events' });
  }

  const { count: checkpoints, anchor } = await verifyCheckpoints(db, problems);
  const ordered = [...problems].sort(
    (a, b) => (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER),
  );
  return {
    ok: problems.length === 0,
    events,
    streams,
    checkpoints,
    firstBroken: ordered[0] ?? null,
    problems: ordered,
    anchor,
  };
}

function checkLink(
  e: AuditEvent,
  prev: { stream: string; seq: number; hash: string; id: number } | null,
  problems: BrokenLink[],
): void {
  const at = { id: e.id, stream: e.stream, seq: e.seq };
  const expectedSeq = prev ? prev.seq + 1 : 1;
  const expectedPrev = prev ? prev.hash : GENESIS_HASH;
  if (e.seq !== expectedSeq)
    problems.push({ ...at, reason: `expected seq ${expectedSeq}, found ${e.seq}: an event is missing` });
  else if (e.prevHash !== expectedPrev)
    problems.push({ ...at, reason: 'prev_hash does not match the previous event' });
  if (prev && e.id <= prev.id) problems.push({ ...at, reason: 'event order differs from insertion order' });
  if (eventHash(e.prevHash, e) !== e.hash)
    problems.push({ ...at, reason: 'hash does not match the event content' });
}

interface CheckpointHead {
  stream: string;
  seq: number;
  hash: string;
}

export function checkpointHash(prevHash: string, at: Date, heads: CheckpointHead[]): string {
  return sha256Hex(prevHash + canonicalJson({ at: at.toISOString(), heads }));
}

async function verifyCheckpoints(
  db: Queryable,
  problems: BrokenLink[],
): Promise<{ count: number; anchor: string | null }> {
  const rows = await db.query<{
    id: number;
    at: Date;
    heads: CheckpointHead[];
    prev_hash: string;
    hash: string;
  }>('SELECT id, at, heads, prev_hash, hash FROM audit_checkpoints ORDER BY id');
  let prev = GENESIS_HASH;
  for (const cp of rows) {
    const stream = `checkpoint:${cp.id}`;
    if (cp.prev_hash !== prev)
      problems.push({ id: null, stream, seq: null, reason: 'checkpoint chain is broken' });
    if (checkpointHash(cp.prev_hash, cp.at, cp.heads) !== cp.hash) {
      problems.push({ id: null, stream, seq: null, reason: 'checkpoint hash does not match its content' });
    }
    prev = cp.hash;
    for (const head of cp.heads) {
      const [ev] = await db.query<{ id: number; hash: string }>(
        'SELECT id, hash FROM audit_events WHERE stream = $1 AND seq = $2',
        [head.stream, head.seq],
      );
      if (!ev)
        problems.push({
          id: null,
          stream: head.stream,
          seq: head.seq,
          reason: `event named by checkpoint ${cp.id} is missing`,
        });
      else if (ev.hash !== head.hash) {
        problems.push({
          id: ev.id,
          stream: head.stream,
          seq: head.seq,
          reason: `event differs from checkpoint ${cp.id}`,
        });
      }
    }
  }
  return { count: rows.length, anchor: rows.length ? prev : null };
}

/** Seals the heads that moved since the last checkpoint into the checkpoint chain. Returns null when none did. */
export async function writeCheckpoint(
  db: Db,
  clock: Clock,
): Promise<{ id: number; hash: string; streams: number } | null> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7212002)');
    const heads = await tx.query<CheckpointHead>(
      'SELECT stream, seq, hash FROM audit_heads WHERE seq > checkpointed_seq ORDER BY stream',
    );
    if (heads.length === 0) return null;
    const [last] = await tx.query<{ hash: string }>(
      'SELECT hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1',
    );
    const prevHash = last?.hash ?? GENESIS_HASH;
    const at = clock.now();
    const hash = checkpointHash(prevHash, at, heads);
    const [row] = await tx.query<{ id: number }>(
      'INSERT INTO audit_checkpoints (at, heads, prev_hash, hash) VALUES ($1, $2, $3, $4) RETURNING id',
      [at, JSON.stringify(heads), prevHash, hash],
    );
    for (const h of heads) {
      await tx.query('UPDATE audit_heads SET checkpointed_seq = $2 WHERE stream = $1 AND seq >= $2', [
        h.stream,
        h.seq,
      ]);
    }
    return { id: row!.id, hash, streams: heads.length };
  });
}

/** Writes every event as one JSON line, in insertion order. */
export async function exportAudit(
  db: Queryable,
  write: (line: string) => void | Promise<void>,
): Promise<number> {
  let after = 0;
  let n = 0;
  for (;;) {
    const rows = await db.query(`SELECT * FROM audit_events WHERE id > $1 ORDER BY id LIMIT ${BATCH}`, [
      after,
    ]);
    if (rows.length === 0) return n;
    for (const row of rows) {
      const e = presentAuditRow(row);
      await write(JSON.stringify({ ...e, at: e.at.toISOString() }));
      after = e.id;
      n++;
    }
  }
}
