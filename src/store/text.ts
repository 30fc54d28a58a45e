// What PostgreSQL refuses in text and jsonb: NUL, and UTF-16 halves without their pair (JSON can carry both as
// escapes, "\\u0000" and "\\ud800"). Inputs meant for people are cleaned; API requests that carry them are refused.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const HAS_LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Drops NUL and replaces lone UTF-16 halves with U+FFFD. */
export function pgSafe(s: string): string {
  return s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

/** Whether `s` holds something PostgreSQL would refuse (see pgSafe). */
export function pgUnsafe(s: string): boolean {
  return s.includes('\u0000') || HAS_LONE_SURROGATE.test(s);
}
