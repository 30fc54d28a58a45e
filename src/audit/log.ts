// Appending to the audit trail. Each stream (a run, an agent, the system) is its own hash chain; the database
// trigger refuses an event that does not extend its stream's head, so two nodes can never fork a chain. Heads
// are cached per process to save a read; a stale cache only costs one retry.
import type { Clock } from '../clock.ts';
import { type Queryable, sqlState } from '../store/db.ts';
import { eventHash, GENESIS_HASH, normalizePayload } from './canonical.ts';

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
  const payload = normalizePayload(input.payload);
  const seq = head.seq + 1;
  const hash = eventHash(head.hash, { ...input, seq, at, payload });
  return {
    values: [
      input.stream,
      seq,
      at,
      input.actor,
      input.action,
      input.subject,
      JSON.stringify(payload),
      head.hash,
      hash,
    ],
    next: { seq, hash },
  };
}

/** `$n, $n+1, …` placeholders for the audit values starting at parameter n. */
export function auditPlaceholders(first: number): string {
  return Array.from({ length: 9 }, (_, i) => `$${first + i}`).join(', ');
}

export const AUDIT_CHAIN_CONFLICT = 'TW001';

const MAX_HEAD_CACHE = 10_000;

export class AuditLog {
  private readonly heads = new Map<string, Head>();

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends one event. Outside a transaction it retries on a chain conflict (another node appended first).
   * Inside one (`tx`), the head is read fresh, and a conflict aborts the caller's transaction.
   */
  async append(input: AuditInput, tx?: Queryable): Promise<AuditEvent> {
    for (let attempt = 0; ; attempt++) {
      const q = tx ?? this.db;
      const head = (!tx && this.heads.get(input.stream)) || (await this.readHead(q, input.stream));
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
