// Canonical encoding for hashing: JSON with object keys sorted at every depth, no whitespace. jsonb reorders
// keys, so hashing the canonical form makes the hash independent of how the database stores the payload.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // Plain loops and one string: this runs twice per audited step on the runtime's hot path.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v = value[i];
      out += canonicalJson(v === undefined ? null : v);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  // Array.prototype.sort without a comparator orders by UTF-16 code units, as `<` does.
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
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
  // canonicalJson of {stream, seq, at, actor, action, subject, payload}, written out with its keys already in order
  // (action, actor, at, payload, seq, stream, subject): the same text, without sorting seven keys per event.
  // canonical.test.ts holds it to canonicalJson.
  return sha256Hex(
    `${prevHash}{"action":${JSON.stringify(e.action)},"actor":${JSON.stringify(e.actor)},"at":${JSON.stringify(
      e.at.toISOString(),
    )},${e.payload === undefined ? '' : `"payload":${canonicalJson(e.payload)},`}"seq":${canonicalJson(
      e.seq,
    )},"stream":${JSON.stringify(e.stream)},"subject":${JSON.stringify(e.subject)}}`,
  );
}

/** eventHash as canonicalJson writes the event: the reference the fast form is tested against. */
export function eventHashReference(prevHash: string, e: HashedFields): string {
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
  return JSON.parse(normalizedPayloadText(payload));
}

/** The JSON text normalizePayload parses: what the audit row stores (JSON.stringify of the parsed value is this text). */
export function normalizedPayloadText(payload: unknown): string {
  return JSON.stringify(payload ?? {}, (_k, v: unknown) =>
    typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '') : v,
  );
}
