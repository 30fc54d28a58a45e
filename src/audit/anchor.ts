// Anchors: a signed copy of one checkpoint's hash, kept outside the database. The triggers bind every role but the
// tables' owner; an owner can disable them, edit events and re-seal the chains (or delete the newest checkpoints) so
// that `verify` passes. An anchor taken before that no longer matches: its checkpoint is gone or has another hash.
//
// An anchor is one line of JSON: {"anchor":"twelve-audit/1","checkpoint":ID,"at":ISO,"hash":HEX,"key":KEYID,
// "signature":HEX}. signature = HMAC-SHA256(key, "twelve-audit-anchor/1 <checkpoint> <hash> <at>"), the key being
// the UTF-8 bytes of TWELVE_AUDIT_ANCHOR_KEY, else of the data folder's audit-anchor.key (64 hex characters written
// by the first `twelve audit anchor`). key = the first 16 hex characters of SHA-256(key), to tell which key signed.
// Verifiable offline with openssl: printf '%s' "twelve-audit-anchor/1 …" | openssl dgst -sha256 -hmac "$KEY".
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Db, Queryable } from '../store/db.ts';
import { sha256Hex } from './canonical.ts';
import { type BrokenLink, type VerifyReport, verifyAudit, writeCheckpoint } from './verify.ts';

export const ANCHOR_VERSION = 'twelve-audit/1';
export const ANCHOR_KEY_ENV = 'TWELVE_AUDIT_ANCHOR_KEY';
export const ANCHOR_KEY_FILE = 'audit-anchor.key';
const MIN_KEY_LENGTH = 32;

export interface Anchor {
  anchor: typeof ANCHOR_VERSION;
  checkpoint: number;
  at: string;
  hash: string;
  key: string;
  signature: string;
}

export class AnchorError extends Error {
  override name = 'AnchorError';
}

export interface AnchorKey {
  key: string;
  /** Where it came from, for messages: the variable's name or the file's path. */
  source: string;
}

/**
 * The signing key: TWELVE_AUDIT_ANCHOR_KEY, else <dataDir>/audit-anchor.key; with `create`, a missing file is written
 * (32 random bytes as hex, readable by the owner only). Null when there is none and none may be made.
 */
export function anchorKey(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  options: { create?: boolean } = {},
): AnchorKey | null {
  const fromEnv = env[ANCHOR_KEY_ENV];
  if (fromEnv) {
    if (fromEnv.length < MIN_KEY_LENGTH)
      throw new AnchorError(`${ANCHOR_KEY_ENV} must be at least ${MIN_KEY_LENGTH} characters long`);
    return { key: fromEnv, source: ANCHOR_KEY_ENV };
  }
  const file = join(dataDir, ANCHOR_KEY_FILE);
  const fromFile = (): AnchorKey => {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length < MIN_KEY_LENGTH)
      throw new AnchorError(`${file} must hold a key of at least ${MIN_KEY_LENGTH} characters`);
    return { key, source: file };
  };
  if (existsSync(file)) return fromFile();
  if (!options.create) return null;
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fromFile(); // another anchor made it first
    throw err;
  }
  return { key, source: file };
}

export function keyId(key: string): string {
  return sha256Hex(key).slice(0, 16);
}

export function anchorMessage(a: Pick<Anchor, 'checkpoint' | 'hash' | 'at'>): string {
  return `twelve-audit-anchor/1 ${a.checkpoint} ${a.hash} ${a.at}`;
}

function hmac(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

export function signAnchor(cp: { id: number; at: Date; hash: string }, key: string): Anchor {
  const fields = { checkpoint: cp.id, hash: cp.hash, at: cp.at.toISOString() };
  return { anchor: ANCHOR_VERSION, ...fields, key: keyId(key), signature: hmac(key, anchorMessage(fields)) };
}

/** Seals the current heads (a fresh checkpoint, unless nothing moved) and signs the newest checkpoint. */
export async function takeAnchor(db: Db, clock: Clock, key: string): Promise<Anchor> {
  await writeCheckpoint(db, clock);
  const [cp] = await db.query<{ id: number; at: Date; hash: string }>(
    'SELECT id, at, hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1',
  );
  if (!cp) throw new AnchorError('nothing to anchor: the audit trail is empty');
  return signAnchor(cp, key);
}

/** Reads anchors: one JSON object, or several, one per line (a file `twelve audit anchor --out` appended to). */
export function parseAnchors(text: string): Anchor[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) throw new AnchorError('no anchor given');
  return lines.map((line, i) => {
    const where = lines.length > 1 ? ` (line ${i + 1})` : '';
    let a: Partial<Anchor>;
    try {
      a = JSON.parse(line);
    } catch {
      throw new AnchorError(`not an anchor${where}: not JSON`);
    }
    if (
      a?.anchor !== ANCHOR_VERSION ||
      !Number.isSafeInteger(a.checkpoint) ||
      typeof a.at !== 'string' ||
      typeof a.key !== 'string' ||
      !/^[0-9a-f]{64}$/.test(a.hash ?? '') ||
      !/^[0-9a-f]{64}$/.test(a.signature ?? '')
    )
      throw new AnchorError(
        `not an anchor${where}: expected {"anchor":"${ANCHOR_VERSION}","checkpoint","at","hash","key","signature"}`,
      );
    return a as Anchor;
  });
}

/** Null when the signature is this key's over the anchor's fields; else what is wrong. */
export function anchorSignatureProblem(a: Anchor, key: string): string | null {
  const expected = Buffer.from(hmac(key, anchorMessage(a)), 'hex');
  if (timingSafeEqual(expected, Buffer.from(a.signature, 'hex'))) return null;
  return a.key === keyId(key)
    ? 'its signature does not match its content: the anchor was forged or altered'
    : `it was not signed with this key (it names key ${a.key}, this one is ${keyId(key)}): forged, or the key changed`;
}

/** What stops the trail from containing each anchor: a bad signature, its checkpoint missing or changed. */
export async function verifyAnchors(db: Queryable, anchors: Anchor[], key: string): Promise<BrokenLink[]> {
  const problems: BrokenLink[] = [];
  for (const a of anchors) {
    const stream = `checkpoint:${a.checkpoint}`;
    const broken = (reason: string) =>
      problems.push({
        id: null,
        stream,
        seq: null,
        reason: `anchor of checkpoint ${a.checkpoint}: ${reason}`,
      });
    const signature = anchorSignatureProblem(a, key);
    if (signature) {
      broken(signature);
      continue;
    }
    const [cp] = await db.query<{ hash: string; at: Date }>(
      'SELECT hash, at FROM audit_checkpoints WHERE id = $1',
      [a.checkpoint],
    );
    if (!cp) {
      const [newest] = await db.query<{ id: number }>('SELECT max(id) AS id FROM audit_checkpoints');
      broken(
        `the checkpoint is missing (the newest is ${newest?.id ?? 'none'}): checkpoints were deleted, and the events they sealed may have been changed`,
      );
    } else if (cp.hash !== a.hash) {
      broken(
        `the trail's checkpoint ${a.checkpoint} has another hash: the trail was re-sealed after a change`,
      );
    }
  }
  return problems;
}

/** verifyAudit, failing also where the trail no longer holds one of the anchors. */
export async function verifyWithAnchors(
  db: Queryable,
  anchors: Anchor[],
  key: string,
): Promise<VerifyReport> {
  const report = await verifyAudit(db);
  const problems = [...report.problems, ...(await verifyAnchors(db, anchors, key))];
  return { ...report, ok: problems.length === 0, firstBroken: problems[0] ?? null, problems };
}
