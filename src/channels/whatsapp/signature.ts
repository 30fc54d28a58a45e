// Meta signs every webhook POST: X-Hub-Signature-256 = "sha256=" + lowercase hex HMAC-SHA256 of the raw body bytes,
// keyed with the App Secret (PROTOCOLS §2.2; https://developers.facebook.com/docs/graph-api/webhooks/getting-started,
// "Validating Payloads"). It must be checked on the exact bytes received, before any JSON parsing, because a
// re-serialized body would not hash the same.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

/** The header value Meta would send for these bytes (used by the fake Graph API, tests and the bench). */
export function whatsAppSignature(body: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(body).digest('hex');
}

/**
 * True when the header carries the right HMAC of `body`. Constant-time: both digests are decoded to 32 bytes
 * before timingSafeEqual (which throws on unequal lengths), so a forged header cannot learn anything from timing.
 * A missing, repeated (string[]) or malformed header is simply false.
 */
export function signatureValid(
  body: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length);
  if (!HEX_DIGEST.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
