// How Vapi proves a request is its own (PROTOCOLS §1.2): the shared secret in `X-Vapi-Secret` (the inline secret, or a
// Bearer-Token credential named so) or in `Authorization: Bearer` (the default Bearer-Token credential), compared in
// constant time; or, when TWELVE_VAPI_HMAC_SECRET is set, an HMAC credential: `x-signature` = hex HMAC-SHA256 of
// `{x-timestamp}.{raw body}` (an optional `sha256=` prefix allowed), with the timestamp within five minutes.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { VoiceConfig } from './config.ts';

export const SECRET_HEADER = 'x-vapi-secret';
export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-timestamp';
/** How far a signed timestamp may be from now (a replayed request older than this is refused). */
export const HMAC_TOLERANCE_MS = 5 * 60_000;

/** Constant-time comparison of a secret of any length (hashing first gives both sides 32 bytes). */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The shared secret the request carries, if any (X-Vapi-Secret, else Authorization: Bearer). */
function givenSecret(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers[SECRET_HEADER];
  if (typeof direct === 'string') return direct;
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim();
  return undefined;
}

/** True when the request carries the shared secret (the custom LLM endpoint accepts only this). */
export function secretValid(headers: IncomingHttpHeaders, config: VoiceConfig): boolean {
  const given = givenSecret(headers);
  return config.secret !== null && given !== undefined && sameSecret(given, config.secret);
}

/** The x-signature Vapi's HMAC credential sends for these bytes at this timestamp (fakes and tests use it). */
export function vapiHmacSignature(body: Buffer | string, timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export function hmacValid(headers: IncomingHttpHeaders, raw: Buffer, secret: string, nowMs: number): boolean {
  const sig = headers[SIGNATURE_HEADER];
  const ts = headers[TIMESTAMP_HEADER];
  if (typeof sig !== 'string' || typeof ts !== 'string' || !/^[0-9]{1,16}$/.test(ts)) return false;
  // Seconds or milliseconds since the epoch: Vapi's docs do not say which (UNCONFIRMED), so both are read.
  const n = Number(ts);
  const ms = n < 1e12 ? n * 1000 : n;
  if (Math.abs(nowMs - ms) > HMAC_TOLERANCE_MS) return false;
  const hex = sig.replace(/^sha256=/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = Buffer.from(vapiHmacSignature(raw, ts, secret), 'hex');
  return timingSafeEqual(given, expected);
}

/** The server URL's check: the shared secret, or a valid HMAC signature when an HMAC secret is configured. */
export function webhookAuthenticated(
  headers: IncomingHttpHeaders,
  raw: Buffer,
  config: VoiceConfig,
  nowMs: number,
): boolean {
  if (secretValid(headers, config)) return true;
  return config.hmacSecret !== null && hmacValid(headers, raw, config.hmacSecret, nowMs);
}
