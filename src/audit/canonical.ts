// Canonical encoding for hashing: JSON with object keys sorted at every depth, no whitespace. jsonb reorders
// keys, so hashing the canonical form makes the hash independent of how the database stores the payload.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  stream: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
}

/** hash = SHA-256(prev_hash || canonical(event)). */
export function eventHash(prevHash: string, e: HashedFields): string {
  return sha256Hex(
    prevHash +
      canonicalJson({
        stream: e.stream,
        seq: e.seq,
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        subject: e.subject,
        payload: e.payload,
      }),
  );
}

/**
 * Round-trips a payload through JSON so what we hash is exactly what jsonb will give back (jsonb cannot hold NUL,
 * so NULs in strings are dropped here, before hashing).
 */
export function normalizePayload(payload: unknown): unknown {
  return JSON.parse(
    JSON.stringify(payload ?? {}, (_k, v: unknown) =>
      typeof v === 'string' ? v.replaceAll('\u0000', '') : v,
    ),
  );
}
