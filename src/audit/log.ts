// Appending to the audit trail. Each stream (a run, an agent, the system) is its own hash chain; the database
// trigger refuses an event that does not extend its stream's head, so two nodes can never fork a chain. Heads
// are cached per process to save a read; a stale cache only costs one retry. Writers of a shared stream (an agent's,
// the system's) take its head row lock inside their transaction before appending, so concurrent commands queue
// instead of failing; a run's stream has one writer, its lease holder, and skips the lock.
import type { Clock } from '../clock.ts';
import { type Db, type Queryable, sqlState } from '../store/db.ts';
import { eventHash, GENESIS_HASH, normalizedPayloadText } from './canonical.ts';

export interface AuditInput {
  stream: string;
  actor: string;
  action: string;
  subject: string;
  payload?: unknown;
}

export interface AuditEvent {
  id: number;
  stream: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export interface Head {
  seq: number;
  hash: string;
}

/** Columns of an audit row, in the order `auditRow` returns their values. */
export const AUDIT_COLUMNS = 'stream, seq, at, actor, action, subject, payload, prev_hash, hash';

/**
 * The values of one event extending `head`, for callers that fold the audit insert into a larger statement
 * (the runtime's hot path). The trigger still checks the link; a stale head fails the whole statement.
 */
export function auditRow(input: AuditInput, head: Head, at: Date): { values: unknown[]; next: Head } {
  const text = normalizedPayloadText(input.payload);
  const payload: unknown = JSON.parse(text);
  const seq = head.seq + 1;
  const hash = eventHash(head.hash, { ...input, seq, at, payload });
  return {
    values: [input.stream, seq, at, input.actor, input.action, input.subject, text, head.hash, hash],
    next: { seq, hash },
  };
}

/** `$n, $n+1, …` placeholders for the audit values starting at parameter n. */
export function auditPlaceholders(first: number): string {
  let text = placeholders.get(first);
  if (text === undefined) {
    text = Array.from({ length: 9 }, (_, i) => `$${first + i}`).join(', ');
    placeholders.set(first, text);
  }
  return text;
}
const placeholders = new Map<number, string>();

export const AUDIT_CHAIN_CONFLICT = 'TW001';

/**
 * The actions every run or step writes: the action index leaves them out (migration 032 names the same list, and
 * audit.test.ts holds the two together). HOT_ACTIONS_EXCLUDED is that index's predicate, for queries that use it.
 */
export const HOT_ACTIONS: readonly string[] = [
  'run.started',
  'run.done',
  'tool.intent',
  'tool.succeeded',
  'tool.failed',
  'reply.sent',
];
export const HOT_ACTIONS_EXCLUDED = `action NOT IN (${HOT_ACTIONS.map((a) => `'${a}'`).join(', ')})`;

const MAX_HEAD_CACHE = 10_000;

export class AuditLog {
  private readonly heads = new Map<string, Head>();

  constructor(
    private readonly db: Queryable | Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends one event. Inside a transaction (`tx`) the head is read fresh; on a shared stream it is locked
   * (`lockHead`) until the caller's transaction ends, so a concurrent writer waits for it and then extends the new
   * head. Outside a transaction, a shared stream's event is appended in a transaction of its own, the same way; a
   * run's event retries on a chain conflict.
   */
  async append(input: AuditInput, tx?: Queryable): Promise<AuditEvent> {
    const shared = !isRunStream(input.stream);
    if (!tx && shared && 'transaction' in this.db) {
      return this.db.transaction((own) => this.append(input, own));
    }
    for (let attempt = 0; ; attempt++) {
      const q = tx ?? this.db;
      const head =
        (!tx && this.heads.get(input.stream)) ||
        (tx && shared ? await this.lockHead(tx, input.stream) : await this.readHead(q, input.stream));
      const at = this.clock.now();
      const { values, next } = auditRow(input, head, at);
      try {
        const [row] = await q.query<{ id: number }>(
          `INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(1)}) RETURNING id`,
          values,
        );
        if (tx) this.heads.delete(input.stream);
        else this.remember(input.stream, next);
        return {
          id: row!.id,
          stream: input.stream,
          seq: next.seq,
          at,
          actor: input.actor,
          action: input.action,
          subject: input.subject,
          payload: JSON.parse(values[6] as string),
          prevHash: head.hash,
          hash: next.hash,
        };
      } catch (err) {
        this.heads.delete(input.stream);
        const code = sqlState(err);
        if (tx || attempt >= 5 || (code !== AUDIT_CHAIN_CONFLICT && code !== '23505')) throw err;
      }
    }
  }

  private remember(stream: string, head: Head): void {
    if (this.heads.size >= MAX_HEAD_CACHE) this.heads.clear();
    this.heads.set(stream, head);
  }

  async readHead(q: Queryable, stream: string): Promise<Head> {
    const [row] = await q.query<Head>('SELECT seq, hash FROM audit_heads WHERE stream = $1', [stream]);
    return row ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Reads a stream's head and holds its row lock until `tx` ends: a concurrent writer waits here, then reads the
   * head this transaction left. A stream without a head yet has no row to lock: a transaction-scoped advisory lock
   * on its name makes its first writers queue the same way (the second then finds the first one's head).
   */
  async lockHead(tx: Queryable, stream: string): Promise<Head> {
    const [row] = await tx.query<Head>('SELECT seq, hash FROM audit_heads WHERE stream = $1 FOR UPDATE', [
      stream,
    ]);
    if (row) return row;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit_heads:' || $1, 0))`, [stream]);
    const [created] = await tx.query<Head>('SELECT seq, hash FROM audit_heads WHERE stream = $1 FOR UPDATE', [
      stream,
    ]);
    return created ?? { seq: 0, hash: GENESIS_HASH };
  }
}

/** A run's stream is written only by the node holding the run's lease (and humans acting on its escalations). */
function isRunStream(stream: string): boolean {
  return stream.startsWith('run:');
}

export function presentAuditRow(row: Record<string, unknown>): AuditEvent {
  return {
    id: Number(row.id),
    stream: String(row.stream),
    seq: Number(row.seq),
    at: row.at as Date,
    actor: String(row.actor),
    action: String(row.action),
    subject: String(row.subject),
    payload: row.payload,
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}
